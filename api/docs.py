"""The docs page: Swagger UI from the portal's own static files (drf-spectacular-sidecar), under
the strict CSP — no inline script or style: the page loads its settings script from the same
view (`?script`) and its few page styles from static/api/docs.css."""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny


class SchemaView(SpectacularAPIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []


class DocsView(SpectacularSwaggerSplitView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    template_name = "api/docs.html"
    title = "Oncology Portal open data API"
    url_name = "api:schema"


__all__ = ["DocsView", "SchemaView"]
