"""Database faults degrade, never hang (oncology_portal/faults.py, oncology_portal/postgresql/).

Real gunicorn (gunicorn.conf.py, debug off) on a PostgreSQL database of this test's own, reached
through a TCP proxy the test controls (tests/dbproxy.py): the shared server is never stopped.
With the database refused or hung, pages answer 503 with Retry-After and the friendly page within
a few seconds; static files, /robots.txt and pages already in the page cache keep answering 200;
the log has one line per failed request and no traceback; when the database is back, pages
answer 200 again without a restart. On SQLite, a database locked by another connection answers
503 once the busy timeout has passed.

PostgreSQL missing: skipped locally, a failure in CI.
"""

import hashlib
import json
import logging
import os
import re
import sqlite3
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from itertools import count

import pytest
from django.db import OperationalError
from django.urls import path

from oncology_portal import urls as portal_urls

from .dbproxy import FORWARD, FREEZE, REFUSE, DatabaseProxy
from .helpers import unavailable
from .serving import BIN, ROOT, Gunicorn, collectstatic, manage, production_env

PG_SERVER = os.environ.get("FAULTS_PG_URL", "postgres://postgres@127.0.0.1:5432")
TEMPLATE_DB = "faults_portal_template"

# Bounds the portal runs under in these tests (production: connect 3 s, statement 10 s).
CONNECT_TIMEOUT_S = 2
STATEMENT_TIMEOUT_S = 2
# A refused connection fails at once; a hung one after at most the health check of a reused
# connection (the connect timeout) plus a new connection's attempt (the connect timeout again),
# or the statement timeout plus its margin: 4 s here. Well under gunicorn's timeout (30 s).
REFUSED_WITHIN_S = 3.0
HUNG_WITHIN_S = 6.0
RECOVERY_S = 10.0
RETRY_AFTER = "10"

SEED_DEPARTMENT = "Department of Medical Oncology Ⅲ"
PAGES = ["/departments/", "/trials/", "/cancer-types/breast-cancer/"]
# Query strings are ignored by these pages but key the page cache: each outage request is for a
# page the cache has never seen, so it must reach the database.
_attempts = count()

FAILURE_LINE = re.compile(
    r"ERROR oncology_portal\.faults: Database unavailable: GET (\S+) -> 503 \((\S+): (.*)\)$"
)


def fresh(path):
    return f"{path}?attempt={next(_attempts)}"


def _psycopg():
    return pytest.importorskip("psycopg")


def postgres_or_skip():
    psycopg = _psycopg()
    try:
        psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        unavailable(f"PostgreSQL is not reachable at {PG_SERVER}: {exc}")


def _schema_fingerprint():
    """Migrations and seed fixtures: the template database is rebuilt when they change."""
    digest = hashlib.sha256()
    files = sorted(
        [*ROOT.glob("*/migrations/*.py"), *(p for p in ROOT.glob("fixtures/**/*") if p.is_file())]
    )
    for file in files:
        digest.update(str(file.relative_to(ROOT)).encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:32]


def create_database(name):
    """A migrated database holding the seed data, copied from a template kept between runs
    (rebuilt when migrations or fixtures change; an advisory lock serialises test processes)."""
    psycopg = _psycopg()
    from psycopg import sql

    fingerprint = _schema_fingerprint()
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute("SELECT pg_advisory_lock(hashtext(%s))", [TEMPLATE_DB])
        try:
            found = admin.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                [TEMPLATE_DB],
            ).fetchone()
            if found is None or found[0] != fingerprint:
                template = sql.Identifier(TEMPLATE_DB)
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(template))
                admin.execute(sql.SQL("CREATE DATABASE {}").format(template))
                url = f"{PG_SERVER}/{TEMPLATE_DB}"
                manage("migrate", "--noinput", "-v0", DATABASE_URL=url)
                manage("load_portal_data", "-v0", DATABASE_URL=url)
                admin.execute(
                    sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                        template, sql.Literal(fingerprint)
                    )
                )
            admin.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(TEMPLATE_DB)
                )
            )
        finally:
            admin.execute("SELECT pg_advisory_unlock(hashtext(%s))", [TEMPLATE_DB])


def drop_database(name):
    psycopg = _psycopg()
    from psycopg import sql

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    collectstatic(root)
    return root


@pytest.fixture(scope="module")
def portal_behind_proxy(tmp_path_factory, static_root):
    """gunicorn (2 workers × 4 threads) → the proxy → PostgreSQL, on a database of its own."""
    postgres_or_skip()
    name = f"faults_portal_{os.getpid()}"
    drop_database(name)
    create_database(name)
    work = tmp_path_factory.mktemp("faults")
    try:
        with DatabaseProxy(("127.0.0.1", 5432)) as proxy:
            env = production_env(
                DATABASE_URL=f"postgres://postgres@127.0.0.1:{proxy.port}/{name}",
                DJANGO_STATIC_ROOT=static_root,
                DJANGO_CACHE_DIR=work / "cache",
                DJANGO_DB_CONNECT_TIMEOUT=CONNECT_TIMEOUT_S,
                DJANGO_DB_STATEMENT_TIMEOUT=STATEMENT_TIMEOUT_S,
                WEB_CONCURRENCY=2,
                GUNICORN_THREADS=4,
            )
            with Gunicorn(env, work) as server:
                server.proxy = proxy
                yield server
    finally:
        drop_database(name)


def failure_lines(log):
    return [match for line in log.splitlines() if (match := FAILURE_LINE.search(line))]


def assert_unavailable(response, within):
    assert response.status == 503, response.body[:300]
    assert response.headers["retry-after"] == RETRY_AFTER
    assert "Temporarily unavailable" in response.body
    assert "try again in a few minutes" in response.body
    assert "no-store" in response.headers["cache-control"]
    assert SEED_DEPARTMENT not in response.body
    assert response.seconds < within, f"answered in {response.seconds:.1f} s"


def assert_still_served(server, cached_page):
    """What needs no database keeps answering at once: static files, robots.txt, liveness,
    and a page already in the shared page cache."""
    robots = server.get("/robots.txt", timeout=5)
    assert robots.status == 200
    assert "User-agent: *" in robots.body
    assert robots.seconds < 1.0
    css = server.get("/static/css/portal.css", timeout=5)
    assert css.status == 200
    assert css.seconds < 1.0
    assert server.get("/health/live/", timeout=5).status == 200
    cached = server.get(cached_page, timeout=5)
    assert cached.status == 200
    assert cached.headers.get("x-page-cache") == "hit"
    assert cached.seconds < 1.0


def assert_recovers(server):
    """Back by itself: no restart, the next requests reach the database again."""
    deadline = time.monotonic() + RECOVERY_S
    while True:
        response = server.get(fresh("/departments/"), timeout=RECOVERY_S)
        if response.status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert response.status == 200
    assert SEED_DEPARTMENT in response.body
    assert server.get("/health/ready/").status == 200


def warm_up(server, cached_page):
    """Every worker thread holds a live database connection; one page is in the page cache."""
    with ThreadPoolExecutor(8) as pool:
        for response in pool.map(server.get, [fresh("/departments/") for _ in range(16)]):
            assert response.status == 200
    assert server.get(cached_page).status == 200
    assert server.get(cached_page).headers.get("x-page-cache") == "hit"


def test_refused_database_answers_503_at_once_and_recovers(portal_behind_proxy):
    server = portal_behind_proxy
    warm_up(server, "/cancer-types/")
    mark = server.log_mark()
    server.proxy.set_mode(REFUSE)
    try:
        requested = [fresh(page) for page in PAGES * 2]
        for path in requested:
            assert_unavailable(server.get(path, timeout=30), within=REFUSED_WITHIN_S)
        assert_still_served(server, "/cancer-types/")
        ready = server.get("/health/ready/")
        assert ready.status == 503
        assert "unavailable" in ready.body
    finally:
        server.proxy.set_mode(FORWARD)
    log = server.log_since(mark)
    lines = failure_lines(log)
    assert [match[1] for match in lines] == [path.split("?")[0] for path in requested]
    assert all("OperationalError" in match[2] for match in lines)
    assert "Traceback" not in log
    assert_recovers(server)


def test_hung_database_answers_503_within_the_timeout_and_recovers(portal_behind_proxy):
    server = portal_behind_proxy
    warm_up(server, "/hospitals/")
    mark = server.log_mark()
    server.proxy.set_mode(FREEZE)
    try:
        requested = [fresh(page) for page in PAGES]
        with ThreadPoolExecutor(len(requested)) as pool:
            hanging = [pool.submit(server.get, path, timeout=60) for path in requested]
            time.sleep(0.5)
            # While those wait on the hung database, the rest of the site answers at once.
            assert_still_served(server, "/hospitals/")
            responses = [future.result() for future in hanging]
        for response in responses:
            assert_unavailable(response, within=HUNG_WITHIN_S)
    finally:
        server.proxy.set_mode(FORWARD)
    log = server.log_since(mark)
    lines = failure_lines(log)
    assert sorted(match[1] for match in lines) == sorted(path.split("?")[0] for path in requested)
    assert "Traceback" not in log
    assert_recovers(server)


def test_locked_sqlite_database_answers_503_after_the_busy_timeout(tmp_path, static_root):
    """Another connection holds an exclusive lock: a page waits the busy timeout (1 s here),
    then answers 503 with the friendly page in the site's layout, English or Chinese URL alike;
    robots.txt and static files are served meanwhile."""
    database = tmp_path / "locked.sqlite3"
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("CREATE TABLE lock_holder (id INTEGER)")
    holder.execute("BEGIN EXCLUSIVE")
    env = production_env(
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_STATIC_ROOT=static_root,
        DJANGO_CACHE_DIR=tmp_path / "cache",
        DJANGO_DB_BUSY_TIMEOUT=1,
        WEB_CONCURRENCY=1,
        GUNICORN_THREADS=2,
    )
    try:
        with Gunicorn(env, tmp_path) as server:
            mark = server.log_mark()
            page = server.get("/departments/", timeout=30)
            chinese = server.get("/zh-hans/departments/", timeout=30)
            robots = server.get("/robots.txt", timeout=5)
            css = server.get("/static/css/portal.css", timeout=5)
            log = server.log_since(mark)
    finally:
        holder.close()
    assert_unavailable(page, within=4.0)
    assert page.seconds >= 0.9, "answered before the busy timeout"
    assert chinese.status == 503
    assert chinese.headers["retry-after"] == RETRY_AFTER
    assert '<html lang="zh-hans">' in chinese.body
    assert 'href="/static/css/portal.' in page.body  # base.html's layout, hashed static files
    assert 'name="robots" content="noindex"' in page.body
    assert page.headers["cross-origin-resource-policy"] == "same-origin"
    assert "default-src" in page.headers["content-security-policy"]
    assert robots.status == 200
    assert "User-agent: *" in robots.body
    assert css.status == 200
    lines = failure_lines(log)
    assert [match[1] for match in lines] == ["/departments/", "/zh-hans/departments/"]
    assert {match[2] for match in lines} == {"sqlite3.OperationalError"}
    assert {match[3] for match in lines} == {"database is locked"}
    assert "Traceback" not in log


def test_a_query_on_a_server_that_stops_answering_is_given_up(django_db_blocker):
    """The backend's reply timeout, on its own: a connection open through the proxy, the proxy
    freezes mid-session, the next query fails after the reply timeout (1 s here) instead of
    waiting for ever, and the connection is closed; a new one works once the server is back."""
    postgres_or_skip()
    from django.db import connections
    from django.db.utils import load_backend

    with DatabaseProxy(("127.0.0.1", 5432)) as proxy:
        settings_dict = {
            **connections.settings["default"],
            "ENGINE": "oncology_portal.postgresql",
            "NAME": "postgres",
            "USER": "postgres",
            "PASSWORD": "",
            "HOST": "127.0.0.1",
            "PORT": proxy.port,
            "CONN_HEALTH_CHECKS": False,
            "OPTIONS": {"connect_timeout": 2, "reply_timeout": 1},
        }
        wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "probe")
        with django_db_blocker.unblock():
            try:
                with wrapper.cursor() as cursor:
                    cursor.execute("SELECT 1")
                    assert cursor.fetchone() == (1,)
                proxy.set_mode(FREEZE)
                # Without the bound the query would wait for ever: cut it after 10 s (the
                # error then says "closed", not "no reply", and the test fails).
                watchdog = threading.Timer(10, proxy.set_mode, [REFUSE])
                watchdog.start()
                started = time.monotonic()
                no_reply = pytest.raises(OperationalError, match="no reply from the database")
                with no_reply, wrapper.cursor() as cursor:
                    cursor.execute("SELECT 1")
                watchdog.cancel()
                assert 0.9 < time.monotonic() - started < 3
                assert wrapper.connection.closed
                assert not wrapper.is_usable()
                proxy.set_mode(FORWARD)
                wrapper.close()
                with wrapper.cursor() as cursor:
                    cursor.execute("SELECT 2")
                    assert cursor.fetchone() == (2,)
            finally:
                wrapper.close()


# --- the bounds, as configured: web processes only get the statement timeout ------------------

PRINT_DATABASE = (
    "import json; from django.conf import settings; d = settings.DATABASES['default']; "
    "print(json.dumps({'ENGINE': d['ENGINE'], 'OPTIONS': d['OPTIONS']}, default=str))"
)


def database_settings(*command, **env):
    """settings.DATABASES['default'] as a process started by `command` sees it."""
    out = subprocess.run(
        [str(BIN / "python"), *command],
        cwd=ROOT,
        env=production_env(
            DATABASE_URL="postgres://postgres@127.0.0.1:5432/not_connected",
            CACHE_URL="locmemcache://",
            **env,
        ),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_web_processes_run_under_bounded_database_waits():
    web = database_settings("-c", f"import oncology_portal.wsgi; {PRINT_DATABASE}")
    assert web["ENGINE"] == "oncology_portal.postgresql"
    assert web["OPTIONS"]["options"] == "-c jit=off -c statement_timeout=10000"
    assert web["OPTIONS"]["connect_timeout"] == 3
    assert web["OPTIONS"]["reply_timeout"] == 12.0
    tuned = database_settings(
        "-c",
        f"import oncology_portal.wsgi; {PRINT_DATABASE}",
        DJANGO_DB_STATEMENT_TIMEOUT="4.5",
        DJANGO_DB_CONNECT_TIMEOUT="5",
    )
    assert tuned["OPTIONS"]["options"] == "-c jit=off -c statement_timeout=4500"
    assert (tuned["OPTIONS"]["connect_timeout"], tuned["OPTIONS"]["reply_timeout"]) == (5, 6.5)


def test_management_commands_have_no_statement_timeout():
    """Migrations, load_portal_data, backups and the generator may run long statements."""
    command = database_settings("manage.py", "shell", "-v0", "-c", PRINT_DATABASE)
    assert command["ENGINE"] == "oncology_portal.postgresql"
    assert command["OPTIONS"]["options"] == "-c jit=off"
    assert command["OPTIONS"]["connect_timeout"] == 3
    assert "reply_timeout" not in command["OPTIONS"]


def test_this_test_process_is_bounded_as_a_command(settings):
    options = settings.DATABASES["default"]["OPTIONS"]
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        assert options["timeout"] == 5  # the busy timeout
    else:
        assert settings.DATABASES["default"]["ENGINE"] == "oncology_portal.postgresql"
        assert "statement_timeout" not in options.get("options", "")
        assert options["connect_timeout"] == 3


# --- in process: the two ways a database error reaches the portal (no database needed) ---------


def _database_down(request):
    raise OperationalError(
        'connection to server at "127.0.0.1", port 5432 failed: refused\nIs it up?'
    )


def _bug(request):
    raise ValueError("not the database")


class DatabaseDownMiddleware:
    """Like a session or user lookup that meets the database down, in a middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/test-faults/middleware/"):
            raise OperationalError("server closed the connection unexpectedly")
        return self.get_response(request)


urlpatterns = [
    path("test-faults/view/", _database_down),
    path("test-faults/bug/", _bug),
    path("test-faults/middleware/", _bug),
    *portal_urls.urlpatterns,
]
handler500 = portal_urls.handler500


def _one_failure_line(caplog):
    records = [r for r in caplog.records if r.levelno >= logging.WARNING]
    (record,) = records  # Django's own request log does not add a second line
    assert record.name == "oncology_portal.faults"
    assert record.exc_info is None
    return record.getMessage()


@pytest.mark.urls(__name__)
def test_a_view_meeting_the_database_down_answers_503(client, caplog):
    response = client.get("/test-faults/view/")
    assert response.status_code == 503
    assert response["Retry-After"] == RETRY_AFTER
    body = response.content.decode()
    assert "Temporarily unavailable" in body
    assert 'class="site-header"' in body  # the site's layout (base.html), not a bare page
    assert _one_failure_line(caplog) == (
        "Database unavailable: GET /test-faults/view/ -> 503 (django.db.utils.OperationalError: "
        'connection to server at "127.0.0.1", port 5432 failed: refused Is it up?)'
    )


@pytest.mark.urls(__name__)
def test_a_middleware_meeting_the_database_down_answers_503(client, settings, caplog):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.DatabaseDownMiddleware"]
    client.raise_request_exception = False
    response = client.get("/test-faults/middleware/")
    assert response.status_code == 503
    assert response["Retry-After"] == RETRY_AFTER
    assert "Temporarily unavailable" in response.content.decode()
    assert _one_failure_line(caplog).startswith(
        "Database unavailable: GET /test-faults/middleware/ -> 503 "
        "(django.db.utils.OperationalError: server closed the connection unexpectedly)"
    )


@pytest.mark.urls(__name__)
def test_any_other_error_is_still_a_500(client, caplog):
    client.raise_request_exception = False
    response = client.get("/test-faults/bug/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "Something went wrong" in response.content.decode()
    (record,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.name == "django.request"
    assert record.exc_info is not None
