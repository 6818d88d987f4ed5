"""Rank step in the database: which departments and trials come first for a cancer type.

The search page shows one page of departments and the first trials; ranking every matching
department in Python would load tens of thousands of rows at national scale. Here the database
computes each candidate's sort key with grouped queries (one row per department, no objects)
and returns one page of ids; `oncology_portal.search` then gathers the evidence and explains
only those. The SQL key is the same as `search.place`'s:

    (band, offers an asked-for service first, more trials and activities first,
     distance of the closest listed type, strength of its relation, name, slug)
"""

from dataclasses import dataclass

from django.db import connection

from departments.models import Department, DepartmentCancerType, DepartmentService
from trials.models import Trial, TrialActivity, TrialSite

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


@dataclass(frozen=True)
class RankingSQL:
    """The candidates' CTEs and their parameters for one cancer-type query."""

    ctes: str
    params: list

    @classmethod
    def build(cls, query):
        expansion = query.expansion
        ids = sorted(expansion.ids)
        type_id = expansion.type_id
        params = []
        # The closest link of each department: band, then distance, then relation rank.
        band = (
            "CASE WHEN cancer_type_id = %s AND relation = 'primary_focus' THEN %s "
            "WHEN cancer_type_id = %s THEN %s "
            f"WHEN cancer_type_id IN ({_placeholders(expansion.broader) or 'NULL'}) THEN %s "
            "ELSE %s END"
        )
        params += [type_id, FOCUS, type_id, LISTS, *expansion.broader, BROADER, NARROWER]
        distance = (
            "CASE cancer_type_id "
            + " ".join("WHEN %s THEN %s" for _ in expansion.distance)
            + " END"
        )
        for cid, steps in sorted(expansion.distance.items()):
            params += [cid, steps]
        rank = (
            "CASE relation " + " ".join("WHEN %s THEN %s" for _ in RELATION_RANK) + " ELSE %s END"
        )
        for relation, value in RELATION_RANK.items():
            params += [relation, value]
        params.append(NO_RELATION)
        in_ids = _placeholders(ids)
        link = (
            f"SELECT department_id AS id, MIN(({band}) * {BAND} + ({distance}) * 10 + ({rank})) "
            f"AS k FROM {_table(DepartmentCancerType)} WHERE cancer_type_id IN ({in_ids}) "
            "GROUP BY department_id"
        )
        params += ids
        trial_types = _table(Trial.cancer_types.through)
        run = (
            # A department takes part in a trial once (trialsite_unique): no DISTINCT needed.
            # From the type's trials to their sites, so the site table is read by its index.
            f"SELECT s.department_id AS id, COUNT(*) AS n FROM (SELECT DISTINCT trial_id FROM "
            f"{trial_types} WHERE cancertype_id IN ({in_ids})) t JOIN {_table(TrialSite)} s "
            "ON s.trial_id = t.trial_id GROUP BY s.department_id"
        )
        params += ids
        activity_types = _table(TrialActivity.cancer_types.through)
        act = (
            f"SELECT department_id AS id, COUNT(*) AS n FROM {_table(TrialActivity)} "
            f"WHERE id IN (SELECT trialactivity_id FROM {activity_types} "
            f"WHERE cancertype_id IN ({in_ids})) GROUP BY department_id"
        )
        params += ids
        ctes = [f"link AS ({link})", f"run AS ({run})", f"act AS ({act})"]
        candidates = "SELECT id FROM link UNION SELECT id FROM run UNION SELECT id FROM act"
        if query.service_ids:
            services = _placeholders(query.service_ids)
            ctes.append(
                f"offer AS (SELECT DISTINCT department_id AS id FROM "
                f"{_table(DepartmentService)} WHERE service_id IN ({services}))"
            )
            params += list(query.service_ids)
            candidates += (
                " UNION SELECT id FROM offer WHERE NOT EXISTS (SELECT 1 FROM "
                f"{_table(DepartmentCancerType)} l WHERE l.department_id = offer.id)"
            )
        else:
            ctes.append(f"offer AS (SELECT id FROM {_table(Department)} WHERE 1 = 0)")
        ctes.append(f"candidate AS ({candidates})")
        return cls("WITH " + ", ".join(ctes), params)

    def count(self):
        with connection.cursor() as cursor:
            cursor.execute(f"{self.ctes} SELECT COUNT(*) FROM candidate", self.params)
            return cursor.fetchone()[0]

    def page(self, offset, limit):
        """Department ids of one page, best first, and how many candidates there are in all
        (0 when the page is past the end)."""
        score = "COALESCE(run.n, 0) + COALESCE(act.n, 0)"
        key = (
            f"COALESCE(link.k, CASE WHEN {score} > 0 THEN {TRIALS_ONLY_KEY} "
            f"ELSE {SERVICE_ONLY_KEY} END)"
        )
        sql = (
            f"{self.ctes} SELECT d.id, COUNT(*) OVER () FROM candidate "
            f"JOIN {_table(Department)} d ON d.id = candidate.id "
            "LEFT JOIN link ON link.id = d.id LEFT JOIN run ON run.id = d.id "
            "LEFT JOIN act ON act.id = d.id LEFT JOIN offer ON offer.id = d.id "
            f"ORDER BY {key} / {BAND}, CASE WHEN offer.id IS NULL THEN 1 ELSE 0 END, "
            f"{score} DESC, {key}, LOWER(d.name), d.slug LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*self.params, limit, offset])
            rows = cursor.fetchall()
        return [row[0] for row in rows], rows[0][1] if rows else 0
