"""`make soak`: 60 s at 64 connections against gunicorn as in production; errors, non-2xx, p99.

gunicorn runs with gunicorn.conf.py (threaded workers, max_requests restarts and all), debug off,
collected static files, Redis as the shared cache with the page cache on (production defaults),
on PostgreSQL in a database of its own (`portal_soak`: created when missing, migrated and the
seed data loaded, idempotent). wrk (`apt-get install -y wrk`) cycles through a mix of public
URLs on 127.0.0.1; a third of them carry a query string that changes on every request, so they
miss the page cache and render from the database. Prints requests, req/s, socket errors, non-2xx
responses, latency percentiles (p99), the workers' memory before and after and what gunicorn's
log says (error lines, tracebacks, worker restarts); writes bench/results/soak-latest.json.
Exits 1 when any request failed (socket error, non-2xx) or the log has a traceback.

Environment: SOAK_SECONDS (60), SOAK_CONNECTIONS (64), SOAK_THREADS (wrk threads, 2),
SOAK_PORT (8766), SOAK_DB (portal_soak), SOAK_CACHE_URL (redis://127.0.0.1:6379/12, flushed
first), SOAK_PAGE_CACHE_SECONDS (600; 0 renders every page), and gunicorn.conf.py's own
(WEB_CONCURRENCY, GUNICORN_THREADS…).
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import redis

from .config import GUNICORN, PYTHON, RESULTS_DIR, ROOT
from .databases import create, database_url, exists
from .serve import latency_ms, rss_kib

HOST = "127.0.0.1"  # loopback only, never configurable
PORT = int(os.environ.get("SOAK_PORT", "8766"))
SECONDS = int(os.environ.get("SOAK_SECONDS", "60"))
CONNECTIONS = int(os.environ.get("SOAK_CONNECTIONS", "64"))
WRK_THREADS = int(os.environ.get("SOAK_THREADS", "2"))
DATABASE = os.environ.get("SOAK_DB", "portal_soak")
CACHE_URL = os.environ.get("SOAK_CACHE_URL", "redis://127.0.0.1:6379/12")
PAGE_CACHE_SECONDS = os.environ.get("SOAK_PAGE_CACHE_SECONDS", "600")
STARTUP_S = 60

# Public URLs of the seed data; "{n}" becomes a number unique to each request (a page the page
# cache has never seen). No API URL: it throttles each client address (429 by design).
URLS = [
    "/",
    "/search/?q=HCC",
    "/search/?q=breast+cancer&n={n}",
    "/departments/",
    "/departments/?cancer_type=liver-cancer&n={n}",
    "/departments/fahzu-medical-oncology-3/",
    "/departments/zhejiang-cancer-hospital-breast-medical-oncology/?n={n}",
    "/hospitals/",
    "/hospitals/fahzu/?n={n}",
    "/cancer-types/",
    "/cancer-types/hepatocellular-carcinoma/",
    "/cancer-types/breast-cancer/?n={n}",
    "/trials/",
    "/trials/imbrave150/",
    "/zh-hans/departments/",
    "/zh-hans/cancer-types/liver-cancer/?n={n}",
    "/sitemap.xml",
    "/robots.txt",
    "/static/css/portal.css",
    "/health/live/",
]

WRK_SCRIPT = """
local urls = {%s}
local thread_id = 0
local counter = 0
function setup(thread)
  thread_id = thread_id + 1
  thread:set("id", thread_id)
end
function request()
  counter = counter + 1
  local url = urls[(counter %% #urls) + 1]
  url = string.gsub(url, "{n}", tostring(id) .. "-" .. tostring(counter))
  return wrk.format("GET", url)
end
"""


def env_for_django(**extra):
    return {
        **os.environ,
        "DATABASE_URL": database_url(DATABASE),
        "CACHE_URL": CACHE_URL,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "soak-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "DJANGO_ALLOWED_HOSTS": HOST,
        **extra,
    }


def manage(*args, **extra):
    print(f"  manage.py {' '.join(args)}", flush=True)
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env_for_django(**extra), check=True)


def prepare(static_root):
    if not exists(DATABASE):
        create(DATABASE)
    manage("migrate", "--noinput", "-v0")
    manage("load_portal_data", "-v0")
    manage("collectstatic", "--noinput", "-v0", DJANGO_STATIC_ROOT=str(static_root))
    redis.Redis.from_url(CACHE_URL).flushdb()


def wait_until_up(server):
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            urllib.request.urlopen(f"http://{HOST}:{PORT}/health/live/", timeout=2).close()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer within {STARTUP_S} s")


def worker_rss_mib(master_pid):
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return sorted(round(rss_kib(int(pid)) / 1024, 1) for pid in children)


def warm_up():
    """Every URL once (fills the page cache where it can; a worker may answer slowly at first)."""
    for url in URLS:
        url = url.replace("{n}", "warm-up")
        try:
            urllib.request.urlopen(f"http://{HOST}:{PORT}{url}", timeout=30).close()
        except OSError as error:
            print(f"  warm-up {url}: {error}")


def run_wrk(script):
    command = [
        "wrk",
        f"-t{WRK_THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{SECONDS}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(script),
        f"http://{HOST}:{PORT}",
    ]
    print(f"  {' '.join(command)}", flush=True)
    return subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=SECONDS + 60
    ).stdout


def parse(out):
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    counts = map(int, errors.groups()) if errors else (0, 0, 0, 0)
    socket_errors = dict(zip(("connect", "read", "write", "timeout"), counts, strict=True))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    max_latency = re.search(r"Latency\s+\S+\s+\S+\s+([\d.]+)(\w+)", out)
    return {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "socket_errors": socket_errors,
        "errors": sum(socket_errors.values()),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "p50_ms": latency_ms(out, 50),
        "p90_ms": latency_ms(out, 90),
        "p99_ms": latency_ms(out, 99),
        "max": "".join(max_latency.groups()) if max_latency else None,
    }


def read_log(path):
    text = path.read_text(errors="replace")
    return {
        "error_lines": sum(" ERROR " in line or "[ERROR]" in line for line in text.splitlines()),
        "tracebacks": text.count("Traceback (most recent call last)"),
        "worker_restarts": text.count("Autorestarting worker"),
        "workers_killed": text.count("WORKER TIMEOUT"),
        "tail": text.splitlines()[-15:],
    }


def main():
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    work = Path(tempfile.mkdtemp(prefix="portal-soak-"))
    print(f"Soak: {SECONDS} s at {CONNECTIONS} connections, database {DATABASE}, cache {CACHE_URL}")
    prepare(work / "static")
    script = work / "mix.lua"
    script.write_text(WRK_SCRIPT % ", ".join(json.dumps(url) for url in URLS))
    env = env_for_django(
        DJANGO_STATIC_ROOT=str(work / "static"),
        DJANGO_PAGE_CACHE_SECONDS=PAGE_CACHE_SECONDS,
        GUNICORN_BIND=f"{HOST}:{PORT}",
    )
    command = [GUNICORN, "-c", "gunicorn.conf.py", "oncology_portal.wsgi"]
    access_log, error_log = work / "access.log", work / "error.log"
    with open(access_log, "wb") as out, open(error_log, "wb") as err:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=err)
    try:
        wait_until_up(server)
        warm_up()
        rss_before = worker_rss_mib(server.pid)
        figures = parse(run_wrk(script))
        rss_after = worker_rss_mib(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    log = read_log(error_log)
    result = {
        **figures,
        "seconds": SECONDS,
        "connections": CONNECTIONS,
        "page_cache_seconds": int(PAGE_CACHE_SECONDS),
        "urls": URLS,
        "worker_rss_mib_before": rss_before,
        "worker_rss_mib_after": rss_after,
        **{key: value for key, value in log.items() if key != "tail"},
        "logs": str(work),
    }
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / "soak-latest.json").write_text(json.dumps(result, indent=2) + "\n")
    failed = figures["errors"] or figures["non_2xx"] or log["tracebacks"]
    print(
        f"\nrequests {figures['requests']} ({figures['rps']:.0f}/s)   "
        f"errors {figures['errors']} {figures['socket_errors']}   non-2xx {figures['non_2xx']}\n"
        f"latency p50 {figures['p50_ms']} ms   p90 {figures['p90_ms']} ms   "
        f"p99 {figures['p99_ms']} ms   max {figures['max']}\n"
        f"worker RSS MiB before {rss_before}, after {rss_after}\n"
        f"gunicorn log: {log['error_lines']} error lines, {log['tracebacks']} tracebacks, "
        f"{log['worker_restarts']} worker restarts (max_requests), "
        f"{log['workers_killed']} workers killed (timeout)\n"
        f"logs in {work}; figures in {RESULTS_DIR / 'soak-latest.json'}\n"
        f"{'FAIL' if failed else 'PASS'}: no socket errors, no non-2xx, no tracebacks"
    )
    if failed:
        print("\n".join(["last lines of gunicorn's log:", *log["tail"]]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
