"""Health URLs for load balancers, and the security headers on every kind of response."""

import pytest
from django.core.cache import cache


def test_liveness_touches_nothing(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/live/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readiness_checks_the_database_and_the_cache(client, db):
    response = client.get("/health/ready/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_readiness_is_503_with_retry_after_when_the_cache_is_down(client, db, settings):
    """A real, unreachable Redis (nothing listens on port 1), not a mock."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.PAGE_CACHE_SECONDS = 0
    response = client.get("/health/ready/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response.json() == {"status": "unavailable", "database": "ok", "cache": "unavailable"}


def test_health_urls_are_never_served_from_the_page_cache(client, db, settings):
    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()
    for _ in range(2):
        assert "X-Page-Cache" not in client.get("/health/ready/")


@pytest.mark.parametrize(
    "url", ["/", "/health/live/", "/robots.txt", "/static/css/portal.css", "/no-such-page/"]
)
def test_every_response_carries_permissions_and_resource_policies(client, portal_data, url):
    response = client.get(url)
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


def test_cached_pages_carry_them_too(client, portal_data, settings):
    settings.PAGE_CACHE_SECONDS = 300
    client.get("/cancer-types/")
    hit = client.get("/cancer-types/")
    assert hit["X-Page-Cache"] == "hit"
    assert hit["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "microphone=()" in hit["Permissions-Policy"]
