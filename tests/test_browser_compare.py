"""Compare and print in real Chromium (issue 11, items 5 and 6): axe-core, phone widths, the tick
boxes working without JavaScript, and what the print stylesheet hides, shows and prints."""

import io
import re
import unicodedata

import pytest
from pypdf import PdfReader

from tests.helpers import BREAST, HOSP_1955, JILIN, MO1, MO3, axe_violations

pytestmark = pytest.mark.browser

THREE = f"/compare/?d={MO3}&d={MO1}&d={JILIN}"


def open_page(page, path):
    response = page.goto(page.base_url + path)
    assert response is not None
    return response


def open_every_details(page):
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")


def compared(page):
    return page.locator("th.compare-department a.compare-name").all_inner_texts()


# --- accessibility and phone widths --------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (THREE, 200),
        (f"/compare/?d={HOSP_1955}&d=nope&d={BREAST}&d={MO1}&d={MO3}", 200),  # with notices
        (f"/zh-hans/compare/?d={MO3}&d={BREAST}", 200),
        ("/compare/", 200),
        ("/compare/?d=no-such-department", 404),
        ("/departments/", 200),  # tick boxes
        ("/search/?q=liver+cancer", 200),  # tick boxes
    ],
)
def test_axe_finds_no_violations(page, path, status):
    response = open_page(page, path)
    assert response.status == status
    assert page.locator("h1").count() == 1
    open_every_details(page)
    assert axe_violations(page) == [], f"axe violations on {path}"


@pytest.mark.parametrize(
    "path",
    [f"/compare/?d={MO3}", f"/compare/?d={MO3}&d={BREAST}", THREE, f"/zh-hans{THREE}", "/compare/"],
)
def test_no_horizontal_page_scroll_at_360px(page, path):
    page.set_viewport_size({"width": 360, "height": 740})
    open_page(page, path)
    open_every_details(page)
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{path} scrolls sideways at 360 px: {widths}"


def test_the_table_scrolls_in_its_own_box_with_a_visible_caption(page):
    page.set_viewport_size({"width": 360, "height": 740})
    open_page(page, THREE)
    box = page.locator(".compare-scroll")
    inner, outer = box.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert inner > outer  # three columns do not fit a phone: the box scrolls, not the page
    assert box.get_attribute("tabindex") == "0"  # reachable by keyboard
    caption = page.locator("caption")
    assert caption.is_visible()
    assert "3 departments side by side" in caption.inner_text()
    assert "scroll the table sideways" in caption.inner_text()
    hint = page.locator(".compare-hint").bounding_box()
    assert hint["x"] >= 0 and hint["x"] + hint["width"] <= 360  # readable without scrolling
    # The row labels stay in view while the departments scroll past them.
    label = page.locator("tbody th[scope=row]").first
    before = label.bounding_box()["x"]
    box.evaluate("el => el.scrollLeft = 400")
    assert label.bounding_box()["x"] == pytest.approx(before, abs=1)


# --- ticking and comparing, no JavaScript needed ---------------------------------------------


@pytest.fixture
def page_without_js(chromium, live_portal):
    context = chromium.new_context(
        viewport={"width": 360, "height": 740}, java_script_enabled=False
    )
    browser_page = context.new_page()
    browser_page.set_default_timeout(15_000)
    browser_page.base_url = live_portal.url
    yield browser_page
    context.close()


def test_ticking_departments_in_the_directory_opens_the_comparison_without_javascript(
    page_without_js,
):
    page = page_without_js
    open_page(page, "/departments/")
    page.get_by_label("Compare Department of Medical Oncology Ⅲ").check()
    page.get_by_label("Compare Breast Medical Oncology").check()
    page.get_by_role("button", name="Compare ticked departments").click()
    page.wait_for_url(re.compile(r"/compare/\?d=.+&d=.+$"))
    assert page.locator("h1").inner_text() == "Compare departments"
    assert sorted(compared(page)) == ["Breast Medical Oncology", "Department of Medical Oncology Ⅲ"]
    # The URL is the comparison: opened again elsewhere, it shows the same.
    shared = page.url
    open_page(page, shared.removeprefix(page.base_url))
    assert sorted(compared(page)) == ["Breast Medical Oncology", "Department of Medical Oncology Ⅲ"]


def test_ticking_search_results_opens_the_comparison(page):
    open_page(page, "/search/?q=liver+cancer")
    page.get_by_label("Compare Department of Medical Oncology Ⅰ").check()
    page.get_by_label("Compare Department of Medical Oncology Ⅲ").check()
    page.get_by_role("button", name="Compare ticked departments").click()
    page.wait_for_url(re.compile(r"/compare/\?"))
    assert compared(page) == [
        "Department of Medical Oncology Ⅲ",
        "Department of Medical Oncology Ⅰ",
    ]


def test_four_ticked_show_three_and_say_so(page):
    open_page(page, "/departments/")
    boxes = page.locator('input[type="checkbox"][name="d"]')
    for i in range(4):
        boxes.nth(i).check()
    page.get_by_role("button", name="Compare ticked departments").click()
    page.wait_for_url(re.compile(r"/compare/\?"))
    assert len(compared(page)) == 3
    assert (
        "You can compare up to 3 departments at a time."
        in page.locator(".compare-notice").inner_text()
    )


# --- print -------------------------------------------------------------------------------------

PRINTED = [
    # (page, a link whose address is printed, an excerpt that must print, text of a control)
    (f"/departments/{MO3}/", "/trials/imbrave150/", "was founded on November 7, 2014.", None),
    (THREE, f"/departments/{JILIN}/", "It has undertaken 103 clinical trials.", "Remove"),
    ("/search/?q=HCC", "/trials/imbrave150/", None, "Compare ticked departments"),
]


def squeezed(text):
    """Text without white space, ligatures (ﬁ) and compatibility forms, as PDF text comes."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@pytest.mark.parametrize(("path", "link", "excerpt", "control"), PRINTED)
def test_print_hides_the_chrome_and_shows_every_fact_with_its_source(
    page, path, link, excerpt, control
):
    open_page(page, path)
    assert page.locator(".print-only").is_hidden()  # on screen
    assert page.locator("header nav[aria-label='Main']").is_visible()
    page.emulate_media(media="print")
    # No navigation chrome: main navigation, language switch, search form, breadcrumb, skip
    # link, and the page's own controls (tick boxes, compare and remove buttons).
    for selector in [
        "header nav[aria-label='Main']",
        ".language-switch",
        ".search-form",
        "nav[aria-label='Breadcrumb']",
        ".skip-link",
        "input[type=checkbox]",
        "button",
        ".compare-remove",
        ".toc",
        ".pagination",
    ]:
        for element in page.locator(selector).all():
            assert element.is_hidden(), f"{selector} prints on {path}"
    assert page.locator("h1").is_visible()
    # Every source excerpt prints, though its <details> is closed.
    excerpts = page.locator("details.excerpt blockquote")
    for i in range(excerpts.count()):
        assert excerpts.nth(i).is_visible(), f"excerpt {i} does not print on {path}"
    # Links print their short address after their text; in-page anchors do not.
    printed = page.locator(f'main a[href="{link}"]').first.evaluate(
        "a => getComputedStyle(a, '::after').content"
    )
    assert printed == f'" ({link})"'
    # The page's own address, once, at the foot.
    footer = page.locator(".site-footer .print-only")
    assert footer.is_visible()
    assert footer.inner_text() == f"Printed from {page.url}"

    # What Chromium actually prints.
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))
    text = squeezed(" ".join(sheet.extract_text() for sheet in pdf.pages))
    assert squeezed(f"({link})") in text
    if excerpt:
        assert squeezed(excerpt) in text
    assert squeezed(f"Printed from {page.url}") in text
    for chrome in (
        "Skip to main content",
        "Search by cancer type or therapy",
        "Home › Departments",
    ):
        assert squeezed(chrome) not in text, f"{chrome!r} printed on {path}"
    if control:
        assert squeezed(control) not in text


def test_print_shows_the_sources_of_a_compared_department(page):
    open_page(page, THREE)
    page.emulate_media(media="print")
    source = page.locator('tr.compare-row-verified a[href="/sources/seed-004/"]')
    assert source.is_visible()
    assert source.evaluate("a => getComputedStyle(a, '::after').content") == (
        '" (/sources/seed-004/)"'
    )
    # No scrolling box on paper: the whole table fits the printed width.
    inner, outer = page.locator(".compare-scroll").evaluate(
        "el => [el.scrollWidth, el.clientWidth]"
    )
    assert inner <= outer
