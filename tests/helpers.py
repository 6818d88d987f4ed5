"""Helpers shared by the tests: seed slugs, admin users and forms, bulk data, axe-core.

Fixtures built on them (the live server, the browser page, editor and curator clients) are in
tests/conftest.py.
"""

import os
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from departments.models import (
    CancerType,
    Department,
    DepartmentCancerType,
    DepartmentService,
    Designation,
    Hospital,
    Service,
    StaffCount,
)
from departments.permissions import CURATOR_GROUP, grant_department_editor
from oncology_portal.rankindex import rebuild_all
from trials.models import Intervention, Trial, TrialActivity, TrialSite

# The seed departments (fixtures/seeds/).
MO1 = "fahzu-medical-oncology-1"
MO3 = "fahzu-medical-oncology-3"
HOSP_1955 = "cancer-hospital-1955-oncology-department"
BREAST = "zhejiang-cancer-hospital-breast-medical-oncology"
JILIN = "jilin-first-hospital-radiation-oncology"

# The admin tests' two departments: an editor of A must not reach B.
SLUG_A = MO1
SLUG_B = BREAST
PASSWORD = "a-long-test-password-9"


# --- admin ---------------------------------------------------------------------------------------


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def make_editor(username, *slugs):
    user = get_user_model().objects.create_user(username, password=PASSWORD)
    for slug in slugs:
        grant_department_editor(user=user, department=Department.objects.get(slug=slug))
    return user


def make_curator(username="curator"):
    user = get_user_model().objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=CURATOR_GROUP))
    return user


class _FormParser(HTMLParser):
    """Collects what a browser would submit from one <form>: inputs, selects, textareas."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.data = []
        self._select = None
        self._select_multiple = False
        self._option_value = None
        self._option_selected = False
        self._option_text = ""
        self._select_options = []
        self._textarea = None
        self._textarea_text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (self.form_id is None or attrs.get("id") == self.form_id):
            self.in_form = True
            return
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = name
            self._select_multiple = "multiple" in attrs
            self._select_options = []
        elif tag == "option" and self._select:
            self._option_value = attrs.get("value")
            self._option_selected = "selected" in attrs
            self._option_text = ""
        elif tag == "textarea" and name:
            self._textarea = name
            self._textarea_text = ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea_text += data
        elif self._option_value is not None or self._select:
            self._option_text += data

    def handle_endtag(self, tag):
        if tag == "form" and self.in_form:
            self.in_form = False
        elif tag == "option" and self._select:
            value = self._option_value if self._option_value is not None else self._option_text
            self._select_options.append((value.strip(), self._option_selected))
            self._option_value = None
        elif tag == "select" and self._select:
            chosen = [value for value, selected in self._select_options if selected]
            if not chosen and not self._select_multiple and self._select_options:
                chosen = [self._select_options[0][0]]
            self.data.extend((self._select, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = self._textarea_text
            # Browsers drop the one newline that follows <textarea>.
            self.data.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None


def form_data(response, form_id=None, **changes):
    """The POST a browser would send from the page's form, with `changes` applied.

    Returns a dict of lists (for `client.post`); a change of None removes a field.
    """
    parser = _FormParser(form_id)
    parser.feed(response.content.decode())
    data = {}
    for name, value in parser.data:
        if "__prefix__" in name:
            continue
        data.setdefault(name, []).append(value)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value if isinstance(value, list) else [value]
    data.setdefault("_save", ["Save"])
    return data


def change_form_id(model):
    return f"{model._meta.model_name}_form"


# --- the search page ----------------------------------------------------------------------------

# A ranked department on the search page, English or Chinese: its slug.
RESULT_LINK = re.compile(
    r'<li class="card search-result">\s*<h3><a href="(?:/zh-hans)?/departments/([\w-]+)/">', re.S
)


def search_page(client, query, url="/search/", **params):
    """The search page for `query` (English unless `url` says otherwise), asserted 200."""
    response = client.get(url, {"q": query, **params})
    assert response.status_code == 200
    return response


def result_slugs(response):
    """The ranked departments' slugs, in the page's order."""
    return RESULT_LINK.findall(response.content.decode())


def ranked_slugs(client, query):
    """The departments the English search page ranks for `query`, best first."""
    return result_slugs(search_page(client, query))


def assert_ranked(slugs, query, must, must_not, first):
    """A referrer table row: `must` among the results, `must_not` absent, `first` first, and
    each department once."""
    for slug in must:
        assert slug in slugs, f"{query!r}: expected {slug} in {slugs}"
    for slug in must_not:
        assert slug not in slugs, f"{query!r}: {slug} must not appear in {slugs}"
    if first:
        assert slugs[0] == first, f"{query!r}: expected {first} first, got {slugs}"
    assert len(slugs) == len(set(slugs)), "a department appears once"


# --- bulk data for query-count tests ------------------------------------------------------


def make_bulk_data(n=200):
    """Create `n` departments (each with links, figures and a trial) and `n` trials."""
    hospital = Hospital.objects.create(
        name="Bulk Test Hospital", slug="bulk-test-hospital", city="Testville", province="Testland"
    )
    cancer_types = list(CancerType.objects.order_by("pk")[:20])
    services = list(Service.objects.order_by("pk")[:10])
    intervention = Intervention.objects.first()
    departments = Department.objects.bulk_create(
        Department(
            hospital=hospital,
            name=f"Bulk Department {i:03d}",
            slug=f"bulk-department-{i:03d}",
            kind=Department.Kind.MEDICAL,
            summary="A generated department for query-count tests.",
        )
        for i in range(n)
    )
    DepartmentCancerType.objects.bulk_create(
        DepartmentCancerType(
            department=d, cancer_type=cancer_types[i % len(cancer_types)], wording="generated"
        )
        for i, d in enumerate(departments)
    )
    DepartmentService.objects.bulk_create(
        DepartmentService(department=d, service=services[i % len(services)])
        for i, d in enumerate(departments)
    )
    StaffCount.objects.bulk_create(
        StaffCount(department=d, role="staff", qualifier="at_least", value=10, wording="over 10")
        for d in departments
    )
    Designation.objects.bulk_create(
        Designation(department=d, name="Generated designation") for d in departments
    )
    trials = Trial.objects.bulk_create(
        Trial(name=f"BULK-{i:03d}", slug=f"bulk-{i:03d}", phase="2", status="recruiting")
        for i in range(n)
    )
    Trial.cancer_types.through.objects.bulk_create(
        Trial.cancer_types.through(trial=t, cancertype=cancer_types[i % len(cancer_types)])
        for i, t in enumerate(trials)
    )
    if intervention:
        Trial.interventions.through.objects.bulk_create(
            Trial.interventions.through(trial=t, intervention=intervention) for t in trials
        )
    TrialSite.objects.bulk_create(
        TrialSite(trial=t, department=d) for t, d in zip(trials, departments, strict=True)
    )
    TrialActivity.objects.bulk_create(
        TrialActivity(
            department=d, label="generated trials", qualifier="at_least", value=5, wording="over 5"
        )
        for d in departments
    )
    rebuild_all()  # bulk_create sends no signals: rebuild the search index, as the generator does
    return departments, trials


# --- accessibility -------------------------------------------------------------------------------


def axe_violations(browser_page):
    """Run axe-core (WCAG 2.1 A/AA and best-practice rules) and return its violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        browser_page,
        options={
            "runOnly": {
                "type": "tag",
                "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
            },
            "resultTypes": ["violations"],
        },
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results.response["violations"]
    ]


# --- real services ------------------------------------------------------------------------------


def unavailable(message):
    """A real service the test needs is missing: skipped on a developer's machine, a failure
    in CI (CI installs and starts PostgreSQL, Redis and Chromium itself)."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def require_redis(url):
    """Redis reachable at `url`, else unavailable()."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError as exc:
        unavailable(f"Redis is not reachable at {url}: {exc}")
