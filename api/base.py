"""What every API view shares: anonymous read-only access, a throttle, strict formats, errors
as JSON with a message, and conditional GET (ETag / Last-Modified from the data version).
"""

import hashlib

from django.conf import settings
from django.http import Http404, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView, exception_handler

from departments.dataversion import cached, data_version

API_VERSION = "1.0"
FORMATS = ("json", "csv", "ndjson")


def data_as_of():
    """When the current data version was first served: it moves with every write (no earlier
    than the write), so it is a safe Last-Modified for everything the API returns."""
    return cached("api-data-as-of", lambda: timezone.now().replace(microsecond=0))


class PortalAnonThrottle(AnonRateThrottle):
    """Per client address, counted in the shared cache; the rate is a setting
    (PORTAL_API_THROTTLE_RATE), read on each request."""

    def get_rate(self):
        return settings.PORTAL_API_THROTTLE_RATE


class StrictContentNegotiation(DefaultContentNegotiation):
    """An unknown `format` is a 400 naming the formats this endpoint has (DRF says 404)."""

    def filter_renderers(self, renderers, format):
        try:
            return super().filter_renderers(renderers, format)
        except Http404:
            offered = ", ".join(renderer.format for renderer in renderers)
            raise exceptions.ValidationError(
                {"format": [f"Unknown format “{str(format)[:20]}”: use one of {offered}."]}
            ) from None


class NotModified(Exception):
    def __init__(self, response):
        self.response = response


def api_exception_handler(exc, context):
    """`{"detail": "…", "errors": {"parameter": ["…"]}}` for every error."""
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        errors = {
            key: [str(m) for m in (v if isinstance(v, list) else [v])] for key, v in errors.items()
        }
        detail = " ".join(message for messages in errors.values() for message in messages)
        response.data = {"detail": detail, "errors": errors}
    elif not (isinstance(data, dict) and "detail" in data):
        response.data = {"detail": str(data)}
    return response


class ApiView(APIView):
    """Read-only, anonymous, throttled; JSON unless a list view offers more formats."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [PortalAnonThrottle]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = StrictContentNegotiation
    http_method_names = ["get", "head", "options"]

    def get_exception_handler(self):
        return api_exception_handler

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.etag, self.last_modified = self.validators(request)
        response = get_conditional_response(
            request, etag=self.etag, last_modified=self.last_modified.timestamp()
        )
        if response is not None:
            raise NotModified(response)

    def validators(self, request):
        """(ETag, Last-Modified): the data version and everything that selects the response."""
        selected = "\n".join(
            [
                data_version(),
                request.get_full_path(),
                request.accepted_media_type or "",
                request.META.get("HTTP_ACCEPT", ""),
            ]
        )
        return quote_etag(hashlib.sha256(selected.encode()).hexdigest()[:32]), data_as_of()

    def handle_exception(self, exc):
        if isinstance(exc, NotModified):
            response = exc.response
            if isinstance(response, HttpResponseNotModified):
                self._validator_headers(response)
            return response
        # Errors are JSON whatever format was asked for.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 200 and getattr(self, "etag", None):
            self._validator_headers(response)
        response.headers.setdefault("Cache-Control", "public, max-age=0, must-revalidate")
        # Open data: other sites may fetch it (CORS) and embed it; the site's pages stay
        # same-origin (oncology_portal/headers.py only sets what a response has not).
        response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
        return response

    def _validator_headers(self, response):
        response["ETag"] = self.etag
        response["Last-Modified"] = http_date(self.last_modified.timestamp())
