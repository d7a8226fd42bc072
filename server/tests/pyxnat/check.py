"""Drives a running Gatehouse with pyxnat 1.6.4, unmodified (CONTRACTS.md §4).

Usage: check.py BASE_URL OWNER PASSWORD OTHER_USER BAD_PASSWORD
Exits non-zero (with the failing step) when pyxnat does not get what XNAT gives it.
"""
import sys

from pyxnat import Interface

base, owner, password, other, bad = sys.argv[1:6]


def text(value):
    """pyxnat hands back raw bytes for plain-text answers."""
    return value.decode() if isinstance(value, bytes) else value


def check(what, got, want):
    if got != want:
        sys.exit(f"FAIL {what}: got {got!r}, want {want!r}")
    print(f"ok   {what}")


x = Interface(server=base + "/", user=owner, password=password)
check("no projects at first", x.select.projects().get(), [])
project = x.select.project("PYX1")
check("exists() before create", project.exists(), False)
project.create()
check("exists() after create", project.exists(), True)
check("listed", x.select.projects().get(), ["PYX1"])
check("creator is the owner", project.owners(), [owner])
check("accessibility", text(project.accessibility()), "private")
project.set_accessibility("protected")
check("accessibility changed", text(project.accessibility()), "protected")

project.add_user(other, role="member")
check("members", project.members(), [other])
check("user_role member", project.user_role(other), "member")
project.add_user(other, role="collaborator")
check("moved to collaborators", (project.members(), project.collaborators()), ([], [other]))
project.add_user(other, role="owner")
check("moved to owners", sorted(project.owners()), sorted([owner, other]))
project.remove_user(other)
check("removed", project.users(), [owner])
check("users listing includes the owner", owner in x.manage.users(), True)

project.delete()
check("deleted", x.select.projects().get(), [])

# An alias token (issued over the same connection) works as user and password.
import json

x.select.project("PYX2").create()
issued = json.loads(text(x._exec("/data/services/tokens/issue", "GET")))
check("alias token secret length", len(issued["secret"]), 64)
by_alias = Interface(server=base, user=issued["alias"], password=issued["secret"])
check("alias token lists projects", by_alias.select.projects().get(), ["PYX2"])
x.select.project("PYX2").delete()

denied = Interface(server=base, user=owner, password=bad)
try:
    denied.select.projects().get()
except Exception as e:  # pyxnat reports a wrong password as an error
    print(f"ok   wrong password refused: {type(e).__name__}")
else:
    sys.exit("FAIL wrong password was not refused")
print("pyxnat: all checks passed")
