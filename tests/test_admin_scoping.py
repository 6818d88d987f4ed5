"""Department editors reach only their own departments' data in admin; curators reach all.

For every admin of a department-owned model: an editor of department A cannot list, open,
change, delete, view the history of, revert or export department B's rows (GET and POST, URLs
crafted by hand), cannot attach a row to B, and can change A's rows. Vocabulary, trials,
hospitals, sources and editor grants are curators' only; autocomplete leaks nothing.
"""

import json

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from departments.models import (
    AnnualStatistic,
    Award,
    CancerType,
    CancerTypeAlias,
    Department,
    DepartmentCancerType,
    DepartmentEditor,
    DepartmentService,
    Designation,
    EducationActivity,
    FundingAward,
    Hospital,
    Person,
    Programme,
    ResearchDirection,
    ResearchOutput,
    Service,
    ServiceAlias,
    Source,
    StaffCount,
)
from departments.permissions import DepartmentScopedMixin
from trials.models import Intervention, Trial, TrialActivity, TrialSite

from .helpers import SLUG_A, SLUG_B, admin_url, change_form_id, form_data, make_curator, make_editor

pytestmark = pytest.mark.django_db


def _unlinked(model, related_name, department):
    return model.objects.exclude(**{f"{related_name}__department": department}).first()


# One new row per department-owned model (the seeds do not hold every kind for both departments).
MAKERS = {
    Person: lambda d: Person.objects.create(department=d, name="Scoping Test Person"),
    DepartmentCancerType: lambda d: DepartmentCancerType.objects.create(
        department=d, cancer_type=_unlinked(CancerType, "department_links", d)
    ),
    DepartmentService: lambda d: DepartmentService.objects.create(
        department=d, service=_unlinked(Service, "department_links", d)
    ),
    StaffCount: lambda d: StaffCount.objects.create(
        department=d, role="scoping test role", qualifier="exact", value=3, wording="3"
    ),
    Designation: lambda d: Designation.objects.create(department=d, name="Scoping designation"),
    ResearchDirection: lambda d: ResearchDirection.objects.create(
        department=d, name="Scoping direction"
    ),
    Programme: lambda d: Programme.objects.create(department=d, name="Scoping programme"),
    EducationActivity: lambda d: EducationActivity.objects.create(
        department=d, name="Scoping course", kind="course"
    ),
    Award: lambda d: Award.objects.create(department=d, name="Scoping award"),
    AnnualStatistic: lambda d: AnnualStatistic.objects.create(
        department=d, metric="scoping metric", qualifier="about", value=10, wording="about 10"
    ),
    FundingAward: lambda d: FundingAward.objects.create(
        department=d, programme="Scoping fund", qualifier="exact", value=1, wording="1"
    ),
    ResearchOutput: lambda d: ResearchOutput.objects.create(
        department=d, kind="paper", title="Scoping output"
    ),
    TrialSite: lambda d: TrialSite.objects.create(
        department=d, trial=Trial.objects.exclude(sites__department=d).first()
    ),
    TrialActivity: lambda d: TrialActivity.objects.create(
        department=d, label="scoping trials", qualifier="at_least", value=5, wording="over 5"
    ),
}

SCOPED_MODELS = sorted(
    (m for m, a in admin.site._registry.items() if isinstance(a, DepartmentScopedMixin)),
    key=lambda m: m._meta.label,
)
CHILD_MODELS = [m for m in SCOPED_MODELS if m is not Department]

CURATOR_ONLY_MODELS = [
    CancerType,
    CancerTypeAlias,
    Service,
    ServiceAlias,
    Hospital,
    Source,
    Trial,
    Intervention,
    DepartmentEditor,
]


@pytest.fixture
def departments(portal_data):
    return Department.objects.get(slug=SLUG_A), Department.objects.get(slug=SLUG_B)


@pytest.fixture
def rows(request, departments):
    """(model, A's row, B's row) for the parametrised model."""
    model = request.param
    a, b = departments
    if model is Department:
        return model, a, b
    return model, MAKERS[model](a), MAKERS[model](b)


def test_every_department_owned_admin_is_scoped_and_covered():
    """A new department-owned model must get a scoped admin and a row maker here."""
    expected = {
        Department,
        Person,
        DepartmentCancerType,
        DepartmentService,
        StaffCount,
        Designation,
        ResearchDirection,
        Programme,
        EducationActivity,
        Award,
        AnnualStatistic,
        FundingAward,
        ResearchOutput,
        TrialSite,
        TrialActivity,
    }
    assert set(SCOPED_MODELS) == expected
    assert set(CHILD_MODELS) == set(MAKERS)


@pytest.mark.parametrize("rows", SCOPED_MODELS, indirect=True, ids=lambda m: m.__name__)
class TestEditorScope:
    def test_list_shows_own_rows_only(self, editor_client, rows, departments):
        model, mine, theirs = rows
        response = editor_client.get(admin_url(model, "changelist"))
        assert response.status_code == 200
        listed = {obj.pk for obj in response.context["cl"].result_list}
        assert mine.pk in listed
        assert theirs.pk not in listed
        content = response.content.decode()
        assert admin_url(model, "change", mine.pk) in content
        assert admin_url(model, "change", theirs.pk) not in content
        # Crafted filters and searches do not widen the list.
        lookup = "id__exact" if model is Department else "department__id__exact"
        crafted = editor_client.get(admin_url(model, "changelist"), {lookup: departments[1].pk})
        assert theirs.pk not in {obj.pk for obj in crafted.context["cl"].result_list}
        searched = editor_client.get(admin_url(model, "changelist"), {"q": departments[1].name})
        assert theirs.pk not in {obj.pk for obj in searched.context["cl"].result_list}

    def test_other_departments_rows_answer_404(self, editor_client, rows):
        model, mine, theirs = rows
        before = model.objects.filter(pk=theirs.pk).values().get()
        own_form = form_data(
            editor_client.get(admin_url(model, "change", mine.pk)),
            change_form_id(model),
            excerpt="Overwritten by a crafted request",
        )
        for view, args in [
            ("change", [theirs.pk]),
            ("delete", [theirs.pk]),
            ("history", [theirs.pk]),
        ]:
            assert editor_client.get(admin_url(model, view, *args)).status_code == 404, view
        changed = editor_client.post(admin_url(model, "change", theirs.pk), own_form)
        assert changed.status_code == 404
        deleted = editor_client.post(admin_url(model, "delete", theirs.pk), {"post": "yes"})
        assert deleted.status_code == 404
        version = model.history.filter(id=theirs.pk).latest("history_id").history_id
        revert = admin_url(model, "simple_history", theirs.pk, version)
        assert editor_client.get(revert).status_code == 404
        assert editor_client.post(revert, own_form).status_code == 404
        # A bulk action naming their row does nothing to it.
        editor_client.post(
            admin_url(model, "changelist"),
            {"action": "delete_selected", "_selected_action": [theirs.pk], "post": "yes"},
        )
        assert model.objects.filter(pk=theirs.pk).values().get() == before

    def test_editor_changes_own_row(self, editor_client, rows):
        model, mine, _theirs = rows
        response = editor_client.get(admin_url(model, "change", mine.pk))
        assert response.status_code == 200
        assert response.context["has_change_permission"]
        data = form_data(response, change_form_id(model), excerpt="Checked by the department")
        response = editor_client.post(admin_url(model, "change", mine.pk), data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        mine.refresh_from_db()
        assert mine.excerpt == "Checked by the department"
        assert editor_client.get(admin_url(model, "history", mine.pk)).status_code == 200

    def test_export_holds_own_rows_only(self, editor_client, rows):
        model = rows[0]
        page = editor_client.get(admin_url(model, "export"))
        assert page.status_code == 200
        data = form_data(page, None, format="1")  # formats: 0 CSV, 1 JSON
        data.pop("_save", None)
        response = editor_client.post(admin_url(model, "export"), data)
        assert response.status_code == 200
        exported = json.loads(response.content)
        department_slugs = {row.get("department", row.get("slug")) for row in exported}
        assert SLUG_A in department_slugs
        assert SLUG_B not in department_slugs

    def test_import_is_for_curators(self, editor_client, rows):
        model = rows[0]
        assert editor_client.get(admin_url(model, "import")).status_code == 403
        assert editor_client.post(admin_url(model, "process_import"), {}).status_code == 403


@pytest.mark.parametrize("rows", CHILD_MODELS, indirect=True, ids=lambda m: m.__name__)
class TestDepartmentChoices:
    def test_cannot_move_own_row_to_another_department(self, editor_client, rows, departments):
        model, mine, _theirs = rows
        data = form_data(
            editor_client.get(admin_url(model, "change", mine.pk)),
            change_form_id(model),
            department=str(departments[1].pk),
        )
        response = editor_client.post(admin_url(model, "change", mine.pk), data)
        assert response.status_code == 200
        assert "department" in response.context["adminform"].form.errors
        mine.refresh_from_db()
        assert mine.department == departments[0]

    def test_cannot_add_a_row_to_another_department(self, editor_client, rows, departments):
        model, mine, _theirs = rows
        assert editor_client.get(admin_url(model, "add")).status_code == 200
        data = form_data(
            editor_client.get(admin_url(model, "change", mine.pk)),
            change_form_id(model),
            department=str(departments[1].pk),
            edit_token=None,
        )
        count = model.objects.filter(department=departments[1]).count()
        response = editor_client.post(admin_url(model, "add"), data)
        assert response.status_code == 200
        assert "Select a valid choice" in str(response.context["adminform"].form.errors)
        assert model.objects.filter(department=departments[1]).count() == count

    def test_department_autocomplete_offers_own_departments_only(
        self, editor_client, rows, departments
    ):
        model = rows[0]
        response = editor_client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": model._meta.app_label,
                "model_name": model._meta.model_name,
                "field_name": "department",
                "term": "",
            },
        )
        assert response.status_code == 200
        ids = {int(result["id"]) for result in response.json()["results"]}
        assert ids == {departments[0].pk}
        searched = editor_client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": model._meta.app_label,
                "model_name": model._meta.model_name,
                "field_name": "department",
                "term": "Breast",
            },
        )
        assert searched.json()["results"] == []

    def test_department_filter_lists_own_departments_only(self, editor_client, rows, departments):
        model = rows[0]
        content = editor_client.get(admin_url(model, "changelist")).content.decode()
        assert departments[0].name in content
        assert departments[1].name not in content


def test_editor_cannot_add_or_delete_departments(editor_client, departments):
    own = departments[0]
    assert editor_client.get(admin_url(Department, "add")).status_code == 403
    assert editor_client.get(admin_url(Department, "delete", own.pk)).status_code == 403
    deleted = editor_client.post(admin_url(Department, "delete", own.pk), {"post": "yes"})
    assert deleted.status_code == 403
    editor_client.post(
        admin_url(Department, "changelist"),
        {"action": "delete_selected", "_selected_action": [own.pk], "post": "yes"},
    )
    assert Department.objects.filter(pk=own.pk).exists()


def test_editor_cannot_change_slug_hospital_or_grants(editor_client, departments):
    own = departments[0]
    other_hospital = Hospital.objects.exclude(pk=own.hospital_id).first()
    page = editor_client.get(admin_url(Department, "change", own.pk))
    assert b'name="editor_links-TOTAL_FORMS"' not in page.content
    data = form_data(
        page,
        "department_form",
        slug="hijacked-slug",
        hospital=str(other_hospital.pk),
        phone="0571-1234",
    )
    accomplice = get_user_model().objects.create_user("accomplice")
    data["editor_links-TOTAL_FORMS"] = ["1"]
    data["editor_links-INITIAL_FORMS"] = ["0"]
    data["editor_links-0-user"] = [str(accomplice.pk)]
    response = editor_client.post(admin_url(Department, "change", own.pk), data)
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.phone == "0571-1234"
    assert own.slug == SLUG_A
    assert own.hospital != other_hospital
    assert not DepartmentEditor.objects.filter(user=accomplice).exists()


def test_editor_revert_keeps_slug_and_hospital(editor_client, departments):
    """Reverting to a version from before a curator's slug change does not undo that change."""
    own = departments[0]
    before = own.history.latest("history_id")
    own.slug = "fahzu-medical-oncology-one"  # a curator changes the public URL
    own.save()
    revert = admin_url(Department, "simple_history", own.pk, before.history_id)
    page = editor_client.get(revert)
    response = editor_client.post(revert, form_data(page, "historicaldepartment_form"))
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.slug == "fahzu-medical-oncology-one"


def test_editor_cannot_verify_another_department(editor_client, departments):
    other = departments[1]
    Department.objects.filter(pk=other.pk).update(last_verified=None)
    editor_client.post(
        admin_url(Department, "changelist"),
        {"action": "mark_verified", "_selected_action": [other.pk]},
    )
    other.refresh_from_db()
    assert other.last_verified is None


def test_leader_choice_limited_to_own_people(editor_client, departments):
    own, other = departments
    stranger = Person.objects.create(department=other, name="Somebody Else")
    data = form_data(
        editor_client.get(admin_url(Department, "change", own.pk)),
        "department_form",
        leader=str(stranger.pk),
    )
    response = editor_client.post(admin_url(Department, "change", own.pk), data)
    assert response.status_code == 200
    assert "leader" in response.context["adminform"].form.errors
    own.refresh_from_db()
    assert own.leader_id != stranger.pk


def test_inline_rows_of_another_department_cannot_be_edited(editor_client, departments):
    """A crafted inline row id from department B is ignored: B's row is untouched."""
    own, other = departments
    theirs = MAKERS[StaffCount](other)
    data = form_data(editor_client.get(admin_url(Department, "change", own.pk)), "department_form")
    prefix = "staffcounts"
    total = int(data[f"{prefix}-TOTAL_FORMS"][0])
    data[f"{prefix}-TOTAL_FORMS"] = [str(total + 1)]
    data[f"{prefix}-INITIAL_FORMS"] = [str(total + 1)]
    fields = {
        "id": theirs.pk,
        "department": own.pk,
        "role": "stolen",
        "qualifier": "exact",
        "value": "9",
        "wording": "9",
        "sort_order": "0",
    }
    for name, value in fields.items():
        data[f"{prefix}-{total}-{name}"] = [str(value)]
    editor_client.post(admin_url(Department, "change", own.pk), data)
    theirs.refresh_from_db()
    assert theirs.role == "scoping test role"
    assert theirs.department == other
    assert not StaffCount.objects.filter(role="stolen").exists()


def test_vocabulary_autocomplete_serves_editors_without_opening_the_admin(editor_client):
    for model_name, field_name in [
        ("departmentcancertype", "cancer_type"),
        ("departmentservice", "service"),
        ("trialsite", "trial"),
        ("trialactivity", "interventions"),
    ]:
        app = "trials" if model_name.startswith("trial") else "departments"
        response = editor_client.get(
            reverse("admin:autocomplete"),
            {"app_label": app, "model_name": model_name, "field_name": field_name, "term": ""},
        )
        assert response.status_code == 200, model_name
        assert response.json()["results"], model_name
    hospitals = editor_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "departments", "model_name": "department", "field_name": "hospital"},
    )
    assert hospitals.status_code == 403
    users = editor_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "departments", "model_name": "departmenteditor", "field_name": "user"},
    )
    assert users.status_code == 403


def test_staff_without_a_department_gets_no_autocomplete(client, portal_data):
    user = get_user_model().objects.create_user("plainstaff", is_staff=True)
    client.force_login(user)
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "departments",
            "model_name": "departmentcancertype",
            "field_name": "cancer_type",
        },
    )
    assert response.status_code == 403


@pytest.mark.parametrize("model", CURATOR_ONLY_MODELS, ids=lambda m: m.__name__)
def test_editors_cannot_reach_vocabulary_trials_hospitals(editor_client, client, model):
    obj = model.objects.first() or DepartmentEditor.objects.first()
    assert obj is not None
    for view, args in [
        ("changelist", []),
        ("add", []),
        ("change", [obj.pk]),
        ("delete", [obj.pk]),
        ("history", [obj.pk]),
    ]:
        assert editor_client.get(admin_url(model, view, *args)).status_code == 403, view
    assert editor_client.post(admin_url(model, "change", obj.pk), {"name": "x"}).status_code == 403
    index = editor_client.get(reverse("admin:index")).content.decode()
    assert admin_url(model, "changelist") not in index

    client.logout()
    client.force_login(make_curator())
    for view, args in [
        ("changelist", []),
        ("add", []),
        ("change", [obj.pk]),
        ("history", [obj.pk]),
    ]:
        assert client.get(admin_url(model, view, *args)).status_code == 200, view


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda m: m.__name__)
def test_curator_sees_every_department(client, departments, model):
    client.force_login(make_curator())
    a, b = departments
    if model is not Department:
        MAKERS[model](a)
        MAKERS[model](b)
    response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    listed = response.context["cl"].result_list
    owners = {obj.pk if model is Department else obj.department_id for obj in listed}
    assert {a.pk, b.pk} <= owners


def test_editor_of_two_departments_sees_both(client, departments):
    client.force_login(make_editor("editor_ab", SLUG_A, SLUG_B))
    listed = client.get(admin_url(Department, "changelist")).context["cl"].result_list
    assert {d.slug for d in listed} == {SLUG_A, SLUG_B}


def test_editor_index_lists_their_models_only(editor_client):
    content = editor_client.get(reverse("admin:index")).content.decode()
    assert admin_url(Department, "changelist") in content
    assert admin_url(StaffCount, "changelist") in content
    assert admin_url(TrialSite, "changelist") in content
    assert admin_url(Hospital, "changelist") not in content
    assert admin_url(CancerType, "changelist") not in content
