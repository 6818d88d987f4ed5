"""Shared fixtures: the seed data (loaded once per test database), users, a live server, Chromium.

Every test runs inside a transaction that is rolled back after it, browser tests included: the
live server starts once per session and serves through the test thread's own database connection
(tests/conftest.py `live_portal`), so it sees the session's seed data and the test's own writes,
and the rollback undoes whatever a browser test wrote.
"""

import os

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test.utils import modify_settings, override_settings
from django.utils import translation

from departments.models import Department
from departments.search import reset_vocabulary_cache

from .helpers import SLUG_A, make_curator, make_editor, unavailable

# Playwright's sync API runs an event loop in the test thread; Django must allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the portal's seed data once; each test runs in a transaction rolled back after it."""
    with django_db_blocker.unblock():
        call_command("load_portal_data", verbosity=0)


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hasher():
    """PBKDF2 takes ~1 s a password by design; the tests check who may log in, not the hashing."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def fresh_vocabulary(portal_data):
    """Rebuild the cached search vocabulary from this test's database (ids differ between
    runs); leave the language as found (a /zh-hans/ page activates Chinese in this thread).
    Search test modules use it with `pytest.mark.usefixtures`."""
    reset_vocabulary_cache()
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def portal_data(db):
    """The seed data (already loaded at session start) for tests that read it."""
    return None


# --- admin users ---------------------------------------------------------------------------------


@pytest.fixture
def department(portal_data):
    """Department A of the admin tests (tests.helpers.SLUG_A)."""
    return Department.objects.get(slug=SLUG_A)


@pytest.fixture
def editor(portal_data):
    """An editor of department A only."""
    return make_editor("editor_a", SLUG_A)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def curator_client(client, portal_data):
    client.force_login(make_curator())
    return client


# --- the live server and the browser -------------------------------------------------------------


class LivePortal:
    """The session's live server; `url` is its root, without a trailing slash."""

    def __init__(self, thread):
        self.thread = thread
        self.url = f"http://{thread.host}:{thread.port}"

    def __str__(self):
        return self.url


@pytest.fixture(scope="session")
def _live_portal_server(django_db_setup):
    """One live server for the session, serving through the test thread's connection.

    pytest-django's `live_server` forces `transactional_db`, which flushes the database after each
    test (the seed data with it) and so would need the seed data reloaded for every browser test.
    Instead, like Django does for in-memory SQLite, the server's threads are handed the test
    thread's connection, on PostgreSQL too: they run inside the test's transaction, see the seed
    data and the test's uncommitted writes, and the test's rollback undoes theirs.
    """
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.test.testcases import LiveServerThread

    class SharedConnectionServer(ThreadedWSGIServer):
        def _close_connections(self):
            """Django closes every connection after each request; the shared one stays open
            (on in-memory SQLite close() is a no-op; on PostgreSQL it would end the test)."""

    class SharedConnectionServerThread(LiveServerThread):
        server_class = SharedConnectionServer

    connection = connections["default"]
    # Likewise, at each request's start and end Django closes a connection whose autocommit
    # differs from the setting, as one inside a test's transaction does. Test threads never call
    # this (the test client disconnects it), so only the server's threads are affected.
    connection.close_if_unusable_or_obsolete = lambda: None
    connection.inc_thread_sharing()
    thread = SharedConnectionServerThread(
        "localhost", StaticFilesHandler, connections_override={"default": connection}
    )
    thread.daemon = True
    try:
        with modify_settings(ALLOWED_HOSTS={"append": "localhost"}):
            thread.start()
            thread.is_ready.wait()
            if thread.error:
                raise thread.error
            yield LivePortal(thread)
            thread.terminate()
    finally:
        connection.dec_thread_sharing()
        del connection.close_if_unusable_or_obsolete


@pytest.fixture
def live_portal(_live_portal_server, portal_data):
    """The live server, for a test whose transaction (rolled back after it) holds the seed data."""
    return _live_portal_server


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def chromium():
    """Real Chromium through Playwright. Missing: skipped locally, a failure in CI."""
    if not os.path.exists(CHROMIUM):
        unavailable(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_portal):
    """A fresh browser page (phone-sized by default) with `page.base_url`."""
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    browser_page = context.new_page()
    browser_page.set_default_timeout(15_000)
    browser_page.base_url = live_portal.url
    yield browser_page
    context.close()


@pytest.fixture(autouse=True)
def _fresh_shared_cache():
    """Each test starts with an empty cache: derived counts and pages of a rolled-back test
    (whose data version moved inside its transaction) never leak into the next one."""
    from django.core.cache import cache

    cache.clear()
    yield
