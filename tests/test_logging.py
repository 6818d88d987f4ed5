"""What the log says about requests (settings.LOGGING, oncology_portal/logfilters.py).

- A 404 is not a warning: logged at INFO (kept when the level asks for INFO, else dropped).
- A 403 is logged at WARNING with its path, without a traceback.
- A server error is written once, with the request path and its traceback, debug on or off.
"""

import io
import logging

import pytest
from django.urls import path

from departments.models import Hospital
from oncology_portal.urls import urlpatterns as portal_urlpatterns

from .helpers import admin_url

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("a bug in a view")


# A URLconf for the server-error test: the portal's URLs plus one view that fails.
urlpatterns = [path("test-logging/boom/", _boom), *portal_urlpatterns]


def request_records(caplog, level=logging.DEBUG):
    return [r for r in caplog.records if r.name == "django.request" and r.levelno >= level]


def test_a_404_is_not_logged_at_warning(client, portal_data, caplog):
    response = client.get("/departments/no-such-department/")
    assert response.status_code == 404
    assert request_records(caplog, logging.WARNING) == []
    assert request_records(caplog) == []  # below the configured level (WARNING): dropped


def test_a_404_is_logged_at_info_when_info_is_asked_for(client, portal_data, caplog):
    with caplog.at_level(logging.INFO, logger="django.request"):
        assert client.get("/departments/no-such-department/").status_code == 404
    (record,) = request_records(caplog)
    assert record.levelno == logging.INFO
    assert record.getMessage() == "Not Found: /departments/no-such-department/"


def test_a_403_is_logged_without_a_traceback(editor_client, caplog):
    """An editor may not add hospitals: PermissionDenied, which Django logs with its traceback."""
    url = admin_url(Hospital, "add")
    response = editor_client.get(url)
    assert response.status_code == 403
    (record,) = request_records(caplog)
    assert record.levelno == logging.WARNING
    assert record.getMessage() == f"Forbidden (Permission denied): {url}"
    assert record.exc_info is None
    assert "Traceback" not in logging.getLogger().handlers[0].format(record)


def handlers_on_the_way(name):
    """Every handler a record of logger `name` reaches (pytest's own capture aside)."""
    handlers, logger = [], logging.getLogger(name)
    while logger is not None:
        handlers += [h for h in logger.handlers if type(h).__module__ != "_pytest.logging"]
        logger = logger.parent if logger.propagate else None
    return handlers


@pytest.fixture
def request_log_output():
    """What the configured handlers write for django.request, into one buffer."""
    buffer = io.StringIO()
    streams = [h for h in handlers_on_the_way("django.request") if hasattr(h, "setStream")]
    saved = [h.setStream(buffer) for h in streams]
    yield buffer
    for handler, stream in zip(streams, saved, strict=True):
        handler.setStream(stream)


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("debug", [False, True])
def test_a_server_error_is_written_once_with_its_path_and_traceback(
    client, settings, request_log_output, debug
):
    """Django's own "django" console handler (debug only) would write it a second time."""
    settings.DEBUG = debug
    client.raise_request_exception = False
    response = client.get("/test-logging/boom/")
    assert response.status_code == 500
    written = request_log_output.getvalue()
    assert written.count("Internal Server Error: /test-logging/boom/") == 1
    assert written.count("RuntimeError: a bug in a view") == 1
    assert "ERROR django.request" in written
    assert "Traceback (most recent call last)" in written


def test_the_request_log_reaches_one_handler():
    (handler,) = handlers_on_the_way("django.request")
    assert isinstance(handler, logging.StreamHandler)
