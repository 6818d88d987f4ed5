"""Chinese versions of departments' and hospitals' own texts, entered by staff in admin.

A department's staff write a Chinese version beside the English in admin; the Chinese page
shows it, the English page never does, and where there is none the Chinese page shows the
English marked lang="en" with the "available in English only" note. History records the
Chinese versions (a revert restores them), the edit token guards them, the page cache shows a
save at once in both languages, and the open data (JSON API, FHIR) stays English.

The Chinese strings below are test input typed by a "staff member", not translations of the
sources: fixtures and seeds stay English.
"""

import json
import re
from html import escape
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from departments.models import AnnualStatistic, Department, Hospital, Programme
from departments.translation import side_by_side, translated_fields
from trials.models import TrialActivity

from .helpers import BREAST, MO3, SLUG_A, _FormParser, admin_url, form_data, make_editor

ZH = "/zh-hans"
NOTE = "本科室页面仅有英文版本"
SUMMARY_ZH = "测试用中文简介：科室工作人员在管理后台填写的中文版本。"
NAME_ZH = "测试科室中文名"
PROGRAMME_ZH = "测试项目中文名"
METRIC_ZH = "测试统计项中文说明"


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    """A /zh-hans/ request leaves Chinese active in the test thread; reset it afterwards."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def visitor():
    """An anonymous visitor (no session: served from the page cache when it is on)."""
    return Client()


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response


def html(client, url):
    return page(client, url).content.decode()


def main(text):
    """The page's <main> (the header and footer are interface, not the department's words)."""
    return text.split("<main", 1)[1].split("</main>", 1)[0]


def en_url(record):
    """A record's English page (reverse() follows the active language, and a /zh-hans/ request
    leaves Chinese active in the test thread)."""
    with translation.override(settings.LANGUAGE_CODE):
        return record.get_absolute_url()


def save_department(client, department, **changes):
    change_url = admin_url(Department, "change", department.pk)
    form = client.get(change_url)
    assert form.status_code == 200
    return client.post(change_url, form_data(form, "department_form", **changes))


# -- the test the issue asks for --------------------------------------------------------------
def test_a_staff_entered_chinese_summary_shows_on_the_chinese_page_and_not_the_english_one(
    page_cache_on, visitor, editor_client, department
):
    url = en_url(department)
    english_summary = escape(department.summary)
    assert department.summary and not department.summary_zh_hans

    # Before: the Chinese page shows the English summary, marked, with the note.
    before = html(visitor, ZH + url)
    assert f'<p><span lang="en">{english_summary}</span></p>' in before
    assert NOTE in before
    assert page(visitor, ZH + url)["X-Page-Cache"] == "hit"
    assert page(visitor, url)["X-Page-Cache"] == "miss"
    assert page(visitor, url)["X-Page-Cache"] == "hit"

    # A department editor writes a Chinese summary beside the English one in admin.
    response = save_department(editor_client, department, summary_zh_hans=SUMMARY_ZH)
    assert response.status_code == 302, response.content.decode()[:2000]
    department.refresh_from_db()
    assert department.summary_zh_hans == SUMMARY_ZH

    # At once, with the page cache on: the Chinese page shows it, as Chinese (no lang="en") …
    chinese = page(visitor, ZH + url)
    assert chinese["X-Page-Cache"] == "miss"
    chinese = chinese.content.decode()
    assert f"<p>{SUMMARY_ZH}</p>" in chinese
    assert f'<meta name="description" content="{SUMMARY_ZH}">' in chinese
    assert f'<span lang="en">{english_summary}</span>' not in chinese
    assert NOTE not in chinese  # the department has given its page a Chinese version
    # … the English page never does, and still shows the English summary.
    english = page(visitor, url)
    assert english["X-Page-Cache"] == "miss"
    english = english.content.decode()
    assert SUMMARY_ZH not in english
    assert f"<p>{english_summary}</p>" in english
    # The directory's cards too.
    assert SUMMARY_ZH in main(html(visitor, ZH + "/departments/"))
    assert SUMMARY_ZH not in html(visitor, "/departments/")


def test_without_a_chinese_version_the_english_is_shown_marked_with_the_note(
    visitor, portal_data
):
    department = Department.objects.get(slug=SLUG_A)
    chinese = html(visitor, ZH + en_url(department))
    assert f'<h1><span lang="en">{escape(department.name)}</span></h1>' in chinese
    assert NOTE in chinese
    assert NOTE not in html(visitor, en_url(department))


# -- names and the department's other texts, entered in the same admin form --------------------
def test_name_and_section_rows_in_chinese_from_the_admin_form(visitor, client, portal_data):
    department = Department.objects.get(slug=MO3)  # it has programmes and statistics
    editor_client = client
    editor_client.force_login(make_editor("editor_mo3", MO3))
    programme = department.programmes.order_by("sort_order", "pk").first()
    statistic = department.annualstatistics.order_by("sort_order", "pk").first()
    assert programme is not None and statistic is not None
    form = editor_client.get(admin_url(Department, "change", department.pk))
    fields = form_data(form, "department_form")
    # The inline rows carry the Chinese columns; find this programme's and statistic's rows.
    rows = {"programmes": programme, "annualstatistics": statistic}
    prefixes = {}
    for name, values in fields.items():
        match = re.fullmatch(r"(programmes|annualstatistics)-(\d+)-id", name)
        if match and values == [str(rows[match[1]].pk)]:
            prefixes[match[1]] = f"{match[1]}-{match[2]}"
    assert set(prefixes) == {"programmes", "annualstatistics"}, sorted(fields)[:40]
    changes = {
        "name_zh_hans": NAME_ZH,
        f"{prefixes['programmes']}-name_zh_hans": PROGRAMME_ZH,
        f"{prefixes['annualstatistics']}-metric_zh_hans": METRIC_ZH,
    }
    response = editor_client.post(
        admin_url(Department, "change", department.pk),
        form_data(form, "department_form", **changes),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    programme.refresh_from_db()
    statistic.refresh_from_db()
    assert programme.name_zh_hans == PROGRAMME_ZH and statistic.metric_zh_hans == METRIC_ZH

    url = en_url(department)
    chinese = html(visitor, ZH + url)
    assert f"<h1>{NAME_ZH}</h1>" in chinese
    assert f"<strong>{PROGRAMME_ZH}</strong>" in chinese
    assert METRIC_ZH in chinese
    # A programme with no Chinese description keeps its English one, marked.
    if programme.description:
        assert f'<span lang="en">{escape(programme.description)}</span>' in chinese
    english = html(visitor, url)
    for text in (NAME_ZH, PROGRAMME_ZH, METRIC_ZH):
        assert text not in english
    assert f"<h1>{escape(department.name)}</h1>" in english
    # The Chinese name is the department's name wherever Chinese pages list it.
    assert NAME_ZH in main(html(visitor, ZH + "/departments/"))
    assert NAME_ZH in main(html(visitor, ZH + en_url(department.hospital)))
    assert NAME_ZH not in html(visitor, "/departments/")
    # The English name still orders the directory, in both languages alike.
    slugs = re.compile(r'<h3><a href="(?:/zh-hans)?/departments/([^/"]+)/">')
    english_order = slugs.findall(html(visitor, "/departments/"))
    assert department.slug in english_order
    assert slugs.findall(html(visitor, ZH + "/departments/")) == english_order


def test_trial_activity_rows_have_chinese_versions_too(visitor, portal_data):
    activity = TrialActivity.objects.select_related("department").order_by("pk").first()
    activity.label_zh_hans = "测试试验活动中文说明"
    activity.save()
    url = en_url(activity.department)
    assert "测试试验活动中文说明" in html(visitor, ZH + url)
    assert "测试试验活动中文说明" not in html(visitor, url)


def test_hospital_description_in_chinese_from_the_hospital_admin(curator_client, visitor):
    hospital = Hospital.objects.exclude(description="").order_by("pk").first()
    assert hospital is not None
    change_url = admin_url(Hospital, "change", hospital.pk)
    form = curator_client.get(change_url)
    text = form.content.decode()
    assert 'name="description_zh_hans"' in text
    response = curator_client.post(
        change_url,
        form_data(form, "hospital_form", description_zh_hans="测试医院中文介绍。"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    chinese = html(visitor, ZH + en_url(hospital))
    assert '<div class="prose"><p>测试医院中文介绍。</p></div>' in chinese
    english = html(visitor, en_url(hospital))
    assert "测试医院中文介绍" not in english
    assert escape(hospital.description.split("\n")[0][:40]) in english


# -- admin: both languages side by side ---------------------------------------------------------
def _form_row(text, field):
    """The classes of the admin form row that holds `field`."""
    match = re.search(rf'<div class="form-row([^"]*\bfield-{field}\b[^"]*)">', text)
    return match[1].split() if match else []


def test_admin_shows_each_chinese_version_beside_its_english(editor_client, department):
    text = editor_client.get(admin_url(Department, "change", department.pk)).content.decode()
    for field in ("name", "summary", "description", "mission", "goals", "address"):
        # One line holds the English field and its Chinese version.
        assert {f"field-{field}", f"field-{field}_zh_hans"} <= set(_form_row(text, field)), field
    assert "Summary — Chinese (简体中文)" in text
    assert "never a machine translation" in text
    # In the section tables the Chinese column follows the English one.
    first = re.search(r'name="(programmes-\d+)-name"', text)[1]
    order = [
        text.index(f'name="{first}-{name}"') for name in ("name", "name_zh_hans", "description")
    ]
    assert order == sorted(order)
    assert f'name="{first}-description_zh_hans"' in text
    # Editors still may not move the department or change its URL.
    assert 'name="slug"' not in text and 'name="hospital"' not in text


def test_every_translated_field_has_a_history_column_and_pairs_in_admin():
    """History must record the Chinese versions (else a revert would leave them as they were)."""
    for model in (Department, Hospital, Programme, AnnualStatistic, TrialActivity):
        names = translated_fields(model)
        assert names, model
        history_fields = {f.name for f in model.history.model._meta.fields}
        for name in names:
            assert f"{name}_zh_hans" in history_fields, (model, name)
            assert not model._meta.get_field(f"{name}_zh_hans").null  # blank, never NULL
    assert side_by_side(Department, ["summary", "summary_zh_hans", "phone"]) == [
        ("summary", "summary_zh_hans"),
        "phone",
    ]
    assert side_by_side(Department, ["summary", "phone"], flat=True) == [
        "summary",
        "summary_zh_hans",
        "phone",
    ]


def test_the_largest_department_form_still_saves_as_a_browser_posts_it(client, portal_data):
    """A browser posts every control of the form, the empty "add another" rows included; with
    the Chinese columns the largest seed department sends over Django's default 1,000 fields
    (settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)."""
    client.force_login(make_editor("editor_breast", BREAST))
    department = Department.objects.get(slug=BREAST)
    change_url = admin_url(Department, "change", department.pk)
    parser = _FormParser("department_form")
    parser.feed(client.get(change_url).content.decode())
    fields = [(n, v) for n, v in parser.data if n != "summary_zh_hans"]
    fields += [("summary_zh_hans", SUMMARY_ZH), ("_save", "Save")]
    assert len(fields) > 1000  # what the default limit refused
    assert len(fields) < settings.DATA_UPLOAD_MAX_NUMBER_FIELDS / 2  # room for more rows
    response = client.post(
        change_url, urlencode(fields), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 302
    department.refresh_from_db()
    assert department.summary_zh_hans == SUMMARY_ZH


# -- records: history with revert, no lost updates --------------------------------------------
def test_revert_restores_the_chinese_version(editor_client, department):
    assert save_department(editor_client, department, summary_zh_hans="第一版。").status_code == 302
    assert save_department(editor_client, department, summary_zh_hans="第二版。").status_code == 302
    department.refresh_from_db()
    assert department.summary_zh_hans == "第二版。"
    first = department.history.filter(summary_zh_hans="第一版。").latest("history_id")
    revert_url = admin_url(Department, "simple_history", department.pk, first.history_id)
    form = editor_client.get(revert_url)
    assert form.status_code == 200 and "第一版。" in form.content.decode()
    response = editor_client.post(revert_url, form_data(form, "historicaldepartment_form"))
    assert response.status_code == 302
    department.refresh_from_db()
    assert department.summary_zh_hans == "第一版。"
    assert department.history.latest("history_id").summary_zh_hans == "第一版。"


def test_a_stale_form_cannot_overwrite_a_chinese_version(client, editor, department):
    client.force_login(editor)
    change_url = admin_url(Department, "change", department.pk)
    stale = client.get(change_url)
    assert save_department(client, department, summary_zh_hans="先保存的版本。").status_code == 302
    response = client.post(
        change_url, form_data(stale, "department_form", summary_zh_hans="过时表单的版本。")
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Conflict" in text and "Summary — Chinese (简体中文)".lower() in text.lower()
    department.refresh_from_db()
    assert department.summary_zh_hans == "先保存的版本。"


# -- the open data stays English --------------------------------------------------------------
def test_api_and_fhir_stay_english(client, portal_data):
    department = Department.objects.get(slug=SLUG_A)
    department.summary_zh_hans = SUMMARY_ZH
    department.name_zh_hans = NAME_ZH
    department.save()
    programme = department.programmes.first()
    programme.name_zh_hans = PROGRAMME_ZH
    programme.save()
    api = client.get(f"/api/v1/departments/{department.slug}/")
    assert api.status_code == 200
    body = json.dumps(api.json(), ensure_ascii=False)
    assert "_zh_hans" not in body
    for text in (SUMMARY_ZH, NAME_ZH, PROGRAMME_ZH):
        assert text not in body
    assert api.json()["name"] == department.name and api.json()["summary"] == department.summary
    fhir = client.get("/fhir/Organization", {"_count": "50"})
    assert fhir.status_code == 200
    assert NAME_ZH not in fhir.content.decode() and SUMMARY_ZH not in fhir.content.decode()
