from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The site layer: pages and tools that show departments and trials together."""

    name = "oncology_portal"
    label = "portal"
    verbose_name = "Oncology Portal"

    def ready(self):
        # Every write to a department or trial record moves the page cache's data version.
        from . import pagecache, rankindex

        pagecache.connect_signals()
        # Every write that can change a search ranking rebuilds the search index's rows for it.
        rankindex.connect_signals()
