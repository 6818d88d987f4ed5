"""Chinese pages in real Chromium: axe-core, phone widths, the language switch, CJK fonts."""

import re

import pytest

from tests.helpers import BREAST, MO3, axe_violations

pytestmark = pytest.mark.browser

ZH = "/zh-hans"

CHINESE_PAGES = [
    ("home", "/", 200),
    ("search", "/search/?q=肝癌", 200),
    ("search by English words", "/search/?q=liver+cancer", 200),
    ("directory", "/departments/", 200),
    ("filtered directory", "/departments/?cancer_type=breast-cancer&city=Hangzhou", 200),
    ("directory with a bad filter", "/departments/?cancer_type=xyz&page=abc", 200),
    ("department", f"/departments/{MO3}/", 200),
    ("department breast", f"/departments/{BREAST}/", 200),
    ("hospital list", "/hospitals/", 200),
    ("hospital", "/hospitals/fahzu/", 200),
    ("unnamed hospital", "/hospitals/cancer-hospital-founded-1955/", 200),
    ("cancer-type list", "/cancer-types/", 200),
    ("cancer type", "/cancer-types/hepatobiliary-pancreatic-cancers/", 200),
    ("trial list", "/trials/", 200),
    ("trial", "/trials/imbrave150/", 200),
    ("source", "/sources/seed-003/", 200),
    ("404", "/departments/no-such-department/", 404),
]


def open_page(page, path):
    response = page.goto(page.base_url + path)
    assert response is not None
    return response


@pytest.mark.parametrize(
    ("name", "path", "status"), CHINESE_PAGES, ids=[p[0] for p in CHINESE_PAGES]
)
def test_chinese_pages_have_no_axe_violations_and_no_sideways_scroll(page, name, path, status):
    page.set_viewport_size({"width": 360, "height": 740})
    response = open_page(page, ZH + path)
    assert response.status == status
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").count() == 1
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert axe_violations(page) == [], f"axe violations on the Chinese {name} page"
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{name} scrolls sideways at 360 px: {widths}"


def test_switch_to_chinese_and_back_keeps_page_and_filters(page):
    open_page(page, "/departments/?city=Hangzhou")
    page.get_by_role("link", name="简体中文").click()
    page.wait_for_url(re.compile(r"/zh-hans/departments/\?city=Hangzhou$"))
    assert page.locator("h1").inner_text() == "肿瘤科室"
    page.get_by_text("筛选与排序").click()
    page.get_by_label("癌症类型：", exact=True).select_option("breast-cancer")
    page.get_by_role("button", name="显示科室").click()
    page.wait_for_url(re.compile(r"/zh-hans/departments/\?.*cancer_type=breast-cancer"))
    assert "city=Hangzhou" in page.url
    assert page.locator("h1").inner_text() == "乳腺癌相关科室"
    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"/departments/\?.*cancer_type=breast-cancer"))
    assert "/zh-hans/" not in page.url and "city=Hangzhou" in page.url
    assert page.locator("h1").inner_text() == "Departments for breast cancer"


def test_search_from_a_chinese_page_to_a_department(page):
    open_page(page, ZH + "/")
    page.get_by_label("按癌症类型或治疗方式搜索").fill("肝癌")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url(re.compile(r"/zh-hans/search/\?q="))
    assert "显示以下内容的结果" in page.locator(".interpretation").inner_text()
    page.get_by_role("link", name="Department of Medical Oncology Ⅲ").first.click()
    page.wait_for_url(re.compile(rf"/zh-hans/departments/{MO3}/$"))
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "诊治的癌症" in page.locator("main").inner_text()


def test_chinese_pages_name_system_cjk_fonts(page):
    """The font stack names a system CJK font for every platform (nothing is downloaded)."""
    open_page(page, ZH + "/hospitals/fahzu/")
    family = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    for font in ("PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC"):
        assert font in family
    assert page.locator("h1").inner_text() == "浙江大学医学院附属第一医院"
    requested = page.evaluate(
        "performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => /\\.(woff2?|ttf|otf)/.test(n))"
    )
    assert requested == []
