"""The shared page cache: visitors get cached pages, nobody ever gets a stale or private one."""

import os
import sys

import pytest
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from departments.models import CancerType, Department, Service
from oncology_portal import pagecache

from .helpers import require_redis

DEPARTMENT = "fahzu-medical-oncology-1"


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


def test_second_anonymous_visit_is_served_from_the_cache_without_queries(
    client, portal_data, django_assert_num_queries
):
    first = get(client, "/departments/")
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = get(client, "/departments/")
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_query_string_and_language_are_part_of_the_key(client, portal_data):
    get(client, "/search/?q=liver")
    other = get(client, "/search/?q=breast")
    assert other["X-Page-Cache"] == "miss"
    assert "Breast" in other.content.decode()
    request = RequestFactory().get("/search/?q=liver")
    assert ":en:" in pagecache.page_key(request, "v1")
    chinese = RequestFactory().get("/zh-hans/search/?q=liver")
    assert ":zh-hans:" in pagecache.page_key(chinese, "v1")


def test_the_host_and_scheme_are_part_of_the_key(client, portal_data, settings):
    """A page prints its own absolute address: one host's copy is never served on another."""
    settings.ALLOWED_HOSTS = ["portal.example", "www.portal.example"]
    first = client.get("/trials/", HTTP_HOST="portal.example")
    assert first["X-Page-Cache"] == "miss"
    other = client.get("/trials/", HTTP_HOST="www.portal.example")
    assert other["X-Page-Cache"] == "miss"
    assert "http://www.portal.example/trials/" in other.content.decode()
    assert "http://portal.example/trials/" not in other.content.decode()
    assert client.get("/trials/", HTTP_HOST="www.portal.example")["X-Page-Cache"] == "hit"
    secure = client.get("/trials/", HTTP_HOST="portal.example", secure=True)
    assert secure["X-Page-Cache"] == "miss"
    # A host that is not allowed is refused, not cached.
    assert client.get("/trials/", HTTP_HOST="evil.example").status_code == 400


def test_a_saved_record_appears_at_once(client, portal_data):
    assert (
        "Renamed for the cache test"
        not in get(client, f"/departments/{DEPARTMENT}/").content.decode()
    )
    department = Department.objects.get(slug=DEPARTMENT)
    department.name = "Renamed for the cache test"
    department.save()
    fresh = get(client, f"/departments/{DEPARTMENT}/")
    assert fresh["X-Page-Cache"] == "miss"
    assert "Renamed for the cache test" in fresh.content.decode()
    assert "Renamed for the cache test" in get(client, "/departments/").content.decode()


def test_a_deleted_or_relinked_record_moves_the_version(portal_data):
    before = pagecache.data_version()
    department = Department.objects.get(slug=DEPARTMENT)
    department.service_links.first().delete()
    after_delete = pagecache.data_version()
    assert after_delete != before
    CancerType.objects.get(slug="liver-cancer").trials.clear()
    assert pagecache.data_version() != after_delete


def test_a_write_inside_a_transaction_moves_the_version_again_on_commit(
    portal_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        Service.objects.filter(slug="chemotherapy").first().save()
        during = pagecache.data_version()
    assert callbacks, "the commit callback that moves the version again was registered"
    assert pagecache.data_version() != during


def test_staff_with_a_session_always_get_fresh_pages_and_fill_nothing(client, portal_data):
    client.cookies["sessionid"] = "any-session"
    response = get(client, "/departments/")
    assert "X-Page-Cache" not in response
    client.cookies.pop("sessionid")
    assert get(client, "/departments/")["X-Page-Cache"] == "miss"


def test_admin_and_non_get_requests_bypass_the_cache(client, portal_data):
    response = client.get("/admin/login/")
    assert "X-Page-Cache" not in response
    assert "X-Page-Cache" not in client.post("/search/", {"q": "liver"})


@pytest.mark.parametrize(
    "make_response",
    [
        lambda: _with_cookie(HttpResponse("secret")),
        lambda: HttpResponse("private", headers={"Cache-Control": "private"}),
        lambda: HttpResponse(
            "nonce", headers={"Content-Security-Policy": "script-src 'nonce-abc'"}
        ),
        lambda: HttpResponse("gone", status=500),
    ],
    ids=["sets-a-cookie", "private", "csp-nonce", "server-error"],
)
def test_responses_with_a_per_response_secret_are_never_stored(make_response):
    request = RequestFactory().get("/departments/")
    middleware = pagecache.PageCacheMiddleware(lambda request: make_response())
    middleware(request)
    assert cache.get(pagecache.page_key(request, pagecache.data_version())) is None


def _with_cookie(response):
    response.set_cookie("csrftoken", "per-visitor")
    return response


def test_any_management_command_moves_the_version(monkeypatch, portal_data):
    import manage

    before = pagecache.data_version()
    monkeypatch.setattr(sys, "argv", ["manage.py", "load_portal_data", "--verbosity", "0"])
    manage.main()
    assert pagecache.data_version() != before
    unchanged = pagecache.data_version()
    monkeypatch.setattr(sys, "argv", ["manage.py", "check"])
    manage.main()
    assert pagecache.data_version() == unchanged


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture
def redis_cache(settings):
    """The shared cache on a real Redis, as production runs it. Missing: skipped locally, a
    failure in CI."""

    require_redis(REDIS_URL)
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    cache.clear()
    yield cache
    cache.clear()


def test_pages_and_the_data_version_live_in_redis(client, portal_data, redis_cache):
    """Every gunicorn worker reads one data version and one copy of each page from Redis."""
    import redis

    server = redis.Redis.from_url(REDIS_URL)
    assert get(client, "/cancer-types/")["X-Page-Cache"] == "miss"
    assert get(client, "/cancer-types/")["X-Page-Cache"] == "hit"
    version = pagecache.data_version()
    assert any(version.encode() in key for key in server.keys("*portal:page:*"))
    Service.objects.get(slug="chemotherapy").save()
    assert pagecache.data_version() != version
    assert get(client, "/cancer-types/")["X-Page-Cache"] == "miss"
