"""Staff logins are throttled: django-axes locks out a username, and an address, after
AXES_FAILURE_LIMIT failures; the right password is refused while locked; every failure and
lockout is logged; public pages keep being served; the admin path is configurable and
robots.txt does not name it.
"""

import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import RequestFactory
from django.urls import reverse

from oncology_portal.clientip import client_ip

from .helpers import PASSWORD, make_curator, require_redis

LIMIT = settings.AXES_FAILURE_LIMIT
ROOT = Path(__file__).resolve().parent.parent


def login(client, username, password, address="198.51.100.7"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
    )


def logged_in(client):
    return "_auth_user_id" in client.session


class AxesLog(logging.Handler):
    """Collects what django-axes logs (whatever the project's LOGGING does with it)."""

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture
def axes_log():
    handler = AxesLog()
    logger = logging.getLogger("axes")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


@pytest.fixture
def staff(portal_data):
    return make_curator("lockout-curator")


def test_the_limit_is_five_failures_and_the_cooloff_fifteen_minutes():
    assert LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_a_username_is_locked_after_five_failures_and_the_right_password_is_refused(
    client, staff, axes_log
):
    # Each failure from another address: the username alone trips the limit.
    for attempt in range(LIMIT - 1):
        response = login(client, staff.username, "wrong", address=f"203.0.113.{attempt + 1}")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()
    response = login(client, staff.username, "wrong", address="203.0.113.99")
    assert response.status_code == 429

    response = login(client, staff.username, PASSWORD, address="192.0.2.50")
    assert response.status_code == 429
    assert not logged_in(client)
    page = response.content.decode()
    assert "Too many failed logins" in page
    assert "paused after 5 failed attempts" in page
    assert "Try again in 15 minutes" in page
    assert response["Retry-After"] == "900"
    assert "no-store" in response["Cache-Control"]
    # It does not say whether the username or the address tripped the limit.
    assert staff.username not in page and "192.0.2.50" not in page

    # The lockout is per username: another user logs in from the same address.
    make_curator("other-curator")
    assert login(client, "other-curator", PASSWORD, address="192.0.2.50").status_code == 302
    assert logged_in(client)

    failures = [m for m in axes_log.messages if "login failure" in m]
    assert len(failures) >= LIMIT + 1  # the locked attempt is logged too
    assert any("Locking out" in m for m in axes_log.messages)
    assert all(staff.username in m for m in failures)


def test_an_address_is_locked_after_five_failures_whatever_the_usernames(client, staff):
    attacker = "198.51.100.66"
    for attempt in range(LIMIT):
        login(client, f"guess-{attempt}", "wrong", address=attacker)
    response = login(client, staff.username, PASSWORD, address=attacker)
    assert response.status_code == 429
    assert not logged_in(client)
    # The same staff member from their own address is not affected.
    response = login(client, staff.username, PASSWORD, address="192.0.2.10")
    assert response.status_code == 302
    assert logged_in(client)


def test_fewer_failures_than_the_limit_still_let_the_right_password_in(client, staff):
    for _ in range(LIMIT - 1):
        assert login(client, staff.username, "wrong").status_code == 200
    response = login(client, staff.username, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert logged_in(client)


def test_while_locked_no_password_is_hashed_and_public_pages_are_served(client, staff, monkeypatch):
    """An attack on the login page cannot starve the public pages: once the limit is reached,
    attempts are refused before any password hashing (the expensive part), and the attacker's
    own address still gets the public pages."""
    attacker = "198.51.100.77"
    for _ in range(LIMIT):
        login(client, staff.username, "wrong", address=attacker)

    hashed = []
    original = MD5PasswordHasher.verify

    def counting_verify(self, password, encoded):
        hashed.append(password)
        return original(self, password, encoded)

    monkeypatch.setattr(MD5PasswordHasher, "verify", counting_verify)
    for attempt in range(20):
        response = login(client, staff.username, f"guess-{attempt}", address=attacker)
        assert response.status_code == 429
        public = client.get("/departments/", REMOTE_ADDR=attacker)
        assert public.status_code == 200
        assert "Department of Medical Oncology" in public.content.decode()
    assert hashed == []
    assert client.get("/", REMOTE_ADDR=attacker).status_code == 200
    assert client.get("/robots.txt", REMOTE_ADDR=attacker).status_code == 200


def test_a_successful_login_clears_the_failures(client, staff):
    for _ in range(LIMIT - 1):
        login(client, staff.username, "wrong")
    assert login(client, staff.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(LIMIT - 1):
        login(client, staff.username, "wrong")
    assert login(client, staff.username, PASSWORD).status_code == 302


# --- the counters on Redis (production's shared cache) -------------------------------------------

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def axes_on_redis(settings):
    """The cache handler on a real Redis, as production runs it (CACHE_URL=redis://…).
    Missing: skipped locally, a failure in CI. A key prefix of its own: nothing else is
    touched and nothing else can clear these counters."""
    import redis

    require_redis(REDIS_URL)
    prefix = f"test-axes-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    settings.AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
    AxesProxyHandler.get_implementation(force=True)
    yield prefix
    server = redis.Redis.from_url(REDIS_URL)
    for key in server.scan_iter(f"{prefix}*"):
        server.delete(key)
    settings.AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
    AxesProxyHandler.get_implementation(force=True)


def test_on_redis_the_counters_live_in_the_cache_and_a_locked_attempt_costs_no_query(
    client, staff, axes_on_redis, django_assert_max_num_queries
):
    import redis
    from axes.models import AccessAttempt

    attacker = "198.51.100.88"
    for _ in range(LIMIT):
        login(client, staff.username, "wrong", address=attacker)
    assert not AccessAttempt.objects.exists()
    server = redis.Redis.from_url(REDIS_URL)
    assert list(server.scan_iter(f"{axes_on_redis}*"))

    with django_assert_max_num_queries(0):
        response = login(client, staff.username, PASSWORD, address=attacker)
    assert response.status_code == 429
    assert not logged_in(client)
    assert login(client, staff.username, PASSWORD, address="192.0.2.20").status_code == 429


# --- the address behind a reverse proxy ----------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.5", "10.0.0.2"),  # no proxy trusted: the header is ignored
        (1, "203.0.113.5", "203.0.113.5"),  # nginx appended the visitor's address
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # the client's own entry is not trusted
        (2, "6.6.6.6, 203.0.113.5, 198.51.100.1", "203.0.113.5"),  # CDN, then nginx
        (1, "6.6.6.6, not-an-address", "10.0.0.2"),
        (2, "203.0.113.5", "10.0.0.2"),  # shorter than the proxy chain
        (1, "", "10.0.0.2"),
    ],
)
def test_the_client_address_behind_trusted_proxies(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_behind_a_proxy_each_visitor_is_counted_on_their_own(client, settings, staff):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for attempt in range(LIMIT):
        client.post(
            reverse("admin:login"),
            {"username": f"guess-{attempt}", "password": "wrong"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=f"1.1.1.{attempt}, 198.51.100.99",  # spoofed left entries
        )
    locked = client.post(
        reverse("admin:login"),
        {"username": staff.username, "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="198.51.100.99",
    )
    assert locked.status_code == 429
    other = client.post(
        reverse("admin:login"),
        {"username": staff.username, "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="192.0.2.30",
    )
    assert other.status_code == 302


# --- the admin path ------------------------------------------------------------------------------


def test_robots_txt_does_not_name_the_admin(client):
    body = client.get("/robots.txt").content.decode()
    assert "admin" not in body.lower()
    assert settings.ADMIN_PATH.strip("/") not in body
    assert "Disallow: /search/" in body


def _django(code, **env):
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "oncology_portal.settings",
            "DJANGO_TESTING": "true",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_admin_path_comes_from_the_environment():
    code = (
        "from django.conf import settings; from django.urls import reverse, resolve, Resolver404;"
        "print(reverse('admin:index'), reverse('admin:login'));"
        "print(settings.PAGE_CACHE_SKIP_PREFIXES[0]);"
        "\ntry:\n    resolve('/admin/'); print('admin-still-served')\n"
        "except Resolver404:\n    print('admin-gone')"
    )
    result = _django(code, DJANGO_ADMIN_PATH="staff-7f3a")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split()
    assert lines == ["/staff-7f3a/", "/staff-7f3a/login/", "/staff-7f3a/", "admin-gone"]


@pytest.mark.parametrize("bad", ["../x/", "a b/", "<script>/", "/"])
def test_a_malformed_admin_path_is_refused_at_start(bad):
    result = _django("pass", DJANGO_ADMIN_PATH=bad)
    assert result.returncode != 0
    assert "DJANGO_ADMIN_PATH must be" in result.stderr


def test_the_default_admin_path_is_admin():
    assert reverse("admin:index") == "/admin/"
    assert settings.PAGE_CACHE_SKIP_PREFIXES[0] == "/admin/"
