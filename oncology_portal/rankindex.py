"""Keeps the search index (oncology_portal.models) equal to the records it is derived from.

Every write that can change a ranking rebuilds the rows of the departments and trials it
touches, at once and in the same transaction, so a search right after a save (admin, import,
revert, a script) already ranks by it. Bulk writers (the loader, the generator) batch their
writes with `deferred()` and rebuild once. A change to the cancer-type tree itself rebuilds
everything: it moves every type's branch.

The rows come from one SQL statement per table, run for all records or for a few: the tree's
closure gives each asked-for type its branch (the type, its broader and narrower types, with
their distance), exactly as `departments.search.expand` does in Python.
"""

import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from departments.models import CancerType, Department, DepartmentCancerType
from trials.models import Trial, TrialActivity, TrialSite

from .models import DepartmentRank, TrialRank
from .ranking import BAND, BROADER, FOCUS, LISTS, NARROWER, NO_RELATION, RELATION_RANK, TRIALS_ONLY

# Above this many records, one full rebuild is cheaper than rebuilding them one set at a time.
FULL_REBUILD_OVER = 500
NEAREST = 100_000_000  # trial rows: distance * NEAREST + cancer type id, smallest first


def _t(model):
    return connection.ops.quote_name(model._meta.db_table)


def _branches(type_ids=None):
    """CTEs `closure` (ancestor, descendant, steps; each type is its own at 0 steps) and
    `branch` (asked-for type q, member type m, distance n, kind: 0 itself, 1 broader,
    2 narrower), for every asked-for type or those given; and their parameters."""
    types = _t(CancerType)
    only, params = _only("q", type_ids)
    return (
        f"closure(anc, des, n) AS (SELECT id, id, 0 FROM {types} UNION ALL "
        f"SELECT c.anc, t.id, c.n + 1 FROM closure c JOIN {types} t ON t.parent_id = c.des), "
        "branch(q, m, n, kind) AS (SELECT * FROM (SELECT des AS q, anc AS m, n, "
        "CASE WHEN n = 0 THEN 0 ELSE 1 END AS kind FROM closure UNION ALL "
        f"SELECT anc, des, n, 2 FROM closure WHERE n > 0) branches WHERE 1 = 1{only})"
    ), params


def _only(column, ids):
    if ids is None:
        return "", []
    return f" AND {column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def _insert_departments(department_ids=None, type_ids=None):
    links = _t(DepartmentCancerType)
    trial_types = _t(Trial.cancer_types.through)
    activity_types = _t(TrialActivity.cancer_types.through)
    branches, params = _branches(type_ids)
    params += [DepartmentCancerType.Relation.PRIMARY_FOCUS, FOCUS, LISTS, BROADER, NARROWER]
    relation = "CASE l.relation " + "WHEN %s THEN %s " * len(RELATION_RANK) + "ELSE %s END"
    for name, rank in RELATION_RANK.items():
        params += [name, rank]
    params.append(NO_RELATION)
    only_links, p = _only("l.department_id", department_ids)
    params += p
    only_trials, p = "", []
    if department_ids is not None:
        only_trials = (
            f" AND tc.trial_id IN (SELECT trial_id FROM {_t(TrialSite)} "
            f"WHERE department_id IN ({', '.join(['%s'] * len(department_ids))}))"
        )
        p = list(department_ids)
    params += p
    only_sites, p = _only("s.department_id", department_ids)
    params += p
    only_activities, p = _only("a.department_id", department_ids)
    params += p
    sql = (
        f"WITH RECURSIVE {branches}, "
        # The closest link: band, then distance, then the relation's rank (ranking.BAND).
        "link AS (SELECT b.q AS t, l.department_id AS d, MIN((CASE WHEN b.kind = 0 AND "
        "l.relation = %s THEN %s WHEN b.kind = 0 THEN %s WHEN b.kind = 1 THEN %s "
        f"ELSE %s END) * {BAND} + b.n * 10 + ({relation})) AS k "
        f"FROM branch b JOIN {links} l ON l.cancer_type_id = b.m WHERE 1 = 1{only_links} "
        "GROUP BY b.q, l.department_id), "
        # Each trial once per asked-for type, then its sites: a department takes part in a trial
        # once (trialsite_unique), so COUNT(*) counts trials.
        "run AS (SELECT tq.q AS t, s.department_id AS d, COUNT(*) AS n FROM "
        f"(SELECT DISTINCT b.q, tc.trial_id FROM branch b JOIN {trial_types} tc "
        f"ON tc.cancertype_id = b.m WHERE 1 = 1{only_trials}) tq "
        f"JOIN {_t(TrialSite)} s ON s.trial_id = tq.trial_id WHERE 1 = 1{only_sites} "
        "GROUP BY tq.q, s.department_id), "
        "act AS (SELECT b.q AS t, a.department_id AS d, COUNT(DISTINCT a.id) AS n "
        f"FROM branch b JOIN {activity_types} at ON at.cancertype_id = b.m "
        f"JOIN {_t(TrialActivity)} a ON a.id = at.trialactivity_id WHERE 1 = 1{only_activities} "
        "GROUP BY b.q, a.department_id), "
        # One row per (type, department): the closest link, the trials, the activities.
        "part AS (SELECT t, d, k, 0 AS rn, 0 AS an FROM link UNION ALL "
        "SELECT t, d, NULL, n, 0 FROM run UNION ALL SELECT t, d, NULL, 0, n FROM act), "
        "candidate AS (SELECT t, d, MIN(k) AS k, SUM(rn) + SUM(an) AS score FROM part "
        "GROUP BY t, d) "
        f"INSERT INTO {_t(DepartmentRank)} "
        "(cancer_type_id, department_id, band, score, link_key, sort_name, slug) "
        f"SELECT c.t, c.d, COALESCE(c.k / {BAND}, {TRIALS_ONLY}), c.score, "
        f"COALESCE(c.k, {TRIALS_ONLY * BAND}), LOWER(dep.name), dep.slug FROM candidate c "
        f"JOIN {_t(Department)} dep ON dep.id = c.d "
        # One type's rows together on disk, as a page reads them.
        "ORDER BY c.t"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _insert_trials(trial_ids=None, type_ids=None):
    trial_types = _t(Trial.cancer_types.through)
    branches, params = _branches(type_ids)
    only, p = _only("tc.trial_id", trial_ids)
    params += p
    sql = (
        f"WITH RECURSIVE {branches}, "
        # Per asked-for type and trial: does it list the type itself, and its nearest member
        # (smallest distance, then smallest id), whose kind decides the group.
        "near AS (SELECT b.q AS t, tc.trial_id AS tr, "
        "MIN(CASE WHEN b.kind = 0 THEN 0 ELSE 1 END) AS own, "
        f"MIN(CAST(b.n AS BIGINT) * {NEAREST} + b.m) AS code "
        f"FROM branch b JOIN {trial_types} tc ON tc.cancertype_id = b.m WHERE 1 = 1{only} "
        "GROUP BY b.q, tc.trial_id) "
        f'INSERT INTO {_t(TrialRank)} (cancer_type_id, trial_id, "group", name) '
        "SELECT near.t, near.tr, CASE WHEN near.own = 0 THEN 0 WHEN b.kind = 2 THEN 1 ELSE 2 END, "
        f"tr.name FROM near JOIN {_t(Trial)} tr ON tr.id = near.tr "
        f"JOIN branch b ON b.q = near.t AND b.m = near.code - (near.code / {NEAREST}) * {NEAREST} "
        "ORDER BY near.t"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def rebuild_departments(department_ids):
    ids = sorted(set(department_ids) - _state.vanishing_departments)
    if not ids:
        return
    with transaction.atomic():
        DepartmentRank.objects.filter(department__in=ids).delete()
        _insert_departments(ids)


def rebuild_trials(trial_ids):
    ids = sorted(set(trial_ids) - _state.vanishing_trials)
    if not ids:
        return
    with transaction.atomic():
        TrialRank.objects.filter(trial__in=ids).delete()
        _insert_trials(ids)


def rebuild_types(type_ids):
    """The rows of these asked-for types (their branch of the tree changed)."""
    ids = sorted(set(type_ids))
    if not ids:
        return
    with transaction.atomic():
        DepartmentRank.objects.filter(cancer_type__in=ids).delete()
        TrialRank.objects.filter(cancer_type__in=ids).delete()
        _insert_departments(type_ids=ids)
        _insert_trials(type_ids=ids)


def rebuild_all():
    """Every row again, from the records (the loader, the generator, a tree change)."""
    with transaction.atomic():
        for model in (DepartmentRank, TrialRank):
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    # Millions of rows at national scale: aggregate in memory, not on disk.
                    cursor.execute("SET LOCAL work_mem = '256MB'")
                    cursor.execute(f"TRUNCATE {_t(model)}")
            else:
                model.objects.all().delete()
        _insert_departments()
        _insert_trials()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {_t(DepartmentRank)}, {_t(TrialRank)}")


# --- keeping it current -------------------------------------------------------------------------


@dataclass
class _Touched:
    departments: set = field(default_factory=set)
    trials: set = field(default_factory=set)
    types: set = field(default_factory=set)  # asked-for types whose branch changed
    everything: bool = False

    def rebuild(self):
        if self.everything or len(self.departments) + len(self.trials) > FULL_REBUILD_OVER:
            rebuild_all()
            return
        rebuild_types(self.types)
        rebuild_departments(self.departments)
        rebuild_trials(self.trials)


class _State(threading.local):
    def __init__(self):
        self.batch = None  # a _Touched while deferred
        self.vanishing_departments = set()  # being deleted: their rows go with them
        self.vanishing_trials = set()


_state = _State()


@contextmanager
def deferred(*, everything=False):
    """Collect what the writes inside touch and rebuild once at the end (bulk writers);
    `everything` rebuilds every row (writers that also bulk-create, sending no signals)."""
    if _state.batch is not None:  # nested: the outermost one rebuilds
        yield
        return
    _state.batch = batch = _Touched(everything=everything)
    try:
        yield
    finally:
        _state.batch = None
    batch.rebuild()


def _touch(departments=(), trials=(), types=(), everything=False):
    touched = _state.batch or _Touched()
    touched.departments.update(departments)
    touched.trials.update(trials)
    touched.types.update(types)
    touched.everything |= everything
    if _state.batch is None:
        touched.rebuild()


def _departments_of_trials(trial_ids):
    return TrialSite.objects.filter(trial__in=trial_ids).values_list("department_id", flat=True)


def _on_department_child(sender, instance, **kwargs):
    # A row that moved to another department leaves its old one too (see _remember_department).
    old = getattr(instance, "_rank_old_department_id", None)
    _touch(departments={instance.department_id} | ({old} if old else set()))


def _remember_department(sender, instance, **kwargs):
    if instance.pk is None:
        return
    old = sender.objects.filter(pk=instance.pk).values_list("department_id", flat=True).first()
    instance._rank_old_department_id = old if old != instance.department_id else None


def _on_department(sender, instance, **kwargs):
    _touch(departments={instance.pk})  # its name and slug are in its rows


def _on_trial(sender, instance, **kwargs):
    _touch(trials={instance.pk})  # its name is in its rows


def _on_trial_types(sender, instance, action, reverse, model, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:  # from a cancer type's side: pk_set holds trials (all of them on clear)
        trials = set(pk_set or ()) or None
        if trials is None:
            _touch(everything=True)
            return
    else:
        trials = {instance.pk}
    _touch(departments=set(_departments_of_trials(trials)), trials=trials)


def _on_activity_types(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:
        activities = TrialActivity.objects.filter(pk__in=pk_set) if pk_set else None
        if activities is None:
            _touch(everything=True)
            return
        _touch(departments=set(activities.values_list("department_id", flat=True)))
    else:
        _touch(departments={instance.department_id})


def _relatives(type_id):
    """The type, its ancestors and its descendants: the types whose branch holds it."""
    parents = dict(CancerType.objects.values_list("pk", "parent_id"))
    children = {}
    for pk, parent in parents.items():
        children.setdefault(parent, []).append(pk)
    found, node = {type_id}, parents.get(type_id)
    while node is not None and node not in found:
        found.add(node)
        node = parents.get(node)
    stack = [type_id]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def _before_tree_change(sender, instance, **kwargs):
    if instance.pk is not None:
        instance._rank_relatives = _relatives(instance.pk)


def _on_tree(sender, instance, **kwargs):
    """A type moved in the tree or left it: the branches that held it, before and after."""
    before = getattr(instance, "_rank_relatives", set())
    after = set() if kwargs["signal"] is post_delete else _relatives(instance.pk)
    if kwargs.get("created"):
        return  # a new type: nothing lists it yet
    if before != after:
        _touch(types=(before | after) - ({instance.pk} if not after else set()))


def _vanishing(kind):
    def mark(sender, instance, **kwargs):
        getattr(_state, kind).add(instance.pk)

    def unmark(sender, instance, **kwargs):
        getattr(_state, kind).discard(instance.pk)

    return mark, unmark


_MARK_DEPARTMENT, _UNMARK_DEPARTMENT = _vanishing("vanishing_departments")
_MARK_TRIAL, _UNMARK_TRIAL = _vanishing("vanishing_trials")


def connect_signals():
    uid = "rankindex-"
    for model in (DepartmentCancerType, TrialSite, TrialActivity):
        pre_save.connect(_remember_department, sender=model, dispatch_uid=f"{uid}pre-{model}")
        for signal in (post_save, post_delete):
            signal.connect(_on_department_child, sender=model, dispatch_uid=f"{uid}{model}")
    post_save.connect(_on_department, sender=Department, dispatch_uid=f"{uid}department")
    post_save.connect(_on_trial, sender=Trial, dispatch_uid=f"{uid}trial")
    m2m_changed.connect(
        _on_trial_types, sender=Trial.cancer_types.through, dispatch_uid=f"{uid}trial-types"
    )
    m2m_changed.connect(
        _on_activity_types,
        sender=TrialActivity.cancer_types.through,
        dispatch_uid=f"{uid}activity-types",
    )
    pre_save.connect(_before_tree_change, sender=CancerType, dispatch_uid=f"{uid}tree-pre")
    pre_delete.connect(_before_tree_change, sender=CancerType, dispatch_uid=f"{uid}tree-pre-del")
    post_save.connect(_on_tree, sender=CancerType, dispatch_uid=f"{uid}tree")
    post_delete.connect(_on_tree, sender=CancerType, dispatch_uid=f"{uid}tree-delete")
    pre_delete.connect(_MARK_DEPARTMENT, sender=Department, dispatch_uid=f"{uid}dep-pre-del")
    post_delete.connect(_UNMARK_DEPARTMENT, sender=Department, dispatch_uid=f"{uid}dep-del")
    pre_delete.connect(_MARK_TRIAL, sender=Trial, dispatch_uid=f"{uid}trial-pre-del")
    post_delete.connect(_UNMARK_TRIAL, sender=Trial, dispatch_uid=f"{uid}trial-del")
