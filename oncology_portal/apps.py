from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The site layer: pages and tools that show departments and trials together."""

    name = "oncology_portal"
    label = "portal"
    verbose_name = "Oncology Portal"

    def ready(self):
        # Every write to a department or trial record moves the page cache's data version.
        from .pagecache import connect_signals

        connect_signals()
