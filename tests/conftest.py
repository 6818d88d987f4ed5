import os

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in the test thread; Django must allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the portal's seed data once; each test runs in a transaction rolled back after it."""
    with django_db_blocker.unblock():
        call_command("load_portal_data", verbosity=0)


@pytest.fixture
def portal_data(db):
    """The seed data (already loaded at session start) for tests that read it."""
    return None


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
        message = f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def loaded_live_server(live_server, transactional_db):
    """A live server whose (transactional, flushed-after) database holds the seed data."""
    call_command("load_portal_data", verbosity=0)
    return live_server


@pytest.fixture
def page(chromium, loaded_live_server):
    """A fresh browser page (phone-sized by default) with `page.url_for(path)`."""
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    browser_page = context.new_page()
    browser_page.set_default_timeout(15_000)
    browser_page.base_url = loaded_live_server.url
    yield browser_page
    context.close()
