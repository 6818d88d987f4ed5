"""The search fallback's full-text index: present and used on PostgreSQL, absent on SQLite."""

import pytest
from django.db import connection

from departments.models import Department

pytestmark = pytest.mark.django_db


def test_department_full_text_index_exists_where_the_database_supports_it():
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, Department._meta.db_table)
    assert ("department_search_gin" in indexes) == (connection.vendor == "postgresql")


def test_full_text_fallback_query_can_use_the_index():
    """On PostgreSQL the planner picks the GIN index for the fallback's query."""
    if connection.vendor != "postgresql":
        assert "department_search_gin" not in str(Department._meta.indexes)
        return
    from django.contrib.postgres.search import SearchQuery, SearchVector

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = (
        Department.objects.annotate(
            search=SearchVector("name", "summary", "description", config="english")
        )
        .filter(search=SearchQuery("chemotherapy", config="english"))
        .values("pk")
        .explain()
    )
    assert "department_search_gin" in plan
