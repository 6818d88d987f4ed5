"""A shared page cache for visitors, keyed on the full URL, the language and a data version.

- Anonymous ``GET`` requests for public pages are answered from the shared cache (Django's
  cache framework: Redis in production, local memory in development).
- The key holds a *data version*: every write to a department or trial record (admin, import,
  revert, ``load_portal_data``, the generator, any management command) moves it, so a page
  rendered before the write is never served after it.
- Staff (anyone with a session cookie) and the admin always get fresh pages and never fill
  the cache. A response that sets a cookie, carries a CSP nonce or asks not to be stored is
  not cached, so no cached page carries a per-response secret.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language_from_path

from departments.dataversion import bump_data_version, data_version

__all__ = ["PageCacheMiddleware", "bump_data_version", "connect_signals", "data_version"]

CACHED_STATUSES = {200}
# Headers that describe the content; everything else is set again by outer middleware.
STORED_HEADERS = (
    "Content-Type",
    "Content-Language",
    "Content-Security-Policy",
    "X-Frame-Options",
    "Vary",
)
WATCHED_APPS = {"departments", "trials"}


def _on_write(sender, **kwargs):
    if sender._meta.app_label in WATCHED_APPS:
        bump_data_version()


def _on_m2m(sender, action, **kwargs):
    if action.startswith("post_") and sender._meta.app_label in WATCHED_APPS:
        bump_data_version()


def connect_signals():
    """Every ORM write to a department or trial record moves the data version."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    post_save.connect(_on_write, dispatch_uid="pagecache-save")
    post_delete.connect(_on_write, dispatch_uid="pagecache-delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="pagecache-m2m")


def _cacheable_request(request):
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not request.path_info.startswith(settings.PAGE_CACHE_SKIP_PREFIXES)
    )


def _cacheable_response(response):
    if response.status_code not in CACHED_STATUSES or response.streaming or response.cookies:
        return False
    cache_control = response.get("Cache-Control", "")
    if "private" in cache_control or "no-store" in cache_control:
        return False
    return "'nonce-" not in response.get("Content-Security-Policy", "")


def page_key(request, version):
    """The full URL (scheme, host, path, query: pages print their own absolute address), the
    language and the data version."""
    language = get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    url = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    return f"portal:page:{version}:{language}:{url}"


class PageCacheMiddleware:
    """Serve anonymous public pages from the shared cache; store what is safe to share."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _cacheable_request(request):
            return self.get_response(request)
        key = page_key(request, data_version())
        stored = cache.get(key)
        if stored is not None:
            status, headers, content = stored
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if _cacheable_response(response):
            headers = [(name, response[name]) for name in STORED_HEADERS if name in response]
            cache.set(
                key,
                (response.status_code, headers, response.content),
                settings.PAGE_CACHE_SECONDS,
            )
            response["X-Page-Cache"] = "miss"
        return response
