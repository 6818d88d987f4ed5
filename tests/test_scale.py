"""Pages whose size and query count do not grow with the directory.

Every public page type is fetched with the seed data, then again after generating a directory
of a couple of thousand departments and trials (oncology_portal.synthetic): the number of
queries stays the same and no page exceeds 100 KB of HTML. Long lists are capped with a link
to the full, filtered list.
"""

import re

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.dataversion import bump_data_version
from departments.models import Department, Hospital
from departments.search import get_vocabulary
from oncology_portal.synthetic import generate_synthetic_data, remove_synthetic_data
from trials.apps import DEPARTMENT_PAGE_TRIALS
from trials.models import Trial, TrialSite

from .helpers import make_bulk_data

MAX_HTML_BYTES = 100 * 1024

PAGES = [
    "/",
    "/search/?q=breast",
    "/search/?q=HCC",
    "/search/?q=CAR-T+for+liver+cancer",
    "/search/?q=chemotherapy",
    "/search/?q=HCC&page=3",
    "/departments/",
    "/departments/?cancer_type=liver-cancer",
    "/departments/?runs_trials=true&ordering=-founded",
    "/departments/fahzu-medical-oncology-3/",
    "/hospitals/",
    "/hospitals/fahzu/",
    "/cancer-types/",
    "/cancer-types/breast-cancer/",
    "/cancer-types/hepatocellular-carcinoma/",
    "/cancer-types/digestive-system-cancers/",
    "/trials/",
    "/trials/?cancer_type=liver-cancer&phase=3",
    "/trials/imbrave150/",
]


def measure(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), len(response.content)


@pytest.fixture
def generated(portal_data):
    """A few hundred departments, enough to overflow every capped list."""
    return generate_synthetic_data(departments=500, hospitals=8, cities=3, trials=1200, seed=11)


def busiest_hospital():
    return Hospital.objects.annotate(n=Count("departments")).order_by("-n", "pk").first()


def busiest_department():
    return Department.objects.annotate(n=Count("trial_sites")).order_by("-n", "pk").first()


def test_query_counts_and_page_sizes_do_not_grow_with_the_data(client, portal_data):
    """Guards against N+1 queries and unbounded lists on every public page type: the same
    queries with 300 and with 1,500 generated departments (every list non-empty at both), and
    no page over 100 KB, with the seed data or the larger directory."""
    get_vocabulary()  # built once per vocabulary version, not per page: not counted here
    seed = {url: measure(client, url) for url in PAGES}
    generate_synthetic_data(departments=300, hospitals=8, cities=4, trials=600, seed=5)
    small = {url: measure(client, url) for url in PAGES}
    remove_synthetic_data()
    generate_synthetic_data(departments=1500, hospitals=25, cities=6, trials=3000, seed=11)
    assert Department.objects.count() > 1500 and Trial.objects.count() > 3000
    large = {url: measure(client, url) for url in PAGES}
    queries = {
        url: (small[url][0], large[url][0]) for url in PAGES if small[url][0] != large[url][0]
    }
    assert queries == {}, "query counts (400 departments, 1,500) that differ"
    too_big = {url: size for scale in (seed, large) for url, (_, size) in scale.items()}
    assert {url: size for url, size in too_big.items() if size > MAX_HTML_BYTES} == {}


def test_busiest_pages_stay_small(client, generated):
    hospital, department = busiest_hospital(), busiest_department()
    for url in (hospital.get_absolute_url(), department.get_absolute_url()):
        _, size = measure(client, url)
        assert size <= MAX_HTML_BYTES, url


def test_a_department_page_shows_its_first_trials_and_links_to_the_rest(client, generated):
    department = busiest_department()
    total = department.trial_sites.count()
    assert total > DEPARTMENT_PAGE_TRIALS
    html = client.get(department.get_absolute_url()).content.decode()
    trials = html[html.index('id="trials"') :]
    assert trials.count('class="card"') == DEPARTMENT_PAGE_TRIALS
    assert f'href="/trials/?department={department.slug}"' in trials
    listed = client.get(f"/trials/?department={department.slug}").content.decode()
    assert f"{total} trial" in listed


def test_a_hospital_pages_its_departments(client, generated):
    hospital = busiest_hospital()
    total = hospital.departments.count()
    assert total > 20
    html = client.get(hospital.get_absolute_url()).content.decode()
    assert f"{total} departments, 20 to a page" in html
    assert html.count('<li class="card">') == 20
    assert 'rel="next"' in html
    last = client.get(hospital.get_absolute_url(), {"page": (total + 19) // 20}).content.decode()
    assert last.count('<li class="card">') == total - 20 * ((total - 1) // 20)


def test_a_cancer_type_page_shows_the_first_of_each_kind_and_links_to_the_full_lists(
    client, generated
):
    html = client.get("/cancer-types/breast-cancer/").content.decode()
    firsts = re.findall(r"The first (\d+), by name", html)
    assert firsts, "capped lists say so"
    assert all(int(shown) == 10 for shown in firsts)
    assert 'href="/departments/?cancer_type=breast-cancer"' in html
    assert 'href="/trials/?cancer_type=breast-cancer"' in html


def test_search_pages_through_every_ranked_department(client, generated):
    """Ranking in the database pages without gaps or repeats, in the page's own order."""
    first = client.get("/search/", {"q": "HCC"}).context["results"]
    total = len(first.hits)
    assert total > 40
    seen = []
    for page in range(1, (total + 19) // 20 + 1):
        results = client.get("/search/", {"q": "HCC", "page": page}).context["results"]
        seen += [hit.slug for hit in results.page_obj]
    assert len(seen) == total == len(set(seen))
    keys = [hit.sort_key[:5] for hit in first.hits[:total]]
    assert keys == sorted(keys)


# --- filters over vocabularies that grow: typed, not listed ----------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("fahzu", "fahzu"),  # a slug
        ("FAHZU", "fahzu"),  # the short name, any case
        ("浙江大学医学院附属第一医院", "fahzu"),  # the Chinese name
        ("Hospital of Jilin", "jilin-university-first-hospital"),  # part of the name
    ],
)
def test_directory_hospital_filter_takes_a_name(client, portal_data, typed, expected):
    hospital = Hospital.objects.get(slug=expected)
    html = client.get("/departments/", {"hospital": typed}).content.decode()
    assert f"Hospital: {hospital.display_name}" in html
    slugs = set(re.findall(r'href="/departments/([-a-z0-9]+)/"', html))
    assert slugs == set(hospital.departments.values_list("slug", flat=True))


def test_directory_hospital_filter_names_several_matches(client, portal_data):
    html = client.get("/departments/", {"hospital": "Hospital"}).content.decode()
    assert "Several match:" in html and "Type more of the name." in html


def test_directory_hospital_filter_unknown_name(client, portal_data):
    html = client.get("/departments/", {"hospital": "Nowhere General"}).content.decode()
    assert "No hospital “Nowhere General”." in html


def test_directory_and_trial_list_ship_no_huge_select(client, generated):
    for url in ("/departments/", "/trials/"):
        html = client.get(url).content.decode()
        for select in re.findall(r"<select.*?</select>", html, flags=re.S):
            assert select.count("<option") <= 600, url
        assert 'name="hospital"' not in html or 'type="text" name="hospital"' in html


def test_trial_list_department_filter_takes_a_name(client, portal_data):
    site = TrialSite.objects.select_related("department", "trial").first()
    html = client.get("/trials/", {"department": site.department.name}).content.decode()
    assert f"Department: {site.department.name}" in html
    assert f'href="{site.trial.get_absolute_url()}"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["portal:department-list", "trials:trial-list"])
def test_unfiltered_list_counts_once_per_data_version(client, portal_data, url_name):
    """The whole directory or trial list is counted once per data version; a write shows."""
    url = reverse(url_name)
    first = client.get(url)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    assert again.context["result_count"] == first.context["result_count"] > 0
    assert not [q for q in queries if q["sql"].startswith("SELECT COUNT(*)")]
    make_bulk_data(3)
    bump_data_version()  # bulk_create sends no signals; every ORM write moves it by itself
    assert client.get(url).context["result_count"] == first.context["result_count"] + 3
