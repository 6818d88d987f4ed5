"""The API's query counts do not grow with the data (no N+1): every endpoint runs the same
number of queries with the seed data and with a few hundred generated departments and trials
on the page, and a full page of departments stays within a fixed budget; search costs no more
than the search page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from departments.search import get_vocabulary
from oncology_portal.synthetic import generate_synthetic_data
from tests.helpers import MO3

API = "/api/v1"
ENDPOINTS = [
    f"{API}/",
    f"{API}/departments/",
    f"{API}/departments/?page_size=200",
    f"{API}/departments/?cancer_type=liver-cancer",
    f"{API}/departments/?cancer_type=HCC&runs_trials=true",
    f"{API}/departments/?modified_after=2000-01-01&service=chemotherapy",
    f"{API}/departments/?format=csv&page_size=200",
    f"{API}/departments/?format=ndjson",
    f"{API}/departments/{MO3}/",
    f"{API}/hospitals/",
    f"{API}/hospitals/fahzu/",
    f"{API}/cancer-types/",
    f"{API}/cancer-types/liver-cancer/",
    f"{API}/services/",
    f"{API}/trials/",
    f"{API}/trials/?page_size=200&cancer_type=liver-cancer",
    f"{API}/trials/?modified_after=2000-01-01",
    f"{API}/trials/imbrave150/",
]
# Search runs the search page's own steps: their queries are the page's (tests/test_scale.py
# holds the page flat as the directory grows); the API adds none.
SEARCHES = ["HCC", "breast+cancer", "chemotherapy", "CAR-T+for+liver+cancer"]
# A page of departments with every fact: the department and hospital, one query per section
# (and per section's many-to-many), the trial counts' and FilterSet's own queries.
MAX_QUERIES = 30


def measure(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    return len(queries)


@pytest.mark.django_db
def test_api_query_counts_do_not_grow_with_the_data(client, portal_data, settings):
    """Guards against N+1 queries in every endpoint: the same number of queries at seed scale
    and with 300 generated departments (pages of 50 and 200 full), none over the budget."""
    settings.PORTAL_API_THROTTLE_RATE = "100000/minute"
    get_vocabulary()  # built once per vocabulary version, not per request
    seed = {url: measure(client, url) for url in ENDPOINTS}
    assert_search_costs_what_the_page_costs(client)
    generate_synthetic_data(departments=300, hospitals=8, cities=4, trials=600, seed=7)
    get_vocabulary()
    assert len(client.get(f"{API}/departments/?page_size=200").json()["results"]) == 200
    assert len(client.get(f"{API}/trials/?page_size=200").json()["results"]) == 200
    large = {url: measure(client, url) for url in ENDPOINTS}
    grown = {url: (seed[url], large[url]) for url in ENDPOINTS if large[url] != seed[url]}
    assert not grown, grown
    over = {url: n for url, n in large.items() if n > MAX_QUERIES}
    assert not over, over
    assert_search_costs_what_the_page_costs(client)


def assert_search_costs_what_the_page_costs(client):
    for q in SEARCHES:
        # The first search of a type after a write counts its candidates (kept until the next
        # write): compare the two once that is done.
        client.get(f"{API}/search/?q={q}")
        api = measure(client, f"{API}/search/?q={q}")
        page = measure(client, f"/search/?q={q}")
        assert api <= page, (q, api, page)
