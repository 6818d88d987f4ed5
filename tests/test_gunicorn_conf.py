"""The production server configuration (gunicorn.conf.py), the Dockerfile and the README use.

Threaded workers whose count comes from the environment, timeouts that outlast every bounded
database wait, graceful restarts, max_requests with jitter, an access log with the time taken;
and, served for real, two clients trickling their requests do not hold up /robots.txt (with
2 sync workers, the issue measured 19 s).
"""

import re
import socket
import time

import pytest
from gunicorn.app.base import Application

from .serving import HOST, ROOT, Gunicorn, production_env

CONFIG = ROOT / "gunicorn.conf.py"
ENV_NAMES = (
    "WEB_CONCURRENCY",
    "GUNICORN_THREADS",
    "GUNICORN_WORKER_CLASS",
    "GUNICORN_TIMEOUT",
    "GUNICORN_BIND",
    "GUNICORN_MAX_REQUESTS",
    "GUNICORN_MAX_REQUESTS_JITTER",
    "GUNICORN_CONTROL_SOCKET",
    "PORT",
)
# The longest a request can wait on the database in production (settings.py defaults): a
# reused connection's health check and a new connection (connect timeout, 3 s each), or a
# statement (10 s) plus the no-reply margin (2 s).
LONGEST_DATABASE_WAIT_S = max(3 + 3, 10 + 2)


class _ConfigOnly(Application):
    def init(self, parser, opts, args):
        return {}

    def load_config(self):
        self.cfg.set("default_proc_name", "test")
        self.load_config_from_file(str(CONFIG))

    def load(self):
        raise AssertionError("only the configuration is read")


@pytest.fixture
def config(monkeypatch):
    """gunicorn's view of gunicorn.conf.py, under the environment the test sets."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("sys.argv", ["gunicorn"])
    return lambda: _ConfigOnly().cfg


def test_threaded_workers_with_bounded_timeouts(config):
    cfg = config()
    assert cfg.worker_class_str == "gthread"
    assert cfg.workers >= 2
    assert cfg.threads >= 2
    assert cfg.timeout > 2 * LONGEST_DATABASE_WAIT_S
    assert 0 < cfg.graceful_timeout <= cfg.timeout
    assert cfg.keepalive >= 2
    assert cfg.max_requests > 0
    assert 0 < cfg.max_requests_jitter < cfg.max_requests
    assert cfg.bind == ["127.0.0.1:8000"]
    assert cfg.control_socket_disable


def test_access_log_has_the_time_taken_and_the_forwarded_client(config):
    cfg = config()
    assert cfg.accesslog == "-"
    assert "%(M)sms" in cfg.access_log_format
    assert "%({x-forwarded-for}i)s" in cfg.access_log_format
    assert '"%(r)s" %(s)s' in cfg.access_log_format


def test_worker_class_count_and_timeouts_come_from_the_environment(config, monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    monkeypatch.setenv("GUNICORN_THREADS", "8")
    monkeypatch.setenv("GUNICORN_TIMEOUT", "60")
    monkeypatch.setenv("GUNICORN_MAX_REQUESTS", "200")
    monkeypatch.setenv("PORT", "9123")
    cfg = config()
    assert (cfg.workers, cfg.threads, cfg.worker_class_str) == (5, 8, "gthread")
    assert cfg.timeout == 60
    assert (cfg.max_requests, cfg.max_requests_jitter) == (200, 20)
    assert cfg.bind == ["127.0.0.1:9123"]
    monkeypatch.setenv("GUNICORN_WORKER_CLASS", "sync")
    monkeypatch.setenv("GUNICORN_THREADS", "1")
    monkeypatch.setenv("GUNICORN_BIND", "0.0.0.0:8080")
    cfg = config()
    assert (cfg.worker_class_str, cfg.threads, cfg.bind) == ("sync", 1, ["0.0.0.0:8080"])


def test_the_dockerfile_runs_gunicorn_with_it():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^COPY .*\bgunicorn\.conf\.py\b", dockerfile, re.MULTILINE)
    (cmd,) = re.findall(r"^CMD (.*)$", dockerfile, re.MULTILINE)
    assert "gunicorn -c gunicorn.conf.py" in cmd
    assert "--workers" not in cmd  # the count is the config's (WEB_CONCURRENCY)
    assert "HEALTHCHECK" in dockerfile


def test_the_readme_deploys_it_behind_nginx():
    readme = (ROOT / "README.md").read_text()
    deploying = readme.split("## Deploying", 1)[1].split("\n## ", 1)[0]
    assert "gunicorn -c gunicorn.conf.py oncology_portal.wsgi" in deploying
    assert "nginx" in deploying
    assert "proxy_buffering on" in deploying
    assert "make soak" in readme


def test_two_slow_clients_do_not_hold_up_robots_txt(tmp_path):
    """Two clients send half a request each and stall; robots.txt still answers at once."""
    env = production_env(
        DATABASE_URL=f"sqlite:///{tmp_path}/unused.sqlite3",
        DJANGO_CACHE_DIR=tmp_path / "cache",
        DJANGO_STATIC_ROOT=tmp_path / "static",
        WEB_CONCURRENCY=2,
    )
    with Gunicorn(env, tmp_path) as server:
        slow = []
        try:
            for _ in range(2):
                client = socket.create_connection((HOST, server.port))
                client.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: sl")
                slow.append(client)
            time.sleep(0.5)
            answers = [server.get("/robots.txt", timeout=10) for _ in range(4)]
        finally:
            for client in slow:
                client.close()
        forwarded = server.get("/robots.txt", headers={"X-Forwarded-For": "203.0.113.9"})
        time.sleep(0.3)
        access_log = server.access_log.read_text()
    for answer in answers:
        assert answer.status == 200
        assert "User-agent: *" in answer.body
        assert answer.seconds < 2.0, f"robots.txt took {answer.seconds:.1f} s"
    assert forwarded.status == 200
    assert re.search(
        r'^127\.0\.0\.1 203\.0\.113\.9 \[[^]]+\] "GET /robots\.txt HTTP/1\.1" 200 \d+ \d+ms ',
        access_log,
        re.MULTILINE,
    )
