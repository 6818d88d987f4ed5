"""Rank step in the database: which departments and trials come first for a cancer type.

The search page shows one page of departments and the first trials. Each cancer type's
candidates and their sort keys are kept ahead of time in the search index
(oncology_portal.models, kept current by oncology_portal.rankindex), so a page is one index
scan; `oncology_portal.search` then gathers the evidence and explains only those. The key is the
same as `search.place`'s:

    (band, offers an asked-for service first, more trials and activities first,
     distance of the closest listed type, strength of its relation, name, slug)
"""

from dataclasses import dataclass

from django.db import connection

from departments.dataversion import cached
from departments.models import Department, DepartmentCancerType, DepartmentService

from .models import DepartmentRank

# Bands, best first: one declaration for the SQL here and for `search.place`.
FOCUS = 1  # states its focus is exactly the type
LISTS = 2  # lists the type itself
BROADER = 3  # lists a broader type that includes it
NARROWER = 4  # lists a narrower type, a kind of it
TRIALS_ONLY = 5  # runs trials for the type (or a relative) without listing it
SERVICE_ONLY = 6  # offers the asked-for service and lists no cancer types at all

RELATION_RANK = {"primary_focus": 0, "treats": 1, "mdt": 1, "strength": 1, "research": 2}
NO_RELATION = 3  # ranks after every relation

BAND = 100_000  # link key = band * BAND + distance * 10 + relation rank
TRIALS_ONLY_KEY = TRIALS_ONLY * BAND
SERVICE_ONLY_KEY = SERVICE_ONLY * BAND


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


def _placeholders(values):
    return ", ".join(["%s"] * len(values))


ORDER = "band, {offer}score DESC, link_key, sort_name, slug"


def in_hospitals(column, hospital_ids):
    """An extra condition (" AND …", params): the department in `column` belongs to one of
    these hospitals; none when `hospital_ids` is None (no place or hospital named)."""
    if hospital_ids is None:
        return "", []
    ids = sorted(hospital_ids) or [0]  # a place no hospital is in: nothing matches
    return (
        f" AND {column} IN (SELECT id FROM {_table(Department)} "
        f"WHERE hospital_id IN ({_placeholders(ids)}))",
        ids,
    )


@dataclass(frozen=True)
class RankingSQL:
    """One cancer-type query's ranked candidates: the index's rows for the type and, when
    services are asked for, the departments offering one that list no cancer type at all."""

    sql: str
    params: list
    order: str = ORDER.format(offer="")
    # The type's candidates alone (no place, no service): their number moves only with the
    # data, so it is counted once per data version (departments.dataversion) under this key.
    count_key: str = ""

    @classmethod
    def build(cls, query, hospital_ids=None):
        """`hospital_ids` (a place or hospital named in the query): only their departments."""
        rank = _table(DepartmentRank)
        where, where_params = in_hospitals("department_id", hospital_ids)
        if not query.service_ids:
            return cls(
                "SELECT department_id AS id, band, score, link_key, sort_name, slug "
                f"FROM {rank} "
                f"WHERE cancer_type_id = %s{where}",
                [query.type_id, *where_params],
                count_key="" if where else f"department-rank-count:{query.type_id}",
            )
        services = list(query.service_ids)
        sql = (
            f"WITH offer AS (SELECT DISTINCT department_id AS id FROM "
            f"{_table(DepartmentService)} WHERE service_id IN ({_placeholders(services)})), "
            "candidate AS (SELECT department_id AS id, band, score, link_key, sort_name, slug "
            f"FROM {rank} WHERE cancer_type_id = %s UNION ALL "
            f"SELECT d.id, {SERVICE_ONLY}, 0, {SERVICE_ONLY_KEY}, LOWER(d.name), d.slug "
            f"FROM offer JOIN {_table(Department)} d ON d.id = offer.id WHERE NOT EXISTS "
            f"(SELECT 1 FROM {_table(DepartmentCancerType)} l WHERE l.department_id = offer.id) "
            f"AND NOT EXISTS (SELECT 1 FROM {rank} r WHERE r.cancer_type_id = %s "
            "AND r.department_id = offer.id)) "
            "SELECT candidate.id, band, CASE WHEN offer.id IS NULL THEN 1 ELSE 0 END AS offered, "
            "score, link_key, sort_name, slug FROM candidate "
            "LEFT JOIN offer ON offer.id = candidate.id"
        )
        if where:
            sql += f" WHERE 1 = 1{where.replace('department_id', 'candidate.id', 1)}"
        # Within a band, departments offering an asked-for service first.
        params = [*services, query.type_id, query.type_id, *where_params]
        return cls(sql, params, ORDER.format(offer="offered, "))

    def count(self):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({self.sql}) ranked", self.params)
            return cursor.fetchone()[0]

    def page(self, offset, limit):
        """Department ids of one page, best first, and how many candidates there are in all
        (0 when the page is past the end). The page walks the index in order and stops; the
        count is a separate scan of the index, computed once (or kept, see count_key)."""
        if self.count_key:
            sql = f"SELECT id FROM ({self.sql}) ranked ORDER BY {self.order} LIMIT %s OFFSET %s"
            with connection.cursor() as cursor:
                cursor.execute(sql, [*self.params, limit, offset])
                ids = [row[0] for row in cursor.fetchall()]
            return ids, cached(self.count_key, self.count) if ids else 0
        sql = (
            f"SELECT id, (SELECT COUNT(*) FROM ({self.sql}) counted) FROM ({self.sql}) ranked "
            f"ORDER BY {self.order} LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*self.params, *self.params, limit, offset])
            rows = cursor.fetchall()
        return [row[0] for row in rows], rows[0][1] if rows else 0


def service_page(service_id, service_ids, kind, offset, limit, hospital_ids=None):
    """One page of the departments offering a service or a narrower one: those offering the
    service itself first, then departments of the matching kind, then by name; rows of
    (id, name, slug, kind, band), and how many departments there are in all. With
    `hospital_ids`, only the departments of those hospitals."""
    services = _placeholders(service_ids)
    where, where_params = in_hospitals("department_id", hospital_ids)
    offering = f"FROM {_table(DepartmentService)} WHERE service_id IN ({services}){where}"
    sql = (
        f"SELECT d.id, d.name, d.slug, d.kind, r.band, "
        f"(SELECT COUNT(DISTINCT department_id) {offering}) FROM (SELECT department_id, "
        f"MIN(CASE WHEN service_id = %s THEN {FOCUS} ELSE {LISTS} END) AS band {offering} "
        f"GROUP BY department_id) r JOIN {_table(Department)} d ON d.id = r.department_id "
        "ORDER BY r.band, CASE WHEN %s <> '' AND d.kind = %s THEN 0 ELSE 1 END, "
        "LOWER(d.name), d.slug LIMIT %s OFFSET %s"
    )
    ids = list(service_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [*ids, *where_params, service_id, *ids, *where_params, kind, kind, limit, offset],
        )
        rows = cursor.fetchall()
    return [row[:5] for row in rows], rows[0][5] if rows else None
