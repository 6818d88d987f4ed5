from django.apps import AppConfig


class DepartmentsConfig(AppConfig):
    name = "departments"
    verbose_name = "Departments and vocabulary"

    def ready(self):
        # Search: rebuild the cached, compiled vocabulary when a term or alias changes.
        from .search.vocabulary import connect_signals

        connect_signals()

        # The department's own sections (other apps register theirs in their ready()).
        from . import sections  # noqa: F401
