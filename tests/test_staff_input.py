"""No 500s from staff input: export filters the list does not offer, ids typed into history and
revert URLs, a malformed import file, a malformed edit token, and two simultaneous saves of
one department on SQLite (the conflict message, as on PostgreSQL).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile

from departments.models import Department, Hospital, Person, StaffCount
from trials.models import Trial

from .helpers import admin_url, change_form_id, form_data

ROOT = Path(__file__).resolve().parent.parent

BAD_EXPORT_FILTERS = [
    {"nonexistent": "1"},
    {"id__in": "abc"},
    {"id__gt": "\x00"},
    {"department__id__exact": "abc"},
    {"hospital__id__exact": "²"},
]


@pytest.mark.parametrize("model", [Person, StaffCount, Department])
@pytest.mark.parametrize("query", BAD_EXPORT_FILTERS, ids=lambda q: next(iter(q)))
def test_an_export_with_a_filter_the_list_does_not_offer_is_refused_with_a_message(
    curator_client, model, query
):
    response = curator_client.get(admin_url(model, "export"), query)
    assert response.status_code == 302
    assert response["Location"] == admin_url(model, "changelist")
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("The export was not made: its filters are not valid" in m for m in messages)


def test_an_export_filter_through_a_relation_the_list_does_not_offer_is_a_400(curator_client):
    response = curator_client.get(admin_url(Person, "export"), {"department__name__regex": "("})
    assert response.status_code == 400


def test_the_reported_export_url_answers_with_a_message(curator_client):
    response = curator_client.get("/admin/departments/person/export/?nonexistent=1", follow=True)
    assert response.status_code == 200
    assert "The export was not made" in response.content.decode()


def test_an_export_with_the_lists_own_filters_still_works(curator_client, department):
    response = curator_client.get(
        admin_url(Person, "export"), {"department__id__exact": department.pk, "o": "999"}
    )
    assert response.status_code == 200
    assert "export" in response.content.decode().lower()
    download = curator_client.post(
        admin_url(Person, "export") + f"?department__id__exact={department.pk}",
        {"format": "0", "resource": "0", **{f"personresource_{f}": "on" for f in ("name",)}},
    )
    assert download.status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        {"id__in": "abc"},
        {"o": "999"},
        {"o": "1.2.-x"},
        {"p": "-1"},
        {"p": "abc"},
        {"q": "x" * 5000},
        {"nonexistent": "1"},
        {"hospital__id__exact": "9" * 40},
    ],
    ids=lambda q: next(iter(q)),
)
def test_bad_changelist_parameters_never_give_a_500(curator_client, query):
    for model in (Department, Person, Hospital, Trial):
        response = curator_client.get(admin_url(model, "changelist"), query, follow=True)
        assert response.status_code in (200, 400), (model, query)
        assert "Server error" not in response.content.decode()


@pytest.mark.parametrize("object_id", ["abc", "²", "1.5", "%00", "9" * 40])
def test_a_history_page_for_a_malformed_id_is_a_404(curator_client, object_id):
    for model in (Department, Person, Hospital, Trial):
        url = admin_url(model, "changelist") + f"{object_id}/history/"
        assert curator_client.get(url).status_code == 404


@pytest.mark.parametrize("version_id", ["abc", "²", "-1", "9" * 40, "99999999"])
def test_a_revert_page_for_a_malformed_or_missing_version_is_a_404(
    curator_client, department, version_id
):
    url = admin_url(Department, "changelist") + f"{department.pk}/history/{version_id}/"
    assert curator_client.get(url).status_code == 404
    response = curator_client.post(url, {"name": "reverted"})
    assert response.status_code == 404
    department.refresh_from_db()
    assert department.name != "reverted"


def test_a_change_page_for_a_malformed_id_says_so(curator_client):
    response = curator_client.get(admin_url(Department, "change", "²"), follow=True)
    assert response.status_code == 200
    assert "doesn’t exist" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "fmt"),
    [
        ("rows.csv", b"\xff\xfe\x00garbage\x00\x01", "0"),
        ("rows.csv", b'department,role\n"unterminated', "0"),
        ("rows.json", b"{not json", "1"),
        ("rows.json", b'{"a": 1}', "1"),
        ("rows.csv", b"", "0"),
    ],
)
def test_a_malformed_import_file_is_refused_with_a_message(curator_client, name, content, fmt):
    before = StaffCount.objects.count()
    upload = SimpleUploadedFile(name, content)
    response = curator_client.post(
        admin_url(StaffCount, "import"),
        {"format": fmt, "resource": "0", "import_file": upload},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert any(
        sign in page for sign in ("errornote", "errorlist", "not applied", "failed to validate")
    )
    assert StaffCount.objects.count() == before


def test_the_malformed_edit_token_still_answers_with_the_conflict_message(
    curator_client, department
):
    url = admin_url(Department, "change", department.pk)
    page = curator_client.get(url)
    response = curator_client.post(
        url, form_data(page, change_form_id(Department), phone="0571-9999", edit_token="²")
    )
    assert response.status_code == 200
    assert "Your changes have not been saved" in response.content.decode()
    department.refresh_from_db()
    assert department.phone != "0571-9999"


def test_two_simultaneous_saves_on_sqlite_give_one_save_and_the_conflict_message(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'simultaneous.sqlite3'}",
        "DJANGO_TESTING": "true",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-m", "tests.sqlite_simultaneous_saves"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    statuses = sorted(o["status"] for o in outcome["outcomes"])
    assert statuses == [200, 302], outcome
    refused = next(o for o in outcome["outcomes"] if o["status"] == 200)
    assert refused["conflict"] and not refused["locked"]
    assert outcome["phone"] in ("0571-0000", "0571-0001")
    assert outcome["history"] == 2  # created, then the one save; the refused one wrote nothing
