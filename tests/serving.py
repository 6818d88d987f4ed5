"""Real gunicorn for the tests that need it (tests/test_faults.py, tests/test_gunicorn_conf.py).

gunicorn runs as in production: gunicorn.conf.py, debug off, a secret key and allowed hosts,
collected static files (in a folder of the test's own), on a free loopback port, its access log
and error log (Django's log included) in files the test reads.
"""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
STARTUP_S = 30

# Variables of the test process that must not leak into a production-like process (the tests
# set what they need).
NOT_INHERITED = ("DATABASE_URL", "CACHE_URL", "DJANGO_TESTING", "DJANGO_SERVING_WEB", "PORT")
NOT_INHERITED_PREFIXES = ("DJANGO_DB_", "GUNICORN_", "WEB_CONCURRENCY", "DJANGO_PAGE_CACHE")


def free_port():
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def production_env(**extra):
    """Environment of a production process: debug off, secret key, allowed hosts."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in NOT_INHERITED and not key.startswith(NOT_INHERITED_PREFIXES)
    }
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="tests-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        DJANGO_ALLOWED_HOSTS=HOST,
        PYTHONUNBUFFERED="1",
    )
    env.update({key: str(value) for key, value in extra.items()})
    return env


def manage(*args, **env):
    """Run manage.py in a production-like process (local-memory cache unless told)."""
    subprocess.run(
        [str(BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env=production_env(**{"CACHE_URL": "locmemcache://", **env}),
        check=True,
        timeout=300,
    )


def collectstatic(static_root):
    manage("collectstatic", "--noinput", "-v0", DJANGO_STATIC_ROOT=static_root)


@dataclass
class Response:
    status: int
    headers: dict
    body: str
    seconds: float


def fetch(url, timeout=30, headers=None):
    """GET an http://127.0.0.1:port/… URL; the status, headers, body and how long it took."""
    parts = urlsplit(url)
    assert parts.scheme == "http" and parts.hostname == HOST, url
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    started = time.monotonic()
    connection = http.client.HTTPConnection(HOST, parts.port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        answer = connection.getresponse()
        status, head, body = answer.status, answer.getheaders(), answer.read()
    finally:
        connection.close()
    return Response(
        status,
        {key.lower(): value for key, value in head},
        body.decode("utf-8", "replace"),
        time.monotonic() - started,
    )


@dataclass
class Gunicorn:
    """gunicorn -c gunicorn.conf.py oncology_portal.wsgi, as a context manager."""

    env: dict
    log_dir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen = None

    @property
    def url(self):
        return f"http://{HOST}:{self.port}"

    @property
    def error_log(self):
        return self.log_dir / "gunicorn-error.log"

    @property
    def access_log(self):
        return self.log_dir / "gunicorn-access.log"

    def __enter__(self):
        env = {**self.env, "GUNICORN_BIND": f"{HOST}:{self.port}"}
        command = [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "oncology_portal.wsgi"]
        with open(self.access_log, "wb") as out, open(self.error_log, "wb") as err:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=err)
        try:
            self._wait_until_up()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait_until_up(self):
        deadline = time.monotonic() + STARTUP_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.error_log.read_text()}")
            try:
                if fetch(self.url + "/health/live/", timeout=2).status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {STARTUP_S} s")

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # quick shutdown: nothing to finish here
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def get(self, path, **kwargs):
        return fetch(self.url + path, **kwargs)

    def log_mark(self):
        return self.error_log.stat().st_size

    def log_since(self, mark):
        time.sleep(0.3)  # let the workers flush their last lines
        with open(self.error_log, "rb") as log:
            log.seek(mark)
            return log.read().decode("utf-8", "replace")
