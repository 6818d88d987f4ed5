from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The read-only open-data API under /api/v1/ (JSON, CSV, NDJSON; OpenAPI documented)."""

    name = "api"
    label = "api"
    verbose_name = "Open data API"
