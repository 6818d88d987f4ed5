"""The trial pages in real Chromium: the journey, a phone-width layout and axe-core."""

import re

import pytest

from tests.helpers import axe_violations

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


def _no_horizontal_scroll(page):
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_filter_open_a_trial_and_follow_a_department(page):
    from playwright.sync_api import expect

    page.goto(page.base_url + "/trials/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Clinical trials")
    expect(page.locator(".trial-list > li")).to_have_count(5)

    page.get_by_text("Filter and sort").click()
    page.locator("#id_cancer_type").select_option("hepatocellular-carcinoma")
    page.get_by_role("button", name="Show trials").click()
    expect(page).to_have_url(re.compile(r"/trials/\?cancer_type=hepatocellular-carcinoma"))
    results = page.locator(".trial-list")
    expect(results.get_by_role("link", name="IMbrave150", exact=True)).to_be_visible()
    expect(results.get_by_role("link", name="AXEPT", exact=True)).to_have_count(0)
    expect(page.locator(".result-count")).to_have_text("3 trials for Hepatocellular carcinoma")

    results.get_by_role("link", name="IMbrave150", exact=True).click()
    expect(page).to_have_url(page.base_url + "/trials/imbrave150/")
    expect(page.get_by_role("heading", level=1)).to_have_text("IMbrave150")
    registry = page.get_by_role("link", name=re.compile("NCT03434379"))
    expect(registry).to_have_attribute("href", "https://clinicaltrials.gov/study/NCT03434379")

    page.get_by_role("link", name="Department of Medical Oncology Ⅲ").click()
    expect(page).to_have_url(page.base_url + "/departments/fahzu-medical-oncology-3/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Medical Oncology Ⅲ")


def test_removing_an_active_filter(page):
    from playwright.sync_api import expect

    page.goto(page.base_url + "/trials/?cancer_type=colorectal-cancer&phase=3")
    expect(page.locator(".trial-list > li")).to_have_count(1)
    page.get_by_role("link", name=re.compile(r"^Cancer type: Colorectal cancer")).click()
    expect(page).to_have_url(page.base_url + "/trials/?phase=3")
    expect(page.locator(".trial-list > li")).to_have_count(4)


@pytest.mark.parametrize(
    "path",
    [
        "/trials/",
        "/trials/?cancer_type=liver-cancer&order=-phase",
        "/trials/?department=no-such-department",
        "/trials/imbrave150/",
        "/trials/axept/",
    ],
)
def test_no_horizontal_scroll_at_360px(page, path):
    page.set_viewport_size(PHONE)
    page.goto(page.base_url + path)
    assert _no_horizontal_scroll(page), path


@pytest.mark.parametrize(
    "path",
    [
        "/trials/",
        "/trials/?cancer_type=hepatocellular-carcinoma",
        "/trials/?cancer_type=no-such-type&page=abc",
        "/trials/imbrave150/",
        "/trials/axept/",
    ],
)
def test_axe_reports_no_violations(page, path):
    page.goto(page.base_url + path)
    assert axe_violations(page) == []
    page.set_viewport_size(PHONE)
    page.reload()
    assert axe_violations(page) == []
