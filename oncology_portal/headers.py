"""Response headers that Django's SecurityMiddleware does not set."""

from django.conf import settings


class SecurityHeadersMiddleware:
    """Permissions-Policy (no camera, microphone, geolocation… for a directory that needs none)
    and Cross-Origin-Resource-Policy on every response, static files and cached pages included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.headers.setdefault(
            "Cross-Origin-Resource-Policy", settings.CROSS_ORIGIN_RESOURCE_POLICY
        )
        return response
