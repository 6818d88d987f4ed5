"""sitemap.xml: an index of paged sections listing every public detail page (compared with the
database), announced in robots.txt; bad section or page numbers answer 404, never 500."""

import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from django.contrib.sitemaps import Sitemap
from django.utils import translation

from departments.models import CancerType, Department, Hospital, Source
from oncology_portal import sitemaps
from trials.models import Trial

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def xml(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/xml"
    return ET.fromstring(response.content)  # noqa: S314 (our own response, not untrusted)


def local(url):
    parts = urlsplit(url)
    assert parts.scheme == "http" and parts.netloc == "testserver", url
    return parts.path + (f"?{parts.query}" if parts.query else "")


def sitemap_files(client):
    return [local(loc.text) for loc in xml(client, "/sitemap.xml").findall("sm:sitemap/sm:loc", NS)]


def every_listed_url(client):
    urls = []
    for path in sitemap_files(client):
        urls += [loc.text for loc in xml(client, path).findall("sm:url/sm:loc", NS)]
    return urls


def expected_detail_urls(language):
    with translation.override(language):
        return {
            f"http://testserver{record.get_absolute_url()}"
            for model in (Department, Hospital, CancerType, Trial, Source)
            for record in model.objects.all()
        }


def test_robots_txt_announces_the_sitemap_with_an_absolute_url(client, db):
    body = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body.splitlines()
    assert "Disallow: /search/" in body
    secure = client.get("/robots.txt", secure=True, HTTP_HOST="localhost").content.decode()
    assert "Sitemap: https://localhost/sitemap.xml" in secure.splitlines()


def test_the_sitemap_lists_every_department_hospital_cancer_type_trial_and_source(
    client, portal_data
):
    listed = every_listed_url(client)
    assert len(listed) == len(set(listed)), "no URL twice"
    for language in sitemaps.languages():
        expected = expected_detail_urls(language)
        assert len(expected) > 50
        assert expected <= set(listed), expected - set(listed)
    # The list pages, not the search page (robots.txt keeps crawlers out of it).
    for path in ("/", "/departments/", "/hospitals/", "/cancer-types/", "/trials/"):
        assert f"http://testserver{path}" in listed
    assert not any("/search/" in url for url in listed)
    # Nothing else: list pages and detail pages only.
    details = set().union(*(expected_detail_urls(code) for code in sitemaps.languages()))
    assert len(set(listed) - details) == 5 * len(sitemaps.languages())


def test_every_english_url_in_the_sitemap_answers_200(client, portal_data):
    for url in every_listed_url(client):
        path = local(url)
        if path.startswith("/zh-hans/"):
            continue
        assert client.get(path).status_code == 200, path


def test_departments_carry_their_last_change_as_lastmod(client, portal_data):
    root = xml(client, "/sitemap-departments.xml")
    lastmods = {
        local(url.find("sm:loc", NS).text): url.find("sm:lastmod", NS).text
        for url in root.findall("sm:url", NS)
    }
    for department in Department.objects.all():
        assert lastmods[department.get_absolute_url()] == department.last_updated_on.isoformat()


def test_sections_page_at_the_protocol_limit_and_the_index_links_every_page(
    client, portal_data, monkeypatch
):
    for sitemap in sitemaps.sitemaps().values():
        assert sitemap.limit == Sitemap.limit == 50_000  # the sitemap protocol's limit
    monkeypatch.setattr(sitemaps.DepartmentSitemap, "limit", 2)
    files = sitemap_files(client)
    department_files = [path for path in files if path.startswith("/sitemap-departments.xml")]
    assert department_files == [
        "/sitemap-departments.xml",
        "/sitemap-departments.xml?p=2",
        "/sitemap-departments.xml?p=3",
    ]
    listed = []
    for path in department_files:
        listed += [local(loc.text) for loc in xml(client, path).findall("sm:url/sm:loc", NS)]
    assert listed == [d.get_absolute_url() for d in Department.objects.order_by("pk")]


@pytest.mark.parametrize(
    "url",
    [
        "/sitemap-departments.xml?p=abc",
        "/sitemap-departments.xml?p=99",
        "/sitemap-departments.xml?p=0",
        "/sitemap-nothing.xml",
    ],
)
def test_bad_sections_and_pages_answer_404(client, portal_data, url):
    assert client.get(url).status_code == 404


@pytest.mark.skipif(
    "zh-hans" not in sitemaps.languages(), reason="the site serves one language only"
)
def test_each_language_has_its_own_sections(client, portal_data):
    listed = every_listed_url(client)
    assert "http://testserver/zh-hans/departments/fahzu-medical-oncology-3/" in listed
    assert "http://testserver/departments/fahzu-medical-oncology-3/" in listed
