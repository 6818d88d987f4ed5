"""Records and trust in admin: history with revert, no lost updates, field-level validation,
verification, import/export, and granting the editor role."""

import datetime
import json

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.utils import timezone
from django.utils.html import escape
from import_export.tmp_storages import TempFolderStorage

from departments.models import (
    CancerType,
    CancerTypeAlias,
    Department,
    DepartmentEditor,
    Hospital,
    ResearchOutput,
    Service,
    ServiceAlias,
    StaffCount,
)
from departments.permissions import EDITOR_GROUP
from trials.models import Trial

from .helpers import SLUG_A, SLUG_B, admin_url, change_form_id, form_data, make_editor

pytestmark = pytest.mark.django_db


def save_department(client, department, **changes):
    page = client.get(admin_url(Department, "change", department.pk))
    return client.post(
        admin_url(Department, "change", department.pk),
        form_data(page, "department_form", **changes),
    )


# -- history --------------------------------------------------------------------------------------
def test_each_change_writes_a_history_row_with_the_user(editor_client, editor, department):
    before = department.history.count()
    assert save_department(editor_client, department, phone="0571-111").status_code == 302
    assert save_department(editor_client, department, phone="0571-222").status_code == 302
    records = list(department.history.order_by("-history_id")[:2])
    assert department.history.count() == before + 2
    assert [r.phone for r in records] == ["0571-222", "0571-111"]
    assert all(r.history_user == editor and r.history_type == "~" for r in records)
    delta = records[0].diff_against(records[1])
    assert "phone" in delta.changed_fields

    page = editor_client.get(admin_url(Department, "history", department.pk))
    assert page.status_code == 200
    assert "editor_a" in page.content.decode()


def test_inline_and_standalone_child_changes_are_recorded(editor_client, editor, department):
    count = StaffCount.objects.create(
        department=department, role="nurses", qualifier="exact", value=4, wording="4"
    )
    page = editor_client.get(admin_url(StaffCount, "change", count.pk))
    response = editor_client.post(
        admin_url(StaffCount, "change", count.pk), form_data(page, "staffcount_form", value="6")
    )
    assert response.status_code == 302
    latest = count.history.latest("history_id")
    assert latest.value == 6 and latest.history_user == editor
    # The department notes the change (a history row, a new updated_at).
    noted = department.history.latest("history_id")
    assert noted.history_change_reason.startswith("Changed staff count")
    assert noted.history_user == editor

    # Deleting through admin is recorded too.
    response = editor_client.post(admin_url(StaffCount, "delete", count.pk), {"post": "yes"})
    assert response.status_code == 302
    deleted = StaffCount.history.filter(id=count.pk).latest("history_id")
    assert deleted.history_type == "-" and deleted.history_user == editor


def test_revert_restores_earlier_values(editor_client, editor, department):
    original_phone, original_summary = department.phone, department.summary
    save_department(editor_client, department, phone="0571-999", summary="A rewritten summary.")
    department.refresh_from_db()
    assert department.phone == "0571-999"
    earlier = department.history.filter(phone=original_phone).latest("history_id")

    revert_url = admin_url(Department, "simple_history", department.pk, earlier.history_id)
    page = editor_client.get(revert_url)
    assert page.status_code == 200
    assert "Revert" in page.content.decode()
    response = editor_client.post(revert_url, form_data(page, "historicaldepartment_form"))
    assert response.status_code == 302
    department.refresh_from_db()
    assert department.phone == original_phone
    assert department.summary == original_summary
    latest = department.history.latest("history_id")
    assert latest.history_user == editor and latest.phone == original_phone


def test_revert_needs_change_permission(client, department):
    """View-only staff may read history but a crafted POST cannot revert."""
    viewer = get_user_model().objects.create_user("viewer", is_staff=True)
    make_editor("editor_v", SLUG_A)
    viewer.user_permissions.add(
        *Group.objects.get(name=EDITOR_GROUP).permissions.filter(codename="view_department")
    )
    DepartmentEditor.objects.create(user=viewer, department=department)
    client.force_login(viewer)
    version = department.history.latest("history_id").history_id
    revert_url = admin_url(Department, "simple_history", department.pk, version)
    assert client.get(revert_url).status_code == 200
    assert client.post(revert_url, {"phone": "0000"}).status_code == 403


def test_second_load_writes_no_history(portal_data):
    """The loader saves only changed rows, so a reload adds no history rows."""
    history_models = [m for m in apps.get_models() if m.__name__.startswith("Historical")]
    before = {m: m.objects.count() for m in history_models}
    call_command("load_portal_data", verbosity=0)
    assert {m: m.objects.count() for m in history_models} == before


# -- no lost updates ------------------------------------------------------------------------------
def test_second_save_gets_a_conflict_and_overwrites_nothing(client, department):
    from django.test import Client

    first, second = Client(), Client()
    first.force_login(make_editor("alice", SLUG_A))
    second.force_login(make_editor("bob", SLUG_A))
    page_1 = first.get(admin_url(Department, "change", department.pk))
    page_2 = second.get(admin_url(Department, "change", department.pk))

    saved = first.post(
        admin_url(Department, "change", department.pk),
        form_data(page_1, "department_form", phone="0571-1111"),
    )
    assert saved.status_code == 302
    conflict = second.post(
        admin_url(Department, "change", department.pk),
        form_data(page_2, "department_form", phone="0571-2222", summary="Bob's summary"),
    )
    assert conflict.status_code == 200
    message = " ".join(conflict.context["adminform"].form.non_field_errors())
    assert "changed by alice" in message
    assert "since you opened it" in message
    assert "Phone" in message or "phone" in message
    assert escape("changed by alice") in conflict.content.decode()
    department.refresh_from_db()
    assert department.phone == "0571-1111"
    assert department.summary != "Bob's summary"


def test_child_change_elsewhere_conflicts_with_an_open_department_form(client, department):
    from django.test import Client

    alice, bob = Client(), Client()
    alice.force_login(make_editor("alice", SLUG_A))
    bob.force_login(make_editor("bob", SLUG_A))
    count = StaffCount.objects.create(
        department=department, role="nurses", qualifier="exact", value=4, wording="4"
    )
    department_page = bob.get(admin_url(Department, "change", department.pk))
    count_page = alice.get(admin_url(StaffCount, "change", count.pk))
    alice.post(
        admin_url(StaffCount, "change", count.pk),
        form_data(count_page, "staffcount_form", value="7", wording="7"),
    )
    response = bob.post(
        admin_url(Department, "change", department.pk),
        form_data(department_page, "department_form"),
    )
    assert response.status_code == 200
    assert "Changed staff count" in " ".join(response.context["adminform"].form.non_field_errors())
    count.refresh_from_db()
    assert count.value == 7


def test_form_without_version_is_refused(editor_client, department):
    page = editor_client.get(admin_url(Department, "change", department.pk))
    response = editor_client.post(
        admin_url(Department, "change", department.pk),
        form_data(page, "department_form", phone="0571-3333", edit_token=None),
    )
    assert response.status_code == 200
    department.refresh_from_db()
    assert department.phone != "0571-3333"


# -- validation -----------------------------------------------------------------------------------
def assert_field_error(response, field, message):
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in errors.get(field, []), errors
    assert escape(message) in response.content.decode()


def post_change(client, obj, **changes):
    model = type(obj)
    page = client.get(admin_url(model, "change", obj.pk))
    return client.post(
        admin_url(model, "change", obj.pk), form_data(page, change_form_id(model), **changes)
    )


def test_quantity_messages(editor_client, department):
    count = StaffCount.objects.create(
        department=department, role="nurses", qualifier="exact", value=4, wording="4"
    )
    response = post_change(editor_client, count, qualifier="at_least", value="")
    assert_field_error(
        response, "value", "A figure qualified as 'at least / more than' needs a value."
    )
    response = post_change(
        editor_client, count, qualifier="unquantified", value="5", wording="dozens"
    )
    assert_field_error(
        response, "value", "An unquantified figure ('dozens', 'several') has no value."
    )
    response = post_change(editor_client, count, qualifier="unquantified", value="", wording="")
    assert_field_error(response, "wording", "Give the source's wording, e.g. 'dozens'.")
    response = post_change(editor_client, count, qualifier="range", value="5", value_max="3")
    assert_field_error(response, "value_max", "The upper bound must be greater than the value.")
    count.refresh_from_db()
    assert (count.qualifier, count.value) == ("exact", 4)


def test_quantity_message_in_department_inline(editor_client, department):
    StaffCount.objects.create(
        department=department, role="nurses", qualifier="exact", value=4, wording="4"
    )
    page = editor_client.get(admin_url(Department, "change", department.pk))
    data = form_data(page, "department_form")
    index = next(
        key.split("-")[1]
        for key, value in data.items()
        if key.startswith("staffcounts-") and key.endswith("-role") and value == ["nurses"]
    )
    data[f"staffcounts-{index}-qualifier"] = ["at_least"]
    data[f"staffcounts-{index}-value"] = [""]
    response = editor_client.post(admin_url(Department, "change", department.pk), data)
    assert response.status_code == 200
    assert escape("A figure qualified as 'at least / more than' needs a value.") in (
        response.content.decode()
    )


def test_founded_date_in_future(editor_client, department):
    future = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    response = post_change(editor_client, department, founded_date=future)
    assert_field_error(response, "founded_date", "A founded date cannot be in the future.")


def test_slug_unique(curator_client, department):
    response = post_change(curator_client, department, slug=SLUG_B)
    assert_field_error(response, "slug", "Department with this Slug already exists.")


def test_alias_belongs_to_one_term(curator_client):
    alias = CancerTypeAlias.objects.select_related("cancer_type").first()
    other_type = CancerType.objects.exclude(pk=alias.cancer_type_id).first()
    page = curator_client.get(admin_url(CancerTypeAlias, "add"))
    response = curator_client.post(
        admin_url(CancerTypeAlias, "add"),
        form_data(
            page,
            "cancertypealias_form",
            text=alias.text.upper(),
            kind="synonym",
            cancer_type=str(other_type.pk),
        ),
    )
    assert_field_error(
        response, "text", f"'{alias.text.upper()}' already names {alias.cancer_type}."
    )

    service_alias = ServiceAlias.objects.select_related("service").first()
    other_service = Service.objects.exclude(pk=service_alias.service_id).first()
    page = curator_client.get(admin_url(ServiceAlias, "add"))
    response = curator_client.post(
        admin_url(ServiceAlias, "add"),
        form_data(
            page,
            "servicealias_form",
            text=service_alias.text,
            kind="synonym",
            service=str(other_service.pk),
        ),
    )
    assert_field_error(
        response, "text", f"'{service_alias.text}' already names {service_alias.service}."
    )


def test_other_database_rules_have_field_messages(curator_client, department):
    hospital = Hospital.objects.first()
    assert_field_error(
        post_change(curator_client, hospital, founded_year="955"),
        "founded_year",
        "Give the founding year with four digits, e.g. 1955.",
    )
    output = ResearchOutput.objects.create(department=department, kind="paper", title="A paper")
    assert_field_error(
        post_change(curator_client, output, title="", qualifier=""),
        "title",
        "Give either a count (qualifier and value) or a title.",
    )
    trial = Trial.objects.first()
    assert_field_error(
        post_change(curator_client, trial, registry_id="NCT123"),
        "registry_id",
        "A registry id is an NCT number: NCT followed by 8 digits, e.g. NCT03434379.",
    )
    registered = Trial.objects.exclude(registry_id="").exclude(pk=trial.pk).first()
    if registered is not None:
        assert_field_error(
            post_change(
                curator_client, trial, registry_id=registered.registry_id, registry_source="test"
            ),
            "registry_id",
            "Another trial already has this registry id.",
        )


# -- verification ---------------------------------------------------------------------------------
def test_stale_flag_and_mark_verified(editor_client, department):
    Department.objects.filter(pk=department.pk).update(last_verified=None)
    department.refresh_from_db()
    assert department.is_stale
    content = editor_client.get(admin_url(Department, "changelist")).content.decode()
    assert "Stale" in content
    stale_list = editor_client.get(admin_url(Department, "changelist"), {"verification": "stale"})
    assert department in stale_list.context["cl"].result_list

    response = editor_client.post(
        admin_url(Department, "changelist"),
        {"action": "mark_verified", "_selected_action": [department.pk]},
    )
    assert response.status_code == 302
    department.refresh_from_db()
    assert department.last_verified == timezone.localdate()
    assert not department.is_stale
    assert department.history.latest("history_id").history_change_reason == "Marked verified"
    current = editor_client.get(admin_url(Department, "changelist"), {"verification": "current"})
    assert department in current.context["cl"].result_list


def test_is_stale_after_twelve_months(department):
    today = timezone.localdate()
    department.last_verified = today - datetime.timedelta(days=364)
    assert not department.is_stale
    department.last_verified = today - datetime.timedelta(days=366)
    assert department.is_stale
    department.save()
    assert department in Department.objects.stale()
    assert department.last_updated_on == timezone.localdate(department.updated_at)


def test_department_page_queries_do_not_grow_with_inline_rows(editor_client, department):
    """Guards against N+1: inline rows reuse the source and person choices read once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from departments.models import Source

    def queries():
        with CaptureQueriesContext(connection) as context:
            response = editor_client.get(admin_url(Department, "change", department.pk))
            assert response.status_code == 200
        return len(context)

    editor_client.get(admin_url(Department, "change", department.pk))  # warm caches (content types)
    base = queries()
    source = Source.objects.first()
    for i in range(10):
        StaffCount.objects.create(
            department=department,
            role=f"role {i}",
            qualifier="exact",
            value=i,
            wording=str(i),
            source=source,
        )
        ResearchOutput.objects.create(
            department=department, kind="paper", title=f"Paper {i}", source=source
        )
    assert queries() == base


def test_change_page_links_to_the_public_page(editor_client, department):
    content = editor_client.get(admin_url(Department, "change", department.pk)).content.decode()
    assert "View on site" in content


# -- export and import ----------------------------------------------------------------------------
CSV_HEADER = (
    "department,role,qualifier,value,value_max,unit,wording,period,source,excerpt,sort_order"
)


def import_preview(client, model, content, fmt="0"):
    page = client.get(admin_url(model, "import"))
    assert page.status_code == 200
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("rows.csv", content.encode(), content_type="text/csv")
    return client.post(
        admin_url(model, "import"), {"format": fmt, "resource": "0", "import_file": upload}
    )


def test_import_dry_run_shows_row_errors_and_writes_nothing(curator_client, department):
    before = StaffCount.objects.count()
    content = "\n".join(
        [
            CSV_HEADER,
            f"{SLUG_A},import nurses,exact,12,,,12 nurses,,,,0",
            f"{SLUG_A},import doctors,at_least,,,,more than a few,,,,1",
            "no-such-department,import porters,exact,3,,,3,,,,2",
        ]
    )
    response = import_preview(curator_client, StaffCount, content)
    assert response.status_code == 200
    result = response.context["result"]
    assert result.has_validation_errors() or result.has_errors()
    assert "confirm_form" not in response.context
    page = response.content.decode()
    assert escape("A figure qualified as 'at least / more than' needs a value.") in page
    assert StaffCount.objects.count() == before


def test_valid_import_previews_then_writes(curator_client, department):
    content = "\n".join(
        [
            CSV_HEADER,
            f"{SLUG_A},import nurses,exact,12,,,12 nurses,,,,0",
            f"{SLUG_B},import nurses,about,30,,,about 30,,,,0",
        ]
    )
    preview = import_preview(curator_client, StaffCount, content)
    assert preview.status_code == 200
    assert not preview.context["result"].has_validation_errors()
    assert not StaffCount.objects.filter(role="import nurses").exists()  # a dry run
    confirm = preview.context["confirm_form"]
    response = curator_client.post(
        admin_url(StaffCount, "process_import"),
        {
            name: confirm.initial[name]
            for name in ("import_file_name", "original_file_name", "format", "resource")
        },
    )
    assert response.status_code == 302
    assert StaffCount.objects.filter(role="import nurses").count() == 2
    written = StaffCount.objects.get(department=department, role="import nurses")
    assert written.history.latest("history_id").history_user.username == "curator"


def test_import_with_one_invalid_row_writes_nothing(curator_client, department):
    """Even a crafted confirm step (skipping the preview) is all-or-nothing."""
    content = "\n".join(
        [
            CSV_HEADER,
            f"{SLUG_A},import nurses,exact,12,,,12 nurses,,,,0",
            f"{SLUG_A},import doctors,unquantified,5,,,dozens,,,,1",
        ]
    )
    storage = TempFolderStorage(encoding="utf-8-sig", read_mode="r")
    storage.save(content.encode())
    before = StaffCount.objects.count()
    response = curator_client.post(
        admin_url(StaffCount, "process_import"),
        {
            "import_file_name": storage.name,
            "original_file_name": "rows.csv",
            "format": "0",
            "resource": "0",
        },
        follow=True,
    )
    assert StaffCount.objects.count() == before
    assert not StaffCount.objects.filter(role="import nurses").exists()
    assert "nothing was written" in response.content.decode()


def test_department_export_json_and_reimport_is_unchanged(curator_client, department):
    page = curator_client.get(admin_url(Department, "export"))
    data = form_data(page, None, format="1")
    data.pop("_save", None)
    response = curator_client.post(admin_url(Department, "export"), data)
    rows = json.loads(response.content)
    assert {row["slug"] for row in rows} >= {SLUG_A, SLUG_B}
    mine = next(row for row in rows if row["slug"] == SLUG_A)
    assert mine["hospital"] == department.hospital.slug

    before = department.history.count()
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("departments.json", json.dumps(rows).encode())
    preview = curator_client.post(
        admin_url(Department, "import"), {"format": "1", "resource": "0", "import_file": upload}
    )
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == len(rows)
    assert department.history.count() == before


# -- granting the editor role ---------------------------------------------------------------------
def test_add_department_editor_existing_user(portal_data):
    user = get_user_model().objects.create_user("existing", password="x-long-password-1")
    call_command("add_department_editor", "existing", SLUG_A, verbosity=0)
    user.refresh_from_db()
    assert user.is_staff
    assert user.groups.filter(name=EDITOR_GROUP).exists()
    assert list(user.edited_departments.values_list("slug", flat=True)) == [SLUG_A]
    call_command("add_department_editor", "existing", SLUG_A, verbosity=0)  # idempotent
    assert DepartmentEditor.objects.filter(user=user).count() == 1


def test_add_department_editor_create(portal_data, capsys):
    call_command("add_department_editor", "newcomer", SLUG_B, "--create")
    user = get_user_model().objects.get(username="newcomer")
    assert user.is_staff and not user.is_superuser
    assert not user.has_usable_password()
    assert user.edited_departments.get().slug == SLUG_B
    assert "Created staff user 'newcomer'" in capsys.readouterr().out


def test_add_department_editor_errors(portal_data):
    with pytest.raises(CommandError, match=r"No user 'ghost'\. Use --create"):
        call_command("add_department_editor", "ghost", SLUG_A)
    get_user_model().objects.create_user("real")
    with pytest.raises(CommandError, match="No department with slug 'fahzu-medical-oncology-9'"):
        call_command("add_department_editor", "real", "fahzu-medical-oncology-9")
    assert not get_user_model().objects.filter(username="ghost").exists()


def test_curator_grants_editor_role_in_admin(curator_client, department):
    user = get_user_model().objects.create_user("granted", is_staff=True)
    page = curator_client.get(admin_url(DepartmentEditor, "add"))
    response = curator_client.post(
        admin_url(DepartmentEditor, "add"),
        form_data(
            page,
            "departmenteditor_form",
            user=str(user.pk),
            department=str(department.pk),
        ),
    )
    assert response.status_code == 302
    assert user.groups.filter(name=EDITOR_GROUP).exists()
    assert department.editors.filter(pk=user.pk).exists()


@pytest.mark.parametrize("token", ["²", "٣", "9" * 40, "-1", "1e3"])
def test_a_malformed_edit_token_is_refused_with_the_conflict_message(
    editor_client, department, token
):
    """Staff input never gives a 500: a token that is not a version number means the form's
    version is unknown, so nothing is saved and the page says why."""
    page = editor_client.get(admin_url(Department, "change", department.pk))
    response = editor_client.post(
        admin_url(Department, "change", department.pk),
        form_data(page, "department_form", phone="0571-4444", edit_token=token),
    )
    assert response.status_code == 200
    assert "Your changes have not been saved" in " ".join(
        response.context["adminform"].form.non_field_errors()
    )
    department.refresh_from_db()
    assert department.phone != "0571-4444"


@pytest.mark.parametrize("value", ["²", "9" * 40, "abc"])
def test_a_malformed_department_filter_in_a_changelist_is_not_a_500(editor_client, value):
    response = editor_client.get(
        admin_url(StaffCount, "changelist"), {"department__id__exact": value}
    )
    assert response.status_code in (200, 302)
