"""The departments pages in real Chromium: a patient's journey, phone widths, accessibility."""

import re

import pytest

from tests.helpers import axe_violations

pytestmark = pytest.mark.browser

MO3 = "/departments/fahzu-medical-oncology-3/"


def open_page(page, path):
    response = page.goto(page.base_url + path)
    assert response is not None
    return response


def test_home_to_department_to_trial(page):
    """Home → a cancer-type group → a type (the filtered directory) → a department → a trial."""
    open_page(page, "/")
    page.get_by_text("Digestive system cancers", exact=True).click()  # opens the group
    page.get_by_role("link", name="Hepatobiliary–pancreatic cancers", exact=True).click()
    page.wait_for_url(re.compile(r"/departments/\?cancer_type=hepatobiliary-pancreatic-cancers$"))
    assert page.locator("h1").inner_text() == "Departments for hepatobiliary–pancreatic cancers"
    results = page.locator("main .card h3 a")
    names = results.all_inner_texts()
    assert "Department of Medical Oncology Ⅲ" in names
    assert "Breast Medical Oncology" not in names
    page.get_by_role("link", name="Department of Medical Oncology Ⅲ").click()
    page.wait_for_url(re.compile(re.escape(MO3) + "$"))
    assert page.locator("h1").inner_text() == "Department of Medical Oncology Ⅲ"
    trial_link = page.get_by_role("link", name="IMbrave150", exact=True)
    assert trial_link.get_attribute("href") == "/trials/imbrave150/"
    registry = page.get_by_role("link", name="ClinicalTrials.gov NCT03434379")
    assert registry.get_attribute("href") == "https://clinicaltrials.gov/study/NCT03434379"
    trial_link.click()
    page.wait_for_url(re.compile(r"/trials/imbrave150/$"))
    assert "IMbrave150" in page.locator("h1").inner_text()


def test_directory_filter_form_keeps_the_other_filters(page):
    open_page(page, "/departments/?city=Hangzhou")
    page.get_by_text("Filter and sort").click()
    page.get_by_label("Cancer type:", exact=True).select_option("breast-cancer")
    page.get_by_role("button", name="Show departments").click()
    page.wait_for_url(re.compile(r"cancer_type=breast-cancer"))
    assert "city=Hangzhou" in page.url
    names = page.locator("main .card h3 a").all_inner_texts()
    assert "Breast Medical Oncology" in names
    assert "Department of Radiation Oncology & Therapy" not in names
    # Removing the city keeps the cancer type.
    page.get_by_role("link", name=re.compile(r"^City: Hangzhou")).click()
    page.wait_for_url(re.compile(r"/departments/\?cancer_type=breast-cancer"))
    assert "city=" not in page.url


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/departments/",
        "/departments/?cancer_type=breast-cancer&city=Hangzhou",
        MO3,
        "/departments/zhejiang-cancer-hospital-breast-medical-oncology/",
        "/hospitals/cancer-hospital-founded-1955/",
        "/cancer-types/",
    ],
)
def test_no_horizontal_scroll_at_360px(page, path):
    page.set_viewport_size({"width": 360, "height": 740})
    open_page(page, path)
    # Open every disclosure (filters, excerpts, groups) so their content is measured too.
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{path} scrolls sideways at 360 px: {widths}"


def test_skip_link_and_focus_are_visible(page):
    open_page(page, "/departments/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"


@pytest.mark.parametrize(
    ("name", "path", "status"),
    [
        ("home", "/", 200),
        ("directory", "/departments/", 200),
        ("filtered directory", "/departments/?cancer_type=breast-cancer&city=Hangzhou", 200),
        ("directory with a bad filter", "/departments/?cancer_type=xyz&page=abc", 200),
        ("department", MO3, 200),
        (
            "department breast",
            "/departments/zhejiang-cancer-hospital-breast-medical-oncology/",
            200,
        ),
        ("hospital list", "/hospitals/", 200),
        ("hospital", "/hospitals/cancer-hospital-founded-1955/", 200),
        ("cancer-type list", "/cancer-types/", 200),
        ("cancer type", "/cancer-types/hepatobiliary-pancreatic-cancers/", 200),
        ("cancer type nobody lists", "/cancer-types/melanoma/", 200),
        ("source", "/sources/seed-003/", 200),
        ("404", "/departments/no-such-department/", 404),
    ],
)
def test_axe_finds_no_violations(page, name, path, status):
    response = open_page(page, path)
    assert response.status == status
    assert page.locator("h1").count() == 1
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert axe_violations(page) == [], f"axe violations on the {name} page"
