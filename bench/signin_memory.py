#!/usr/bin/env python3
"""Memory and throughput under password sign-ins, measured on the release
server (issue: memory must stay bounded however many sign-ins arrive).

    cargo leptos build --release --precompress
    python3 bench/signin_memory.py [SECONDS] [CONCURRENCY]

Starts `$CARGO_TARGET_DIR/release/gatehouse serve` on a temporary SQLite
database (loopback only), reads its RSS idle, runs CONCURRENCY clients that
sign in with the correct password for SECONDS, then prints RSS after the load
and sign-ins per second. The login rate limit counts only failures, so
correct sign-ins are not limited. Stops the server it started.
"""
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 30
CONCURRENCY = int(sys.argv[2]) if len(sys.argv) > 2 else 8
PASSWORD = "bench-admin-password"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main():
    target = os.environ.get("CARGO_TARGET_DIR", os.path.expanduser("~/.cache/gatehouse-target"))
    exe = os.path.join(target, "release", "gatehouse")
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        env.update({
            "GATEHOUSE_DATABASE_URL": f"sqlite://{tmp}/gatehouse.db?mode=rwc",
            "GATEHOUSE_BIND": f"127.0.0.1:{port}",
            "GATEHOUSE_ADMIN_PASSWORD": PASSWORD,
            "GATEHOUSE_DATA_DIR": f"{tmp}/data",
        })
        server = subprocess.Popen([exe, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            time.sleep(1)
            idle = rss_mb(server.pid)
            body = urllib.parse.urlencode({"username": "admin", "password": PASSWORD, "next": ""}).encode()
            done = [0]
            lock = threading.Lock()
            stop_at = time.monotonic() + SECONDS

            def client():
                while time.monotonic() < stop_at:
                    req = urllib.request.Request(base + "/api/login", data=body, headers={"Origin": base})
                    with urllib.request.urlopen(req, timeout=30) as res:
                        res.read()
                    with lock:
                        done[0] += 1

            threads = [threading.Thread(target=client) for _ in range(CONCURRENCY)]
            started = time.monotonic()
            for t in threads:
                t.start()
            peak = idle
            while any(t.is_alive() for t in threads):
                peak = max(peak, rss_mb(server.pid))
                time.sleep(0.2)
            elapsed = time.monotonic() - started
            after = rss_mb(server.pid)
            print(f"| RSS idle | {idle:.1f} MB |")
            print(f"| RSS peak during {done[0]} sign-ins ({CONCURRENCY} concurrent, {elapsed:.0f} s) | {peak:.1f} MB |")
            print(f"| RSS after | {after:.1f} MB |")
            print(f"| sign-ins per second | {done[0] / elapsed:.1f} |")
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
