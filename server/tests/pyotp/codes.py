"""TOTP codes made by pyotp (unmodified, from PyPI), for the integration
test `two_factor_pyotp`: reads {"time": unix seconds, "secrets": [base32],
"offsets": [steps]} as JSON on stdin and prints {"step": the step of
"time", "codes": [[the code of each secret at each offset]]}: what an
authenticator app built on pyotp would show at those times."""

import json
import sys

import pyotp

request = json.load(sys.stdin)
now = int(request["time"])
interval = 30
codes = []
for secret in request["secrets"]:
    totp = pyotp.TOTP(secret, digits=6, interval=interval)
    codes.append([totp.at(now + offset * interval) for offset in request["offsets"]])
json.dump({"step": now // interval, "codes": codes}, sys.stdout)
