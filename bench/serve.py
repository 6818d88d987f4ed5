"""Throughput under real gunicorn (2 workers, debug off, collected static, Redis cache), via wrk.

Loopback only (127.0.0.1) and bounded: each wrk run lasts `seconds` and is killed if it overruns.
Every figure is also given as a ratio to /robots.txt measured by the same server in the same run.
"""

import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from .config import BASELINE, GUNICORN, HOST, PORT, PYTHON, ROOT
from .databases import django_env

BASE = f"http://{HOST}:{PORT}"
BASELINE_PATH = f"/{BASELINE}"
assert HOST == "127.0.0.1"
STARTUP_S = 30
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def require_wrk():
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk")


def collectstatic(database):
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=django_env(database),
        check=True,
    )


def get(path, timeout=60):
    """Request a page once; return its X-Page-Cache header (or what went wrong)."""
    try:
        with urllib.request.urlopen(BASE + path, timeout=timeout) as response:
            response.read()
            return response.headers.get("X-Page-Cache", "none")
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code}"
    except OSError as error:
        return f"error: {error}"


def wait_until_up(server):
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            urllib.request.urlopen(BASE + BASELINE_PATH, timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {STARTUP_S} s")


@contextmanager
def gunicorn(database, cache_url, page_cache_seconds):
    env = django_env(
        database, CACHE_URL=cache_url, DJANGO_PAGE_CACHE_SECONDS=str(page_cache_seconds)
    )
    env["DJANGO_ALLOWED_HOSTS"] = HOST
    command = [GUNICORN, "oncology_portal.wsgi", "--bind", f"{HOST}:{PORT}", "--workers", "2"]
    server = subprocess.Popen([*command, "--log-level", "warning"], cwd=ROOT, env=env)
    try:
        wait_until_up(server)
        yield server
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def latency_ms(wrk_output, percent):
    """A percentile from wrk's "Latency Distribution" lines ("     50%    1.55ms")."""
    line = re.search(rf"^\s+{percent}%\s+([\d.]+)(\w+)\s*$", wrk_output, re.MULTILINE)
    if line is None:  # no request completed
        return None
    value, unit = line.groups()
    return round(float(value) * UNITS_MS[unit], 2)


def wrk(path, seconds):
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s", "--timeout", "10s", "--latency", BASE + path]
    out = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=seconds + 30
    ).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "p50_ms": latency_ms(out, 50),
        "p99_ms": latency_ms(out, 99),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": sum(map(int, errors.groups())) if errors else 0,
    }


def throughput(urls, seconds):
    """{url: wrk figures + ratio to robots.txt}, each page requested once first.

    robots.txt is measured first and last; the ratios divide by the mean of the two, so a
    machine whose load changes during the run shifts the baseline less.
    """
    cache = {url: get(url) for url in urls}  # fills the page cache when it is on
    baseline_url = next(url for url in urls if url.endswith(BASELINE))
    first = wrk(baseline_url, seconds)
    results = {}
    for url in urls:
        if url != baseline_url:
            get(BASELINE_PATH, timeout=120)  # wait until a worker is free after a slow page
            results[url] = wrk(url, seconds)
    last = wrk(baseline_url, seconds)
    base = (first["rps"] + last["rps"]) / 2
    bounds = {"rps_first": first["rps"], "rps_last": last["rps"]}
    results[baseline_url] = {**first, "rps": base, **bounds}
    for url, figures in results.items():
        figures["ratio"] = round(figures["rps"] / base, 3) if base else 0.0
        figures["cache"] = cache[url]
    return results


def worker_rss_mib(master_pid):
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return [round(rss_kib(int(pid)) / 1024, 1) for pid in children]


def rss_kib(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))


def serve_and_measure(database, cache_url, urls, seconds):
    """Warm (page cache on) then cold (off) throughput; worker RSS after the cold run."""
    with gunicorn(database, cache_url, page_cache_seconds=600):
        warm = throughput(urls, seconds)
    with gunicorn(database, cache_url, page_cache_seconds=0) as server:
        cold = throughput(urls, seconds)
        rss = worker_rss_mib(server.pid)
    return {"warm": warm, "cold": cold, "worker_rss_mib": rss}
