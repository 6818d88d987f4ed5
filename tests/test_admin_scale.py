"""Staff pages stay fast at national scale (50,000 departments, 500,000 trial sites).

Measured at the seed data, then again after adding a few hundred departments, hospitals and
trials: every changelist and a department's change page run the same number of queries, the
change page stays light and offers no long <select>, list filters render no link per row of a
growing table, and every choice over another table is an autocomplete, scoped for editors.
"""

import re
from html import unescape

import pytest
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteMixin, RelatedFieldWidgetWrapper
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.models import (
    CancerType,
    Department,
    DepartmentCancerType,
    Hospital,
    Person,
    Source,
)
from oncology_portal.synthetic import generate_synthetic_data
from trials.models import Trial, TrialSite

from .helpers import MO3, SLUG_A, SLUG_B, admin_url, form_data, make_curator, make_editor

pytestmark = pytest.mark.django_db

PROJECT_APPS = ("departments", "trials")
PROJECT_ADMINS = sorted(
    (
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in PROJECT_APPS
    ),
    key=lambda pair: pair[0]._meta.label,
)
# Tables that grow with the directory: a list filter over them would render a link per row.
GROWING = {Department, Hospital, Trial, Person, TrialSite}

MAX_PAGE_BYTES = 400_000
MAX_OPTIONS = 100
MAX_FILTER_LINKS = 60


def grow():
    """A few hundred more rows everywhere (the seed data holds about ten departments)."""
    generate_synthetic_data(departments=200, hospitals=20, cities=5, trials=300, seed=1)


def measure(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context), response


def pages():
    """Every project changelist, a seed department's change page and two autocompletes."""
    department = Department.objects.get(slug=MO3)
    urls = {model._meta.label: admin_url(model, "changelist") for model, _ in PROJECT_ADMINS}
    urls["department change"] = admin_url(Department, "change", department.pk)
    autocomplete = reverse("admin:autocomplete")
    urls["trial autocomplete"] = (
        f"{autocomplete}?app_label=trials&model_name=trialsite&field_name=trial&term=a"
    )
    urls["department autocomplete"] = (
        f"{autocomplete}?app_label=departments&model_name=person&field_name=department&term=o"
    )
    return urls


def query_counts(client, urls):
    for url in urls.values():  # warm per-process caches (content types, permissions)
        client.get(url)
    return {name: measure(client, url)[0] for name, url in urls.items()}


# -- queries do not grow with the data ------------------------------------------------------------
def test_curator_pages_run_the_same_queries_at_any_scale(client, portal_data):
    client.force_login(make_curator())
    urls = pages()
    before = query_counts(client, urls)
    grow()
    assert query_counts(client, urls) == before


def test_editor_pages_run_the_same_queries_at_any_scale(client, portal_data):
    client.force_login(make_editor("scale_editor", MO3))
    department = Department.objects.get(slug=MO3)
    urls = {
        "department change": admin_url(Department, "change", department.pk),
        "department list": admin_url(Department, "changelist"),
        "trial sites": admin_url(TrialSite, "changelist"),
        "cancer types treated": admin_url(DepartmentCancerType, "changelist"),
    }
    before = query_counts(client, urls)
    grow()
    assert query_counts(client, urls) == before


# -- the department's change page -----------------------------------------------------------------
def select_sizes(html):
    return {
        name: body.count("<option")
        for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S)
    }


@pytest.mark.parametrize("who", ["curator", "editor"])
def test_change_page_is_light_and_has_no_long_select(client, portal_data, who):
    grow()
    seed = Department.objects.get(slug=MO3)
    synthetic = Department.objects.exclude(pk=seed.pk).order_by("-pk").first()
    if who == "curator":
        client.force_login(make_curator())
        departments = [seed, synthetic]
    else:
        client.force_login(make_editor("light_editor", MO3))
        departments = [seed]
    for department in departments:
        html = client.get(admin_url(Department, "change", department.pk)).content.decode()
        assert len(html.encode()) < MAX_PAGE_BYTES, department.slug
        sizes = select_sizes(html)
        assert sizes, "the page has selects (choice fields)"
        assert max(sizes.values()) <= MAX_OPTIONS, sorted(sizes.items(), key=lambda kv: -kv[1])[:5]


def test_change_page_names_each_rows_chosen_options(client, portal_data):
    """The inline autocompletes name their chosen option (read with the row, not per widget)."""
    client.force_login(make_editor("naming_editor", MO3))
    department = Department.objects.get(slug=MO3)
    html = client.get(admin_url(Department, "change", department.pk)).content.decode()
    links = list(department.cancer_type_links.select_related("cancer_type", "source"))
    assert links
    for link in links:
        row = re.search(rf'name="cancer_type_links-(\d+)-id" value="{link.pk}"', html).group(1)
        options = chosen_options(html, f"cancer_type_links-{row}-cancer_type")
        assert options == [(str(link.cancer_type_id), link.cancer_type.name)]
        if link.source_id:
            assert chosen_options(html, f"cancer_type_links-{row}-source") == [
                ("", ""),
                (str(link.source_id), str(link.source)),
            ]


def chosen_options(html, name):
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
    return [(value, unescape(label)) for value, label in options]


def autocomplete_widget(formfield):
    widget = formfield.widget
    if isinstance(widget, RelatedFieldWidgetWrapper):
        widget = widget.widget
    return isinstance(widget, AutocompleteMixin)


def choice_fields(form_class):
    return {
        name: field
        for name, field in form_class.base_fields.items()
        if hasattr(field, "queryset") and name not in ("id",)
    }


def test_every_choice_over_another_table_is_an_autocomplete(rf, portal_data):
    """In every project admin and inline (the department's page included), a <select> over
    another table would list all of it: each is an autocomplete (not a raw id either)."""
    request = rf.get("/admin/")
    request.user = make_curator()
    department = Department.objects.get(slug=SLUG_A)
    problems = []
    for model, model_admin in PROJECT_ADMINS:
        obj = department if model is Department else model._default_manager.first()
        assert not model_admin.raw_id_fields, model
        form = model_admin.get_form(request, obj)
        for name, field in choice_fields(form).items():
            if not autocomplete_widget(field):
                problems.append(f"{model._meta.label}.{name}")
        for inline in model_admin.get_inline_instances(request, obj):
            assert not inline.raw_id_fields, inline
            formset = inline.get_formset(request, obj)
            fk = getattr(formset, "fk", None)
            for name, field in choice_fields(formset.form).items():
                if fk is not None and name == fk.name:
                    continue  # the parent: set by the formset, not chosen
                if not autocomplete_widget(field):
                    problems.append(f"{type(inline).__name__}.{name}")
    assert problems == []


# -- changelists ----------------------------------------------------------------------------------
def test_no_list_filter_over_a_growing_table():
    for model, model_admin in PROJECT_ADMINS:
        for entry in model_admin.list_filter:
            path = entry[0] if isinstance(entry, tuple) else entry
            if not isinstance(path, str):
                continue  # a SimpleListFilter: checked by the rendered sidebar below
            opts = model._meta
            for part in path.split("__"):
                field = opts.get_field(part)
                if field.is_relation:
                    opts = field.related_model._meta
            relation = field.related_model if field.is_relation else None
            assert relation not in GROWING, f"{model._meta.label} filters on {path}"


def filter_links(html):
    sidebar = re.search(r'<nav id="changelist-filter".*?</nav>', html, re.S)
    return sidebar.group(0).count("<a ") if sidebar else 0


def test_changelist_filters_stay_short_and_counts_cheap(client, portal_data):
    grow()
    client.force_login(make_curator())
    for model, model_admin in PROJECT_ADMINS:
        assert model_admin.show_full_result_count is False, model
        response = client.get(admin_url(model, "changelist"))
        assert response.status_code == 200
        assert filter_links(response.content.decode()) < MAX_FILTER_LINKS, model


def test_department_filter_shows_the_chosen_department_only(client, portal_data):
    grow()
    a, b = Department.objects.get(slug=SLUG_A), Department.objects.get(slug=SLUG_B)
    client.force_login(make_curator())
    url = admin_url(DepartmentCancerType, "changelist")
    response = client.get(url, {"department__id__exact": a.pk})
    listed = response.context["cl"].result_list
    assert listed and {row.department_id for row in listed} == {a.pk}
    sidebar = re.search(r'<nav id="changelist-filter".*?</nav>', response.content.decode(), re.S)
    assert a.name in sidebar.group(0)
    assert b.name not in sidebar.group(0)
    assert client.get(url, {"department__id__exact": "x"}).status_code in (200, 302)


def test_editor_filter_never_names_another_department(client, portal_data):
    a, b = Department.objects.get(slug=SLUG_A), Department.objects.get(slug=SLUG_B)
    client.force_login(make_editor("filter_editor", SLUG_A))
    for model in (DepartmentCancerType, TrialSite, Department):
        param = "hospital__id__exact" if model is Department else "department__id__exact"
        value = b.hospital_id if model is Department else b.pk
        html = client.get(admin_url(model, "changelist"), {param: value}).content.decode()
        assert b.name not in html, model
        if model is Department and b.hospital_id != a.hospital_id:
            assert b.hospital.display_name not in html


# -- autocompletes --------------------------------------------------------------------------------
def autocomplete(client, model, field_name, term=""):
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": model._meta.app_label,
            "model_name": model._meta.model_name,
            "field_name": field_name,
            "term": term,
        },
    )
    return response


def test_editor_autocompletes_return_only_their_departments_rows(client, portal_data):
    grow()
    own = Department.objects.get(slug=SLUG_A)
    other = Department.objects.get(slug=SLUG_B)
    mine = Person.objects.create(department=own, name="Autocomplete Own Person")
    theirs = Person.objects.create(department=other, name="Autocomplete Other Person")
    client.force_login(make_editor("autocomplete_editor", SLUG_A))

    for model, field_name in [(TrialSite, "department"), (Person, "department")]:
        for term in ("", "a", "Oncology", other.name[:12]):
            results = autocomplete(client, model, field_name, term).json()["results"]
            assert {int(r["id"]) for r in results} <= {own.pk}, (model, term)

    people = autocomplete(client, Department, "leader", "Autocomplete").json()["results"]
    assert {int(r["id"]) for r in people} == {mine.pk}
    assert str(theirs.pk) not in {r["id"] for r in people}
    # Sources are shared documents: editors pick any.
    assert autocomplete(client, DepartmentCancerType, "source").status_code == 200
    # Vocabulary for their rows: all of it; hospitals, trials' pages and users: not theirs.
    cancer_types = autocomplete(client, DepartmentCancerType, "cancer_type").json()["results"]
    assert len(cancer_types) == min(CancerType.objects.count(), 20)
    assert autocomplete(client, Department, "hospital").status_code == 403
    assert autocomplete(client, TrialSite, "trial").status_code == 200
    assert autocomplete(client, Department, "source").status_code == 200


def test_source_autocomplete_is_for_staff_who_edit(client, portal_data):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_user("nobody", is_staff=True))
    assert autocomplete(client, DepartmentCancerType, "source").status_code == 403
    client.force_login(make_curator())
    results = autocomplete(client, DepartmentCancerType, "source").json()["results"]
    assert {int(r["id"]) for r in results} <= set(Source.objects.values_list("pk", flat=True))
    assert results


def test_a_large_trial_centre_edits_its_first_trials_inline_and_keeps_the_rest(curator_client):
    """A department in hundreds of trials: the change page holds the first 50 trial sites and
    links to the full list; saving it leaves every other trial site as it was."""
    department = Department.objects.get(slug=MO3)
    source = department.source
    trials = Trial.objects.bulk_create(
        Trial(name=f"Inline Cap Trial {i:03d}", slug=f"inline-cap-{i:03d}", source=source)
        for i in range(70)
    )
    TrialSite.objects.bulk_create(
        TrialSite(trial=trial, department=department, source=source, sort_order=100 + i)
        for i, trial in enumerate(trials)
    )
    total = department.trial_sites.count()
    url = admin_url(Department, "change", department.pk)
    response = curator_client.get(url)
    html = response.content.decode()
    assert html.count('name="trial_sites-') > 0
    shown = len(set(re.findall(r'name="trial_sites-(\d+)-id"', html)))
    assert shown == 50
    assert f"the first 50 of {total}" in html
    assert f"?department__id__exact={department.pk}" in html
    response = curator_client.post(url, form_data(response, "department_form"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert department.trial_sites.count() == total
