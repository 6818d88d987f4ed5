"""Full-text search index for the search page's fallback — PostgreSQL only.

The expression matches the one departments/search/results.py queries with
(SearchVector("name", "summary", "description", config="english")), so the planner uses it.
SQLite has no such index type; there the fallback is a plain icontains match.
"""

from django.db import migrations

INDEX_NAME = "department_search_gin"


def _index():
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    return GinIndex(
        SearchVector("name", "summary", "description", config="english"), name=INDEX_NAME
    )


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.add_index(apps.get_model("departments", "Department"), _index())


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.remove_index(apps.get_model("departments", "Department"), _index())


class Migration(migrations.Migration):
    dependencies = [("departments", "0003_roles_groups")]

    operations = [migrations.RunPython(create_index, drop_index)]
