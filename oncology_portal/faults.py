"""When the database is down or hung: 503 with Retry-After and the friendly page, one log line.

What counts as "the database is unavailable": Django's ``OperationalError`` and
``InterfaceError`` — a refused or timed-out connection (``connect_timeout``), a statement
cancelled by ``statement_timeout``, a server that sent no reply within the backend's
``reply_timeout`` (oncology_portal/postgresql/), a closed connection, SQLite's "database is
locked" after its busy timeout or "unable to open database file".

Two places catch it:

- ``DatabaseFaultMiddleware.process_exception``: raised by a view or while rendering its
  template (nearly every case);
- ``server_error`` (``handler500`` in urls.py): raised by a middleware, e.g. the session or
  the user of a visitor with a session cookie. Every other exception gets Django's 500 page.

Either way the response is 503 with ``Retry-After`` and templates/503.html, rendered without
touching the database, and the log carries one line, no traceback::

    Database unavailable: GET /departments/ -> 503 (psycopg.OperationalError: connection
    failed: ... Connection refused)

Nothing is kept between requests: the next request tries the database again, so the portal
recovers by itself as soon as the database answers. Static files (WhiteNoise), /robots.txt,
/health/live/ and pages in the shared page cache never touch the database and keep being served.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.views import defaults

from .health import RETRY_AFTER_SECONDS

logger = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
TEMPLATE = "503.html"
MESSAGE_CHARS = 200
FALLBACK_PAGE = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
    "<title>Temporarily unavailable · Oncology Portal</title></head><body>"
    "<h1>Temporarily unavailable</h1><p>Please try again in a few minutes.</p></body></html>"
)


def is_database_unavailable(exc):
    return isinstance(exc, DATABASE_UNAVAILABLE)


def describe(exc):
    """The driver's error class and the first words of its message, on one line."""
    cause = exc.__cause__ if exc.__cause__ is not None else exc
    kind = f"{type(cause).__module__}.{type(cause).__qualname__}"
    message = " ".join(str(cause).split())
    if len(message) > MESSAGE_CHARS:
        message = message[: MESSAGE_CHARS - 1] + "…"
    return f"{kind}: {message}" if message else kind


def log_unavailable(request, exc):
    path = request.path.encode("unicode_escape").decode("ascii")  # no forged log lines
    logger.error(
        "Database unavailable: %s %s -> 503 (%s)",
        request.method,
        path,
        describe(exc),
        extra={"status_code": 503, "request": request},
    )


def _render(request):
    """The friendly page, rendered with no context processors (they may read the session or
    the user, which live in the database)."""
    try:
        return loader.get_template(TEMPLATE).render({"request": request})
    except Exception:  # the page must answer whatever else is broken
        return FALLBACK_PAGE


def unavailable_response(request, exc):
    """503 + Retry-After + the friendly page; logged here once (Django's own request log,
    which would add a second line, is told it has been)."""
    log_unavailable(request, exc)
    response = HttpResponse(_render(request), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    response._has_been_logged = True  # read by django.utils.log.log_response
    return response


class DatabaseFaultMiddleware:
    """A view (or its template) that finds the database unavailable answers 503."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_unavailable(exception):
            return unavailable_response(request, exception)
        return None


def server_error(request):
    """``handler500``: 503 when the uncaught exception is the database's, else Django's 500."""
    exc = sys.exc_info()[1]
    if is_database_unavailable(exc):
        return unavailable_response(request, exc)
    return defaults.server_error(request)
