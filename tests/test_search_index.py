"""The search index (oncology_portal.models, rankindex.py): the same ranking as the evidence
gives in Python, and kept equal to a full rebuild by every kind of write."""

import pytest

from departments.models import (
    CancerType,
    Department,
    DepartmentCancerType,
    DepartmentService,
    Hospital,
    Source,
)
from departments.search.expand import expand
from departments.search.vocabulary import get_vocabulary
from oncology_portal import rankindex
from oncology_portal.models import DepartmentRank, TrialRank
from oncology_portal.ranking import SERVICE_ONLY, RankingSQL
from oncology_portal.search import MAX_TRIALS, CancerTypeQuery, gather, place, rank_trials
from trials.models import Trial, TrialActivity, TrialSite

from .helpers import make_bulk_data


def _query(type_id, services=()):
    vocab = get_vocabulary()
    return CancerTypeQuery(vocab, expand(vocab, type_id), tuple(services))


def _python_ranking(query):
    """Every department with evidence for the query, ordered by `search.place`'s key."""
    evidence = gather(query, list(Department.objects.values_list("pk", flat=True)))
    placed = []
    for candidate in evidence.candidates.values():
        placement = place(candidate)
        if placement is not None:
            placed.append((placement.sort_key, candidate.id))
    return [dep_id for _, dep_id in sorted(placed)]


def _snapshot():
    return {
        "departments": sorted(
            DepartmentRank.objects.values_list(
                "cancer_type", "department", "band", "score", "link_key", "sort_name", "slug"
            )
        ),
        "trials": sorted(TrialRank.objects.values_list("cancer_type", "trial", "group", "name")),
    }


def _assert_equal_to_full_rebuild():
    incremental = _snapshot()
    rankindex.rebuild_all()
    assert incremental == _snapshot()


@pytest.mark.django_db
def test_every_type_ranks_as_the_evidence_does(portal_data):
    make_bulk_data(40)
    assert DepartmentRank.objects.exists() and TrialRank.objects.exists()
    checked = 0
    for type_id in CancerType.objects.values_list("pk", flat=True):
        query = _query(type_id)
        expected = _python_ranking(query)
        ids, total = RankingSQL.build(query).page(0, 10_000)
        assert ids == expected, CancerType.objects.get(pk=type_id).slug
        assert total == len(expected)
        checked += bool(expected)
    assert checked > 10  # many types really had candidates


@pytest.mark.django_db
def test_a_service_lifts_departments_within_their_band(portal_data):
    departments, _ = make_bulk_data(60)
    listing = set(DepartmentCancerType.objects.values_list("department_id", flat=True))
    offering = DepartmentService.objects.filter(department=departments[0]).first()
    # A department that lists no cancer type but offers the service: admitted, last.
    service_only = Department.objects.create(
        hospital=departments[0].hospital, name="Aaa offers only", slug="aaa-offers-only"
    )
    DepartmentService.objects.create(department=service_only, service=offering.service)
    type_id = DepartmentCancerType.objects.get(department=departments[0]).cancer_type_id
    query = _query(type_id, services=[offering.service_id])

    evidence = gather(query, list(Department.objects.values_list("pk", flat=True)))
    expected = sorted(
        (placement.sort_key, candidate.id)
        for candidate in evidence.candidates.values()
        if (placement := place(candidate)) is not None
        and (placement.band != SERVICE_ONLY or candidate.id not in listing)
    )
    ids, total = RankingSQL.build(query).page(0, 10_000)
    assert ids == [dep_id for _, dep_id in expected]
    assert total == len(ids)
    assert ids[-1] == service_only.pk
    offered = [evidence.candidates[dep_id].services != frozenset() for dep_id in ids]
    assert any(offered) and not all(offered)  # the key really told them apart


@pytest.mark.django_db
def test_trials_rank_own_type_first_then_narrower_then_broader(portal_data):
    make_bulk_data(60)
    groups_seen = set()
    for type_id in CancerType.objects.values_list("pk", flat=True):
        query = _query(type_id)
        expansion = query.expansion
        matching = Trial.objects.filter(cancer_types__in=expansion.ids).distinct()

        def group(trial, expansion=expansion):
            types = {c.pk for c in trial.cancer_types.all()}
            if expansion.type_id in types:
                return 0
            nearest = min(types & expansion.ids, key=lambda cid: (expansion.distance[cid], cid))
            return 1 if nearest in expansion.narrower else 2

        expected = sorted(
            matching.prefetch_related("cancer_types"), key=lambda t: (group(t), t.name, t.pk)
        )
        hits, count = rank_trials(query)
        assert count == len(expected)
        assert [hit.trial.pk for hit in hits] == [t.pk for t in expected[:MAX_TRIALS]]
        groups_seen |= {group(t) for t in expected}
    assert groups_seen == {0, 1, 2}  # each group really occurred


@pytest.mark.django_db
def test_every_kind_of_write_keeps_the_index_equal_to_a_full_rebuild(portal_data):
    departments, trials = make_bulk_data(5)
    liver = CancerType.objects.get(slug="liver-cancer")
    hcc = CancerType.objects.get(slug="hepatocellular-carcinoma")
    breast = CancerType.objects.get(slug="breast-cancer")
    source = Source.objects.first()
    department = Department.objects.get(slug="fahzu-medical-oncology-3")
    before = _snapshot()

    # A department lists a type, changes its relation, stops listing it.
    link = DepartmentCancerType.objects.create(
        department=departments[0], cancer_type=breast, relation="primary_focus", source=source
    )
    assert _snapshot() != before
    _assert_equal_to_full_rebuild()
    link.relation = "research"
    link.save()
    _assert_equal_to_full_rebuild()
    link.delete()
    _assert_equal_to_full_rebuild()

    # A trial gains a site, changes its types (from either side), is renamed, moves its site.
    trial = trials[0]
    site = TrialSite.objects.create(trial=trial, department=department, source=source)
    _assert_equal_to_full_rebuild()
    trial.cancer_types.set([hcc, breast])
    _assert_equal_to_full_rebuild()
    breast.trials.remove(trial)
    _assert_equal_to_full_rebuild()
    trial.cancer_types.clear()
    _assert_equal_to_full_rebuild()
    trial.cancer_types.add(liver)
    trial.name = "Renamed trial"
    trial.save()
    _assert_equal_to_full_rebuild()
    site.department = departments[1]
    site.save()
    _assert_equal_to_full_rebuild()

    # Trial activity with types.
    activity = TrialActivity.objects.create(
        department=departments[2], label="liver trials", qualifier="exact", value=3
    )
    activity.cancer_types.set([hcc])
    _assert_equal_to_full_rebuild()
    activity.delete()
    _assert_equal_to_full_rebuild()

    # A department renamed, a department and a trial deleted.
    departments[3].name = "Aaa first by name"
    departments[3].save()
    _assert_equal_to_full_rebuild()
    departments[4].delete()
    trials[1].delete()
    _assert_equal_to_full_rebuild()

    # The tree itself moves: hepatocellular carcinoma under breast cancer (a test-only change).
    hcc.parent = breast
    hcc.save()
    _assert_equal_to_full_rebuild()


@pytest.mark.django_db
def test_bulk_writers_rebuild_once(portal_data, django_assert_max_num_queries):
    hospital = Hospital.objects.first()
    source = Source.objects.first()
    breast = CancerType.objects.get(slug="breast-cancer")
    with rankindex.deferred():
        new = [
            Department.objects.create(
                hospital=hospital, name=f"Deferred {i}", slug=f"deferred-{i}", source=source
            )
            for i in range(3)
        ]
        for department in new:
            DepartmentCancerType.objects.create(
                department=department, cancer_type=breast, source=source
            )
        assert not DepartmentRank.objects.filter(department__in=new).exists()  # not yet
    assert DepartmentRank.objects.filter(department__in=new, cancer_type=breast).count() == 3
    _assert_equal_to_full_rebuild()


@pytest.mark.django_db
def test_the_counts_kept_per_data_version_follow_every_write(client, portal_data):
    """A type's department and trial counts are kept until the data version moves: a link or a
    trial saved in the ORM (admin, import, scripts) counts at once."""
    from departments.models import Department, DepartmentCancerType, Hospital
    from oncology_portal.search import search

    before = search("HCC")
    departments, trials = len(before.hits), before.trial_count
    assert search("HCC").trial_count == trials  # now from the cache
    hcc = CancerType.objects.get(slug="hepatocellular-carcinoma")
    hospital = Hospital.objects.first()
    department = Department.objects.create(hospital=hospital, name="Counted Dept", slug="counted")
    DepartmentCancerType.objects.create(department=department, cancer_type=hcc)
    trial = Trial.objects.create(name="COUNTED-1", slug="counted-1")
    trial.cancer_types.add(hcc)
    after = search("HCC")
    assert len(after.hits) == departments + 1
    assert after.trial_count == trials + 1
