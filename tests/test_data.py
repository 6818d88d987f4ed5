"""The seed data: concrete facts of each of the five departments, and the loader's guarantees."""

import datetime
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from departments.models import (
    AnnualStatistic,
    CancerType,
    CancerTypeAlias,
    Department,
    Designation,
    FundingAward,
    Hospital,
    ResearchOutput,
    Service,
    Source,
    StaffCount,
)
from departments.quantities import Qualifier
from trials.models import Trial, TrialActivity

pytestmark = pytest.mark.django_db

MO1 = "fahzu-medical-oncology-1"
MO3 = "fahzu-medical-oncology-3"
HOSP_1955 = "cancer-hospital-1955-oncology-department"
BREAST = "zhejiang-cancer-hospital-breast-medical-oncology"
JILIN = "jilin-first-hospital-radiation-oncology"


def test_five_departments_from_five_seeds():
    departments = Department.objects.select_related("source")
    assert sorted(d.slug for d in departments) == sorted([MO1, MO3, HOSP_1955, BREAST, JILIN])
    assert sorted(d.source.file_name for d in departments) == sorted(
        p.name for p in (Path(settings.BASE_DIR) / "fixtures" / "seeds").glob("0*.txt")
    )


def test_medical_oncology_3_founding_date_and_its_five_trials():
    department = Department.objects.get(slug=MO3)
    assert department.founded_date == datetime.date(2014, 11, 7)
    trials = set(department.trials.values_list("slug", flat=True))
    assert trials == {"checkmate-459", "keynote-394", "kn035", "imbrave150", "axept"}


def test_medical_oncology_1_trial_counts_keep_their_qualifiers():
    activities = {a.value: a for a in TrialActivity.objects.filter(department__slug=MO1)}
    assert activities[100].qualifier == Qualifier.AT_LEAST
    assert activities[100].display == "100+"
    assert activities[103].qualifier == Qualifier.EXACT
    assert activities[103].display == "103"


def test_medical_oncology_1_lists_sixteen_cancers_in_the_seed_wording():
    department = Department.objects.get(slug=MO1)
    links = department.cancer_type_links.select_related("cancer_type")
    by_slug = {link.cancer_type.slug: link for link in links}
    assert len(by_slug) == 16
    assert by_slug["cholangiocarcinoma"].wording == "cholangetic"
    assert "thymic-carcinoma" in by_slug and "neuroendocrine-tumours" in by_slug
    assert StaffCount.objects.get(department=department).value == 15


def test_breast_department_phone_patients_and_leader():
    department = Department.objects.select_related("leader").get(slug=BREAST)
    assert department.phone == "+86-0571-88122072"
    assert department.leader.name == "Xiao-Jia Wang"
    assert department.source_last_updated_text == "Mar. 2020"
    patients = AnnualStatistic.objects.get(department=department, value=12000)
    assert patients.qualifier == Qualifier.ABOUT
    assert patients.display == "about 12,000"
    focus = department.cancer_type_links.get(relation="primary_focus")
    assert focus.cancer_type.slug == "breast-cancer"


def test_jilin_department_has_nine_designations_and_no_invented_cancers():
    department = Department.objects.get(slug=JILIN)
    assert Designation.objects.filter(department=department).count() == 9
    assert not department.cancer_type_links.exists()
    assert department.kind == Department.Kind.RADIATION


def test_1955_hospital_has_its_beds_and_no_invented_name():
    hospital = Hospital.objects.get(departments__slug=HOSP_1955)
    assert hospital.name == ""
    assert hospital.founded_year == 1955
    assert hospital.beds == 1994
    assert hospital.nursing_units == 59
    assert hospital.city == ""
    assert "1955" in hospital.display_name and "not stated" in hospital.display_name


def test_unquantified_figures_stay_words():
    dozens = ResearchOutput.objects.get(department__slug=MO3, kind="sci_article")
    assert dozens.qualifier == Qualifier.UNQUANTIFIED
    assert dozens.value is None
    assert dozens.display == "dozens"
    several = FundingAward.objects.filter(department__slug=MO3, qualifier=Qualifier.UNQUANTIFIED)
    assert [f.wording for f in several] == ["several"]


def test_registry_ids_only_where_verified():
    registry = dict(Trial.objects.values_list("slug", "registry_id"))
    assert registry == {
        "checkmate-459": "NCT02576509",
        "keynote-394": "NCT03062358",
        "imbrave150": "NCT03434379",
        "axept": "",
        "kn035": "",
    }
    imbrave = Trial.objects.get(slug="imbrave150")
    assert imbrave.registry_source == "ClinicalTrials.gov NCT03434379"
    assert imbrave.source_wording == "IM BRAVE150"


def test_every_excerpt_is_verbatim_in_its_source():
    """The loader enforces it; this re-checks what reached the database."""
    from django.apps import apps

    from departments.loading import collapse

    texts = {s.pk: collapse(s.text) for s in Source.objects.all()}
    checked = 0
    for model in apps.get_models():
        if "excerpt" not in {f.name for f in model._meta.fields}:
            continue
        for source_id, excerpt in model.objects.exclude(excerpt="").values_list(
            "source_id", "excerpt"
        ):
            assert collapse(excerpt) in texts[source_id], (model.__name__, excerpt)
            checked += 1
    assert checked > 200


def test_vocabulary_is_a_tree_of_common_cancers():
    assert CancerType.objects.count() >= 60
    liver = CancerType.objects.get(slug="hepatocellular-carcinoma")
    assert liver.parent.slug == "liver-cancer"
    assert liver.parent.parent.slug == "hepatobiliary-pancreatic-cancers"
    assert CancerType.objects.get(slug="melanoma").department_links.count() == 0
    aliases = dict(CancerTypeAlias.objects.values_list("text", "cancer_type__slug"))
    assert aliases["HCC"] == "hepatocellular-carcinoma"
    assert aliases["cholangetic"] == "cholangiocarcinoma"
    assert aliases["肝癌"] == "liver-cancer"
    assert Service.objects.filter(slug="car-t-cell-therapy").exists()


def _counts():
    from django.apps import apps

    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label in ("departments", "trials")
    }


def _snapshot():
    return {
        "departments": list(Department.objects.order_by("pk").values()),
        "activities": list(TrialActivity.objects.order_by("pk").values()),
        "aliases": list(CancerTypeAlias.objects.order_by("pk").values()),
    }


def test_loading_twice_changes_nothing(capsys):
    before_counts, before = _counts(), _snapshot()
    call_command("load_portal_data")
    out = capsys.readouterr().out
    assert " 0 created, 0 updated" in out
    assert _counts() == before_counts
    assert _snapshot() == before


def test_reload_keeps_rows_staff_added():
    department = Department.objects.get(slug=JILIN)
    Designation.objects.create(department=department, name="Added by staff")
    call_command("load_portal_data", verbosity=0)
    assert Designation.objects.filter(department=department, name="Added by staff").exists()


@pytest.fixture
def fixtures_copy(tmp_path):
    target = tmp_path / "fixtures"
    shutil.copytree(Path(settings.BASE_DIR) / "fixtures", target)
    return target


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("departments/004_10ed6af0341b1e15.yaml", "kind: radiation", "kind: astrology", "kind"),
        (
            "departments/001_3d54f8a045bb56a5.yaml",
            "founded_date: 2014-11-07",
            "founded_dat: 2014-11-07",
            "unknown field",
        ),
        ("trials.yaml", "registry_id: NCT03434379", "registry_id: BAD123", "registry_id_format"),
        (
            "departments/003_135df3f2a5276250.yaml",
            "hospital: zhejiang-cancer-hospital",
            "hospital: no-such-hospital",
            "unknown hospital",
        ),
        (
            "departments/003_135df3f2a5276250.yaml",
            "cancer_type: breast-cancer",
            "cancer_type: no-such-type",
            "unknown cancer type",
        ),
        (
            "departments/000_f2a0b2ced2f46398.yaml",
            "qualifier: exact\n    value: 15",
            "qualifier: unquantified\n    value: 15",
            "no value",
        ),
        (
            "departments/000_f2a0b2ced2f46398.yaml",
            'Urological cancer"\n    excerpt: "Urological cancer',
            'Urological cancer"\n    excerpt: "Urological and cardiac cancer',
            "excerpt is not in source",
        ),
        (
            "sources.yaml",
            "file_name: 000_f2a0b2ced2f46398.txt",
            "file_name: missing.txt",
            "not found",
        ),
    ],
)
def test_broken_fixture_fails_loudly_and_writes_nothing(fixtures_copy, file, old, new, message):
    path = fixtures_copy / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    Department.objects.filter(slug=JILIN).update(phone="unchanged")
    before = _counts()
    with pytest.raises(CommandError) as info:
        call_command("load_portal_data", fixtures_dir=str(fixtures_copy), verbosity=0)
    assert message in str(info.value)
    assert _counts() == before
    assert Department.objects.get(slug=JILIN).phone == "unchanged"


def test_broken_yaml_fails_loudly(fixtures_copy):
    (fixtures_copy / "hospitals.yaml").write_text("- slug: [unclosed\n", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid YAML"):
        call_command("load_portal_data", fixtures_dir=str(fixtures_copy), verbosity=0)
