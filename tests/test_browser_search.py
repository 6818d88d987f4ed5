"""Referrer search in real Chromium: type on the home page, read the interpretation and the
ranked results with their reasons; axe-core finds nothing on results and no-results pages."""

import re

import pytest

from departments.search import reset_vocabulary_cache
from tests.helpers import axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def search_page(page):
    reset_vocabulary_cache()  # built from this test's database state, not an earlier test's
    return page


def home_search_box(page):
    """The home page's own search box (in <main>), or the header's if the home has none."""
    box = page.locator("main input[name=q]")
    return box.first if box.count() else page.locator("header input[name=q]").first


def test_type_a_query_on_the_home_page_and_read_the_ranked_results(search_page):
    page = search_page
    page.goto(page.base_url + "/")
    box = home_search_box(page)
    box.fill("HCC")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=HCC$"))

    interpretation = page.locator("main .interpretation")
    assert " ".join(interpretation.inner_text().split()) == (
        "Showing results for Hepatocellular carcinoma — you searched “HCC”"
    )
    link = interpretation.get_by_role("link", name="Hepatocellular carcinoma")
    assert link.get_attribute("href") == "/cancer-types/hepatocellular-carcinoma/"

    results = page.locator("main .search-result")
    names = results.locator("h3").all_inner_texts()
    assert names == [
        "Department of Medical Oncology Ⅲ",
        "Department of Medical Oncology Ⅰ",
        "Oncology Department",
    ]
    reasons = results.locator(".reason").all_inner_texts()
    assert reasons[0] == (
        "Lists hepatocellular carcinoma; runs CheckMate 459, IMbrave150 and KEYNOTE-394 "
        "(hepatocellular carcinoma)"
    )
    assert reasons[1] == "Covers liver cancer, which includes hepatocellular carcinoma"
    trials = page.locator("main .search-trials h3").all_inner_texts()
    assert trials == ["CheckMate 459", "IMbrave150", "KEYNOTE-394"]

    # The first result opens its department page.
    results.first.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/departments/fahzu-medical-oncology-3/$"))


def test_chinese_typo_and_qualifier_queries_from_the_header_box(search_page):
    page = search_page
    page.goto(page.base_url + "/search/?q=breast")
    for query, first in [
        ("乳腺癌", "Breast Medical Oncology"),
        ("metastatic HER2+ breast cancer", "Breast Medical Oncology"),
        ("hepatocelular carcinoma", "Department of Medical Oncology Ⅲ"),
        ("radiotherapy", "Department of Radiation Oncology & Therapy"),
    ]:
        box = page.locator("header input[name=q]")
        box.fill(query)
        box.press("Enter")
        page.wait_for_load_state()
        assert page.locator("main .search-result h3").first.inner_text() == first, query
        assert query in page.locator("main .interpretation").inner_text()


@pytest.mark.parametrize(
    "path",
    [
        "/search/?q=HCC",
        "/search/?q=colon+rectal+cancer",  # alternatives offered
        "/search/?q=intestinal+flora",  # free-text fallback
        "/search/?q=melanoma",  # a type no department lists
        "/search/?q=lymfoma",  # nothing: nearest terms suggested
        "/search/",
    ],
)
def test_search_pages_have_no_axe_violations(search_page, path):
    page = search_page
    response = page.goto(page.base_url + path)
    assert response is not None and response.status == 200
    assert axe_violations(page) == []
