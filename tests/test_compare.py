"""/compare/?d=…: up to three departments side by side (issue 11, item 5), and the tick boxes
on the directory and search results that lead there without JavaScript; the print stylesheet's
links (item 6; what it hides and shows is checked in Chromium, tests/test_browser_compare.py)."""

from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oncology_portal.compare import MAX_LOOKED_UP

from .helpers import BREAST, HOSP_1955, JILIN, MO1, MO3

NAMES = {
    MO1: "Department of Medical Oncology Ⅰ",
    MO3: "Department of Medical Oncology Ⅲ",
    HOSP_1955: "Oncology Department",
    BREAST: "Breast Medical Oncology",
    JILIN: "Department of Radiation Oncology & Therapy",
}


def compare(client, *slugs, prefix=""):
    return client.get(f"{prefix}/compare/", {"d": list(slugs)} if slugs else {})


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def text(node):
    return " ".join(node.get_text().split()) if node is not None else ""


def columns(page):
    """The compared departments' names, in column order."""
    return [text(th.select_one("a.compare-name")) for th in page.select("th.compare-department")]


def row_cells(page, key):
    """The texts of one row's cells (one per department), by the row's section key."""
    row = page.select_one(f"tr.compare-row-{key}")
    assert row is not None, f"no {key} row"
    return [text(td) for td in row.find_all("td")]


def notice(page):
    return text(page.select_one(".compare-notice"))


# --- one, two, three and four departments -----------------------------------------------------


def test_one_department(client, portal_data):
    response = compare(client, MO1)
    assert response.status_code == 200
    page = soup(response)
    assert text(page.h1) == "Compare departments"
    assert columns(page) == [NAMES[MO1]]
    assert page.select_one(".compare-notice") is None
    # Trial activity keeps its wording: "more than 100" is 100+, the 103 stays exact.
    (activity,) = row_cells(page, "trial_activity")
    assert "100+ global and domestic clinical trials" in activity
    assert "103 clinical trials undertaken" in activity
    (staff,) = row_cells(page, "staff")
    assert "15 oncologists and scientists" in staff
    # Facts keep their source excerpt and the source page is a link away.
    assert "It has undertaken 103 clinical trials." in activity
    assert page.select_one('tr.compare-row-verified a[href="/sources/seed-000/"]') is not None
    assert "Not yet verified by the department" in row_cells(page, "verified")[0]
    # Only this department: no other department's facts.
    body = response.content.decode()
    for slug in (MO3, BREAST, JILIN, HOSP_1955):
        assert f'href="/departments/{slug}/"' not in body
    assert "IMbrave150" not in body


def test_two_departments_in_the_order_given_with_every_compared_section(client, portal_data):
    response = compare(client, MO3, JILIN)
    assert response.status_code == 200
    page = soup(response)
    assert columns(page) == [NAMES[MO3], NAMES[JILIN]]
    labels = [text(th) for th in page.select("tbody th[scope=row]")]
    for label in [
        "Cancers treated",
        "Therapies and services",
        "Trial activity",
        "Named trials",
        "Designations",
        "Annual statistics",
        "Research funding",
        "Publications and other outputs",
        "Contact",
        "Last verified",
    ]:
        assert label in labels
    # What the comparison leaves to the department page.
    for label in ("Research directions", "Programmes", "Education and training", "Awards"):
        assert label not in labels
    # Contact is a row even where neither page gives one: "not stated" is worth knowing.
    assert row_cells(page, "contact") == ["Not stated", "Not stated"]
    mo3_types, jilin_types = row_cells(page, "cancer_types")
    assert "Hepatocellular carcinoma" in mo3_types
    assert jilin_types == "Not stated"  # Jilin's page lists no cancer type: nothing is guessed
    mo3_trials, jilin_trials = row_cells(page, "trial_sites")
    assert "IMbrave150" in mo3_trials and "NCT03434379" in mo3_trials
    assert jilin_trials == "Not stated"
    mo3_outputs, _ = row_cells(page, "outputs")
    assert "dozens" in mo3_outputs  # never a number
    mo3_stats, _ = row_cells(page, "statistics")
    assert "6,000+ one-day chemotherapy patients admitted (per year, since 2018)" in mo3_stats
    # Each department links to its full page's sources and can be removed from the comparison.
    header = page.select("th.compare-department")[0]
    assert header.select_one(f'a[href="/departments/{MO3}/#sources"]') is not None
    assert header.select_one("a.compare-remove")["href"] == f"/compare/?d={JILIN}"


def test_three_departments(client, portal_data):
    response = compare(client, HOSP_1955, BREAST, MO1)
    assert response.status_code == 200
    page = soup(response)
    assert columns(page) == [NAMES[HOSP_1955], NAMES[BREAST], NAMES[MO1]]
    assert page.select_one(".compare-notice") is None
    stats = row_cells(page, "statistics")
    assert "about 400,000 cancer outpatients" in stats[0]
    assert row_cells(page, "staff")[0] == "Not stated"  # the 1955 hospital's page gives none
    share = page.select_one(".compare-share a")["href"]
    assert parse_qs(urlsplit(share).query)["d"] == [HOSP_1955, BREAST, MO1]
    assert "up to 3 departments" not in text(page.select_one("main"))  # full: no "add one"


def test_four_departments_show_the_first_three_and_name_the_fourth(client, portal_data):
    response = compare(client, MO1, MO3, BREAST, JILIN)
    assert response.status_code == 200
    page = soup(response)
    assert columns(page) == [NAMES[MO1], NAMES[MO3], NAMES[BREAST]]
    message = notice(page)
    assert "You can compare up to 3 departments at a time." in message
    assert f"Left out: {NAMES[JILIN]}." in message
    assert page.select_one(f'.compare-notice a[href="/departments/{JILIN}/"]') is not None
    assert NAMES[JILIN] not in columns(page)
    assert page.select_one(f'th.compare-department a[href="/departments/{JILIN}/"]') is None
    # The shareable link names the three compared.
    share = page.select_one(".compare-share a")["href"]
    assert parse_qs(urlsplit(share).query)["d"] == [MO1, MO3, BREAST]


# --- bad, unknown and repeated slugs ---------------------------------------------------------


def test_unknown_and_malformed_slugs_are_named_and_the_valid_ones_compared(client, portal_data):
    response = compare(client, "no-such-department", MO3, "<script>alert(1)</script>", BREAST)
    assert response.status_code == 200
    page = soup(response)
    assert columns(page) == [NAMES[MO3], NAMES[BREAST]]
    message = notice(page)
    assert "No department has these addresses, so they are left out:" in message
    assert "no-such-department" in message and "<script>alert(1)</script>" in message
    assert "You can compare up to" not in message  # two valid ones: not too many
    body = response.content.decode()
    assert "<script>alert(1)" not in body  # shown as text, escaped
    share = page.select_one(".compare-share a")["href"]
    assert parse_qs(urlsplit(share).query)["d"] == [MO3, BREAST]


def test_an_unknown_slug_beside_three_valid_ones_is_unknown_not_too_many(client, portal_data):
    page = soup(compare(client, MO1, "nope", MO3, BREAST))
    assert columns(page) == [NAMES[MO1], NAMES[MO3], NAMES[BREAST]]
    message = notice(page)
    assert "No department has this address, so it is left out: nope." in message
    assert "Left out:" not in message.replace("so it is left out:", "")


def test_duplicates_collapse(client, portal_data):
    response = compare(client, MO3, MO3, f" {MO3.upper()} ", BREAST, MO3)
    assert response.status_code == 200
    page = soup(response)
    assert columns(page) == [NAMES[MO3], NAMES[BREAST]]
    assert page.select_one(".compare-notice") is None


def test_no_valid_department_is_a_helpful_404(client, portal_data):
    response = compare(client, "no-such-department", "x" * 5000)
    assert response.status_code == 404
    page = soup(response)
    assert text(page.h1) == "Compare departments"
    message = notice(page)
    assert "no-such-department" in message
    assert "x" * 60 + "…" in message and "x" * 61 not in message  # a long value is shortened
    assert page.select_one("table") is None
    help_text = text(page.select_one(".compare-help"))
    assert "Tick “Compare” on the departments you are weighing" in help_text
    assert page.select_one('.compare-help a[href="/departments/"]') is not None


def test_without_departments_the_page_explains_how_to_compare(client, portal_data):
    response = compare(client)
    assert response.status_code == 200
    page = soup(response)
    assert page.select_one("table") is None
    assert page.select_one(".compare-notice") is None
    assert "Put up to 3 departments side by side" in text(page.select_one(".compare-help"))
    assert page.select_one('meta[name="robots"]')["content"] == "noindex"


def test_empty_and_blank_values_are_ignored(client, portal_data):
    response = client.get("/compare/?d=&d=%20&d=" + MO1)
    assert response.status_code == 200
    page = soup(response)
    assert columns(page) == [NAMES[MO1]]
    assert page.select_one(".compare-notice") is None


def test_a_flood_of_parameters_is_cut_with_a_message(client, portal_data):
    slugs = [f"unknown-{i}" for i in range(500)] + [MO1]
    with CaptureQueriesContext(connection) as queries:
        response = compare(client, *slugs)
    assert response.status_code == 404  # MO1 came after the cut: nothing valid was looked at
    message = notice(soup(response))
    assert f"{501 - MAX_LOOKED_UP} more addresses were not looked at." in message
    assert len(queries) <= 1


# --- a flat query count --------------------------------------------------------------------------

COMPARE_QUERIES = 12  # the departments, then one per compared section's prefetch


@pytest.mark.parametrize("slugs", [[MO3], [MO3, MO1], [MO3, MO1, BREAST]], ids=len)
def test_query_count_does_not_grow_with_the_departments_compared(
    client, portal_data, django_assert_max_num_queries, slugs
):
    """Guards against N+1: every section is prefetched for all compared departments at once."""
    with django_assert_max_num_queries(COMPARE_QUERIES):
        response = compare(client, *slugs)
    assert response.status_code == 200
    assert len(columns(soup(response))) == len(slugs)


def test_query_count_is_the_same_for_one_and_three(client, portal_data):
    counts = []
    for slugs in ([JILIN], [JILIN, MO3, BREAST]):
        with CaptureQueriesContext(connection) as queries:
            compare(client, *slugs)
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- the tick boxes on the directory and in search results -------------------------------------


def compare_form(response):
    page = soup(response)
    form = page.select_one("form#compare-form")
    assert form is not None, "no compare form"
    return form


def ticked(form, *slugs):
    """What the browser sends when `slugs` are ticked: the form's action and its d values."""
    boxes = form.select('input[type="checkbox"][name="d"]')
    values = [box["value"] for box in boxes]
    assert set(slugs) <= set(values)
    return form["action"], {"d": [v for v in values if v in slugs]}


def test_directory_has_a_tick_box_per_department_and_a_get_form(client, portal_data):
    response = client.get("/departments/")
    form = compare_form(response)
    assert form["method"].lower() == "get"
    assert form["action"] == "/compare/"
    boxes = form.select('input[type="checkbox"][name="d"]')
    cards = soup(response).select("main .card h3 a")
    assert [box["value"] for box in boxes] == [a["href"].split("/")[2] for a in cards]
    assert len(boxes) == 5
    # Each box is labelled with its department's name (the label wraps the box).
    labels = [text(box.find_parent("label")) for box in boxes]
    assert f"Compare {NAMES[MO3]}" in labels
    assert text(form.select_one('button[type="submit"]')) == "Compare ticked departments"
    # Submitting two ticked boxes opens their comparison.
    action, data = ticked(form, MO3, JILIN)
    page = soup(client.get(action, data))
    assert sorted(columns(page)) == sorted([NAMES[MO3], NAMES[JILIN]])


def test_filtered_directory_keeps_its_tick_boxes(client, portal_data):
    form = compare_form(client.get("/departments/?cancer_type=breast-cancer"))
    values = [box["value"] for box in form.select('input[name="d"]')]
    assert BREAST in values
    assert JILIN not in values


def test_a_hospitals_page_has_no_tick_boxes(client, portal_data):
    response = client.get("/hospitals/fahzu/")
    assert response.status_code == 200
    assert soup(response).select('input[name="d"]') == []


def test_search_results_have_tick_boxes(client, portal_data):
    response = client.get("/search/", {"q": "liver cancer"})
    form = compare_form(response)
    assert form["action"] == "/compare/"
    assert form["method"].lower() == "get"
    results = form.select("li.search-result")
    assert results, "no search results"
    for result in results:
        link = result.select_one("h3 a")["href"]
        box = result.select_one('input[type="checkbox"][name="d"]')
        assert box is not None and link == f"/departments/{box['value']}/"
    # The trial cards below are not departments: no tick boxes there.
    assert soup(response).select(".search-trials input") == []
    values = [box["value"] for box in form.select('input[name="d"]')]
    action, data = ticked(form, *values[:2])
    assert len(columns(soup(client.get(action, data)))) == min(2, len(values))


def test_search_without_results_has_no_compare_form(client, portal_data):
    response = client.get("/search/", {"q": "zzzzqqqq"})
    assert response.status_code == 200
    assert soup(response).select_one("form#compare-form") is None


# --- Chinese -------------------------------------------------------------------------------------


def test_compare_page_in_chinese(client, portal_data):
    response = compare(client, MO1, HOSP_1955, "nope", prefix="/zh-hans")
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    page = soup(response)
    assert text(page.h1) == "对比科室"
    labels = [text(th) for th in page.select("tbody th[scope=row]")]
    assert "团队规模" in labels and "临床试验开展情况" in labels and "最近核实" in labels
    activity = row_cells(page, "trial_activity")[0]
    assert "100 余" in activity and "100+" not in activity
    assert "约 400,000" in row_cells(page, "statistics")[1]
    assert row_cells(page, "staff")[1] == "未说明"
    assert "没有科室使用以下地址，已略去： nope" in notice(page)
    body = text(page.select_one("main"))
    for english in ("Compare departments", "Not stated", "Team size", "Last verified", "Remove"):
        assert english not in body
    # Links stay in Chinese; the shareable link too.
    assert page.select_one(".compare-share a")["href"].startswith("/zh-hans/compare/?d=")
    assert page.select_one(f'a[href="/zh-hans/departments/{MO1}/"]') is not None


def test_chinese_directory_form_goes_to_the_chinese_comparison(client, portal_data):
    form = compare_form(client.get("/zh-hans/departments/"))
    assert form["action"] == "/zh-hans/compare/"
    assert text(form.select_one("button")) == "对比勾选的科室"
    action, data = ticked(form, MO1, BREAST)
    response = client.get(action, data)
    assert response.status_code == 200
    assert text(soup(response).h1) == "对比科室"


# --- print ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", [f"/departments/{MO3}/", f"/compare/?d={MO3}&d={MO1}", "/search/?q=HCC"]
)
def test_pages_link_the_print_stylesheet_and_print_their_address(client, portal_data, path):
    response = client.get(path)
    assert response.status_code == 200
    page = soup(response)
    sheet = page.select_one('link[rel="stylesheet"][media="print"]')
    assert sheet is not None and sheet["href"] == "/static/css/print.css"
    assert client.get(sheet["href"]).status_code == 200
    printed = text(page.select_one(".site-footer .print-only"))
    assert printed == f"Printed from http://testserver{path}"


def test_robots_txt_keeps_crawlers_out_of_comparisons(client, db):
    """Comparisons are combinations of department pages (and noindex): not for crawling."""
    body = client.get("/robots.txt").content.decode()
    assert "Disallow: /compare/" in body
    assert "Disallow: /zh-hans/compare/" in body


@pytest.mark.parametrize(
    "query",
    ["d=%00", "d=%C3%BC", "d=" + "a" * 81, "d=../admin/", "d[]=x", "d=%ZZ", "d=" + MO1 + "%00"],
)
def test_odd_values_never_break_the_page(client, portal_data, query):
    response = client.get(f"/compare/?{query}")
    assert response.status_code in (200, 404)
    assert "Compare departments" in response.content.decode()
