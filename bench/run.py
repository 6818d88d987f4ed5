"""Throughput and memory of the public pages under real gunicorn, measured with wrk.

Prints requests/second per page and its ratio to a baseline served by the same gunicorn in the
same run (robots.txt: routing + middleware, no database), plus worker memory. Loopback only,
bounded runs (DURATION seconds per URL). Usage: `make bench` (after `make setup`).
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", "8765"))
DURATION = int(os.environ.get("BENCH_SECONDS", "5"))
BASE = f"http://127.0.0.1:{PORT}"
BASELINE = "/robots.txt"
PAGES = [
    "/",
    "/departments/",
    "/departments/?cancer_type=digestive-system-cancers",
    "/departments/fahzu-medical-oncology-3/",
    "/hospitals/fahzu/",
    "/cancer-types/",
    "/cancer-types/hepatocellular-carcinoma/",
    "/trials/",
    "/trials/imbrave150/",
    "/search/?q=HCC",
    "/search/?q=bile+duct+cancer",
    "/search/?q=hepatocelular",
]


def wrk(path):
    out = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{DURATION}s", BASE + path],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = re.search(r"Latency\s+([\d.]+\w+)", out).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, latency, int(errors.group(1)) if errors else 0


def rss_mib(pid):
    total = 0
    for child in [pid, *children(pid)]:
        try:
            status = Path(f"/proc/{child}/status").read_text()
        except FileNotFoundError:
            continue
        total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
    return total / 1024


def children(pid):
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def main():
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnop",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "oncology_portal.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(50):
            try:
                urllib.request.urlopen(BASE + BASELINE, timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        for path in [BASELINE, *PAGES]:  # warm caches
            urllib.request.urlopen(BASE + path, timeout=10).read()
        base_rps, base_lat, _ = wrk(BASELINE)
        print(f"{'page':55} {'req/s':>8} {'ratio':>6} {'p50-ish':>9} {'non-2xx':>7}")
        print(f"{BASELINE + ' (baseline)':55} {base_rps:8.0f} {1:6.2f} {base_lat:>9} {0:7}")
        for path in PAGES:
            rps, latency, errors = wrk(path)
            print(f"{path:55} {rps:8.0f} {rps / base_rps:6.2f} {latency:>9} {errors:7}")
        print(f"\ngunicorn master + 2 workers RSS after the run: {rss_mib(server.pid):.0f} MiB")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
