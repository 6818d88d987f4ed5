from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The site layer: pages and tools that show departments and trials together."""

    name = "oncology_portal"
    label = "portal"
    verbose_name = "Oncology Portal"
