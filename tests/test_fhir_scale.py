"""FHIR and sitemap responses cost the same number of queries at any size, and the page cache
serves them like pages: a hit is the same response, a write is visible at once."""

import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from departments.models import (
    CancerType,
    Department,
    DepartmentCancerType,
    DepartmentService,
    Designation,
    Hospital,
    Service,
)
from departments.search import get_vocabulary
from oncology_portal.synthetic import generate_synthetic_data
from trials.models import Intervention, Trial, TrialSite

from .helpers import MO3

URLS = [
    "/fhir/metadata",
    "/fhir/Organization",
    "/fhir/Organization?name=synthetic",
    "/fhir/Organization/fahzu",
    "/fhir/HealthcareService",
    "/fhir/HealthcareService?_count=100",
    "/fhir/HealthcareService?specialty=breast+cancer&_count=50",
    "/fhir/HealthcareService?specialty=C22.0",
    "/fhir/HealthcareService?service-type=chemotherapy",
    "/fhir/HealthcareService?organization=fahzu",
    "/fhir/HealthcareService?name:contains=oncology",
    f"/fhir/HealthcareService/{MO3}",
    "/fhir/ResearchStudy",
    "/fhir/ResearchStudy?_count=100",
    "/fhir/ResearchStudy?status=completed",
    "/fhir/ResearchStudy?keyword=bevacizumab",
    "/fhir/ResearchStudy?identifier=NCT03434379",
    "/fhir/ResearchStudy/imbrave150",
    "/sitemap.xml",
    "/sitemap-departments.xml",
    "/sitemap-trials.xml",
    "/sitemap-hospitals.xml",
    "/sitemap-cancer-types.xml",
    "/sitemap-pages.xml",
]


def add_rows(n):
    """`n` more departments (with cancer types, services, a designation) and trials (with a
    cancer type, a drug and a site), written directly: only the rows FHIR and sitemaps read."""
    hospital = Hospital.objects.create(name="More Rows Hospital", slug="more-rows-hospital")
    types = list(CancerType.objects.order_by("pk")[:10])
    services = list(Service.objects.order_by("pk")[:10])
    drug = Intervention.objects.order_by("pk").first()
    departments = Department.objects.bulk_create(
        Department(
            hospital=hospital,
            name=f"More Rows {i:04d}",
            slug=f"more-rows-{i:04d}",
            kind=Department.Kind.MEDICAL,
            phone="+86-1",
        )
        for i in range(n)
    )
    DepartmentCancerType.objects.bulk_create(
        DepartmentCancerType(department=d, cancer_type=t) for d in departments for t in types[:3]
    )
    DepartmentService.objects.bulk_create(
        DepartmentService(department=d, service=services[i % 10]) for i, d in enumerate(departments)
    )
    Designation.objects.bulk_create(Designation(department=d, name="Key") for d in departments)
    trials = Trial.objects.bulk_create(
        Trial(name=f"MORE-{i:04d}", slug=f"more-{i:04d}", phase="2", status="completed")
        for i in range(n)
    )
    Trial.cancer_types.through.objects.bulk_create(
        Trial.cancer_types.through(trial=t, cancertype=types[0]) for t in trials
    )
    Trial.interventions.through.objects.bulk_create(
        Trial.interventions.through(trial=t, intervention=drug) for t in trials
    )
    TrialSite.objects.bulk_create(
        TrialSite(trial=t, department=d) for t, d in zip(trials, departments, strict=True)
    )


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def next_page(client, url):
    """The second page of a search (keyset cursor), to count its queries too."""
    bundle = json.loads(client.get(url).content)
    links = {link["relation"]: link["url"] for link in bundle["link"]}
    return links["next"].removeprefix("http://testserver")


def test_query_counts_do_not_grow_with_the_directory(client, portal_data):
    """Guards against N+1 queries and unbounded reads in every FHIR search, read and sitemap
    file: the same number of queries with a few hundred generated departments and trials as
    with over a thousand more (the seed alone has too few rows to fill a page)."""
    get_vocabulary()  # built once per vocabulary version, not per request
    generate_synthetic_data(departments=250, hospitals=6, cities=3, trials=400, seed=3)
    small = {url: queries(client, url) for url in URLS}
    small_next = queries(client, next_page(client, "/fhir/HealthcareService?_count=100"))
    add_rows(1200)
    assert Department.objects.count() > 1450
    large = {url: queries(client, url) for url in URLS}
    large_next = queries(client, next_page(client, "/fhir/HealthcareService?_count=100"))
    assert {url: (small[url], large[url]) for url in URLS if small[url] != large[url]} == {}
    assert small_next == large_next
    # A search is a count, a page and one query per related list; a read the same, less
    # the count.
    assert large["/fhir/HealthcareService"] <= 5
    assert large["/fhir/ResearchStudy"] <= 5


@pytest.fixture
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize(
    "url",
    [f"/fhir/HealthcareService/{MO3}", "/fhir/HealthcareService?organization=fahzu"],
)
def test_the_page_cache_serves_fhir_like_pages_and_never_serves_it_stale(
    client, portal_data, page_cache_on, url
):
    first = client.get(url)
    assert first["X-Page-Cache"] == "miss"
    second = client.get(url)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"] == "application/fhir+json; charset=utf-8"
    department = Department.objects.get(slug=MO3)
    department.name = "Renamed for the FHIR cache test"
    department.save()
    fresh = client.get(url)
    assert fresh["X-Page-Cache"] == "miss"
    assert "Renamed for the FHIR cache test" in fresh.content.decode()


def test_errors_are_never_cached(client, portal_data, page_cache_on):
    for _ in range(2):
        response = client.get("/fhir/HealthcareService?_count=abc")
        assert response.status_code == 400 and "X-Page-Cache" not in response


def test_the_page_cache_serves_the_sitemap_unchanged(client, portal_data, page_cache_on):
    first = client.get("/sitemap-departments.xml")
    second = client.get("/sitemap-departments.xml")
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"] == "application/xml"
