"""The synthetic data generator: counts, constraints, names, determinism and exact removal."""

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from departments.models import (
    AnnualStatistic,
    CancerType,
    Department,
    DepartmentCancerType,
    DepartmentService,
    Designation,
    FundingAward,
    Hospital,
    ResearchOutput,
    Source,
    StaffCount,
)
from departments.quantities import Qualifier
from oncology_portal.synthetic import SOURCE_SLUG, SOURCE_TITLE, synthetic_counts
from trials.models import Intervention, Trial, TrialActivity, TrialSite

SMALL = {"departments": 30, "hospitals": 5, "cities": 3, "trials": 50, "seed": 7}
SOURCED_ROOTS = (Hospital, Department, Trial, Intervention)


def generate(**options):
    call_command("generate_synthetic_data", verbosity=0, **{**SMALL, **options})


def remove():
    call_command("generate_synthetic_data", remove=True, verbosity=0)


def synthetic():
    return Source.objects.get(slug=SOURCE_SLUG)


def all_counts():
    """Rows per table, history and auto-created m2m tables included."""
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in ("departments", "trials")
    }


def snapshot():
    """What the generator produced, by name and slug only (primary keys differ between runs)."""
    departments = Department.objects.filter(slug__startswith="synthetic-")
    trials = Trial.objects.filter(slug__startswith="synthetic-")
    return {
        "hospitals": sorted(
            Hospital.objects.filter(slug__startswith="synthetic-").values_list(
                "name", "city", "province", "beds"
            )
        ),
        "departments": sorted(departments.values_list("name", "hospital__name", "kind")),
        "cancer_types": sorted(
            DepartmentCancerType.objects.filter(department__in=departments).values_list(
                "department__slug", "cancer_type__slug", "relation"
            )
        ),
        "services": sorted(
            DepartmentService.objects.filter(department__in=departments).values_list(
                "department__slug", "service__slug"
            )
        ),
        "staff": sorted(
            StaffCount.objects.filter(department__in=departments).values_list(
                "department__slug", "role", "qualifier", "value", "value_max", "wording"
            )
        ),
        "sites": sorted(
            TrialSite.objects.filter(trial__in=trials).values_list(
                "trial__slug", "department__slug", "role"
            )
        ),
        "trial_types": sorted(trials.values_list("slug", "cancer_types__slug")),
        "trial_drugs": sorted(trials.values_list("slug", "interventions__name")),
        "trials": sorted(trials.values_list("name", "phase", "status", "sponsor")),
    }


def test_small_run_creates_the_expected_rows(portal_data):
    before_departments = Department.objects.count()
    generate()
    source = synthetic()
    assert source.title == SOURCE_TITLE
    generated = Department.objects.filter(source=source)
    assert generated.count() == 30
    assert Department.objects.count() == before_departments + 30
    assert Hospital.objects.filter(source=source).count() == 5
    assert Trial.objects.filter(source=source).count() == 50
    assert synthetic_counts() == {
        "trials": 50,
        "interventions": 10,
        "departments": 30,
        "hospitals": 5,
    }
    # Every hospital has a department; the cities are the synthetic ones, in synthetic provinces.
    assert set(Hospital.objects.filter(source=source).values_list("city", flat=True)) == {
        "Synthetic City 1",
        "Synthetic City 2",
        "Synthetic City 3",
    }
    assert all(h.departments.exists() for h in Hospital.objects.filter(source=source))
    for department in generated.prefetch_related("cancer_type_links", "service_links"):
        assert 3 <= len(department.cancer_type_links.all()) <= 12
        assert 3 <= len(department.service_links.all()) <= 8
        assert department.staffcounts.exists()
        assert department.annualstatistics.exists()
        assert department.researchoutputs.exists()
        assert department.fundingawards.exists()
    for trial in Trial.objects.filter(source=source).prefetch_related(
        "sites", "cancer_types", "interventions"
    ):
        assert 1 <= len(trial.sites.all()) <= 4
        assert 1 <= len(trial.cancer_types.all()) <= 3
        assert 1 <= len(trial.interventions.all()) <= 3
        assert [s.role for s in trial.sites.all()].count(TrialSite.Role.LEAD) == 1
        assert not trial.registry_id  # never an invented registry number
    # Sites are generated departments only: no real department gains a synthetic trial.
    assert not TrialSite.objects.filter(trial__source=source).exclude(department__source=source)


def test_generated_rows_satisfy_every_constraint(portal_data):
    generate()
    # Constraints are enforced by the database on insert; re-check them in Python too, so a
    # backend that skips a CHECK (or a future constraint) cannot hide a bad row.
    checked = 0
    for model in (
        Hospital,
        Department,
        DepartmentCancerType,
        DepartmentService,
        StaffCount,
        AnnualStatistic,
        ResearchOutput,
        FundingAward,
        Trial,
        TrialSite,
        Intervention,
    ):
        for obj in model.objects.filter(source=synthetic()):
            obj.validate_constraints()
            obj.clean()
            checked += 1
    assert checked > 500
    # The figures use the whole range of qualifiers, each coherent.
    qualifiers = set(StaffCount.objects.values_list("qualifier", flat=True))
    assert {Qualifier.EXACT, Qualifier.AT_LEAST, Qualifier.ABOUT} <= qualifiers
    for figure in StaffCount.objects.filter(qualifier=Qualifier.UNQUANTIFIED):
        assert figure.value is None and figure.wording
    with connection.cursor() as cursor:  # the database agrees (SQLite and PostgreSQL)
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_key_check")
            assert cursor.fetchall() == []


def test_every_generated_row_is_unmistakably_synthetic(portal_data):
    generate()
    source = synthetic()
    for model in SOURCED_ROOTS:
        rows = model.objects.filter(slug__startswith="synthetic-")
        assert rows.exists()
        for name, slug, source_id in rows.values_list("name", "slug", "source"):
            assert name.startswith("Synthetic "), name
            assert slug.startswith("synthetic-"), slug
            assert source_id == source.pk
    for model in (
        DepartmentCancerType,
        DepartmentService,
        StaffCount,
        AnnualStatistic,
        ResearchOutput,
        FundingAward,
        TrialSite,
    ):
        assert model.objects.filter(source=source).exists()
        assert not model.objects.filter(department__source=source).exclude(source=source)
    assert Department.objects.get(slug="synthetic-department-00001").name == (
        "Synthetic Department 00001"
    )
    assert Hospital.objects.filter(name="Synthetic Hospital 0005").exists()
    assert Trial.objects.filter(name="Synthetic Trial 000050").exists()
    # The source names itself synthetic and holds the excerpt every generated row quotes.
    for excerpt in Department.objects.filter(source=source).values_list("excerpt", flat=True):
        assert excerpt in source.text


def test_same_seed_gives_the_same_rows_and_another_seed_does_not(portal_data):
    generate()
    first = snapshot()
    remove()
    generate(batch_size=7)  # the batch size does not change what is drawn
    assert snapshot() == first
    remove()
    generate(seed=8)
    other = snapshot()
    assert other["departments"] != first["departments"]
    assert other["cancer_types"] != first["cancer_types"]


def test_remove_deletes_exactly_the_generated_rows(portal_data):
    real = Department.objects.get(slug="fahzu-medical-oncology-3")
    staff_row = Designation.objects.create(department=real, name="Added by staff")
    before = all_counts()
    generate()
    assert all_counts() != before
    # A staff user adds a real trial site to a generated department: it depends on generated
    # data, so it goes with it; the real trial stays.
    real_trial = Trial.objects.exclude(source=synthetic()).first()
    TrialSite.objects.bulk_create(
        [
            TrialSite(
                trial=real_trial,
                department=Department.objects.get(slug="synthetic-department-00002"),
            )
        ]
    )
    remove()
    assert all_counts() == before
    assert not Source.objects.filter(slug=SOURCE_SLUG).exists()
    assert Designation.objects.filter(pk=staff_row.pk).exists()
    assert Trial.objects.filter(pk=real_trial.pk).exists()
    assert synthetic_counts() == dict.fromkeys(
        ("trials", "interventions", "departments", "hospitals"), 0
    )
    remove()  # nothing left to remove: a no-op
    assert all_counts() == before


def test_remove_keeps_rows_that_only_share_the_prefix_or_the_source(portal_data):
    generate()
    source = synthetic()
    hospital = Hospital.objects.get(slug="fahzu")
    lookalike = Department.objects.create(
        hospital=hospital,
        name="Synthetic Biology Unit",
        slug="synthetic-biology-unit",
        kind="general",
    )
    sourced = Designation.objects.create(
        department=Department.objects.get(slug="fahzu-medical-oncology-1"),
        name="Benchmark designation",
        source=source,
    )
    remove()
    assert Department.objects.filter(pk=lookalike.pk).exists()
    assert Designation.objects.filter(pk=sourced.pk).exists()
    assert Source.objects.filter(slug=SOURCE_SLUG).exists()  # still named by a staff row
    assert not Department.objects.filter(source=source).exists()


def test_remove_refuses_when_staff_added_a_department_to_a_generated_hospital(portal_data):
    generate()
    hospital = Hospital.objects.get(slug="synthetic-hospital-0001")
    Department.objects.create(hospital=hospital, name="Real unit", slug="real-unit", kind="general")
    with pytest.raises(CommandError, match="not generated"):
        remove()
    assert Hospital.objects.filter(pk=hospital.pk).exists()  # all or nothing
    assert Department.objects.filter(source=synthetic()).count() == 30


def test_generating_twice_is_refused(portal_data):
    generate()
    with pytest.raises(CommandError, match="already present"):
        generate()
    assert Department.objects.filter(source=synthetic()).count() == 30


def test_empty_vocabulary_is_a_clear_error(db):
    # Empty the vocabulary (the test's transaction rolls this back).
    DepartmentCancerType.objects.all().delete()
    Trial.cancer_types.through.objects.all().delete()
    TrialActivity.cancer_types.through.objects.all().delete()
    CancerType.objects.update(parent=None)
    CancerType.objects.all().delete()
    before = all_counts()
    with pytest.raises(CommandError, match=r"cancer-type vocabulary is empty.*load_portal_data"):
        generate()
    assert all_counts() == before
    assert not Source.objects.filter(slug=SOURCE_SLUG).exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"hospitals": 0}, "at least one hospital"),
        ({"cities": 0}, "at least one city"),
        ({"departments": 0}, "at least one department"),
    ],
)
def test_impossible_sizes_are_clear_errors(portal_data, options, message):
    with pytest.raises(CommandError, match=message):
        generate(**options)


def test_command_reports_what_it_wrote(portal_data, capsys):
    call_command("generate_synthetic_data", **SMALL)
    out = capsys.readouterr().out
    assert "departments.Department: 30" in out
    assert "trials.Trial: 50" in out
    assert "synthetic rows in" in out
    call_command("generate_synthetic_data", remove=True)
    assert "departments.Department: 30" in capsys.readouterr().out
