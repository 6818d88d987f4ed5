"""The bilingual portal: English at today's URLs, Simplified Chinese under /zh-hans/.

Every public page type in Chinese (interface in Chinese, names in Chinese where the data has
them, English data marked lang="en"), the language switch, hreflang, the page cache per
language, quantities in Chinese, search from Chinese pages and the catalogue's completeness.
"""

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from departments.quantities import Qualifier, render_quantity
from tests.helpers import BREAST, MO3

ZH = "/zh-hans"
CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    """A request to /zh-hans/ leaves Chinese active in this thread (as in any request thread);
    tests that call code directly afterwards expect the default language."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


class _Texts(HTMLParser):
    """Visible text of <main>, each run with the language of the element it is in."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "wbr", "source"}

    def __init__(self, page_lang):
        super().__init__(convert_charrefs=True)
        self.stack = [page_lang]
        self.in_main = 0
        self.skip = 0
        self.runs = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        attrs = dict(attrs)
        self.stack.append(attrs.get("lang", self.stack[-1]).lower())
        if tag == "main":
            self.in_main += 1
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if tag == "main":
            self.in_main -= 1
        if tag in ("script", "style"):
            self.skip -= 1
        if len(self.stack) > 1:
            self.stack.pop()

    def handle_data(self, data):
        if self.in_main and not self.skip and data.strip():
            self.runs.append((self.stack[-1], data.strip()))


def texts(html, page_lang="zh-hans"):
    parser = _Texts(page_lang)
    parser.feed(html)
    return parser.runs


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def english_words_unmarked(html):
    """Runs of three or more English words on a Chinese page that are not marked lang="en"."""
    words = re.compile(r"[A-Za-z]{3,}(?:[\s\-–,]+[A-Za-z]{3,}){2,}")
    return [text for lang, text in texts(html) if lang.startswith("zh") and words.search(text)]


PAGES = [
    ("home", "/", "查找肿瘤科室"),
    ("search", "/search/?q=肝癌", "搜索结果"),
    ("directory", "/departments/", "肿瘤科室"),
    ("department", f"/departments/{MO3}/", "诊治的癌症"),
    ("hospital list", "/hospitals/", "医院"),
    ("hospital", "/hospitals/fahzu/", "所在地"),
    ("cancer-type list", "/cancer-types/", "癌症类型"),
    ("cancer type", "/cancer-types/liver-cancer/", "肝癌"),
    ("trial list", "/trials/", "临床试验"),
    ("trial", "/trials/imbrave150/", "试验概况"),
    ("source", "/sources/seed-001/", "全文"),
]


@pytest.mark.parametrize(("name", "path", "heading_text"), PAGES, ids=[p[0] for p in PAGES])
def test_every_page_type_in_chinese(client, portal_data, name, path, heading_text):
    html = get(client, ZH + path)
    assert '<html lang="zh-hans">' in html
    assert heading_text in html
    # The interface is Chinese: navigation, footer, the language switch back to English.
    assert ">科室</a>" in html and "本门户的每项信息均来自" in html
    assert "Skip to main content" not in html and "Every fact on this portal" not in html
    # Nothing English passes as Chinese: English prose is marked lang="en".
    assert english_words_unmarked(html) == [], name
    # The English page of the same URL is unchanged English.
    english = get(client, path)
    assert '<html lang="en">' in english and "Skip to main content" in english
    assert not CJK.search(english.split("<main", 1)[1].split("肝癌", 1)[0][:200])


def test_404_in_chinese(client, db):
    html = get(client, ZH + "/departments/no-such-department/", status=404)
    assert '<html lang="zh-hans">' in html
    assert "页面未找到" in html and "Page not found" not in html
    assert 'href="/zh-hans/departments/"' in html
    english = get(client, "/departments/no-such-department/", status=404)
    assert "Page not found" in english and "页面未找到" not in english


def test_names_in_the_readers_language(client, portal_data):
    hospital = get(client, ZH + "/hospitals/fahzu/")
    assert "<h1>浙江大学医学院附属第一医院</h1>" in hospital
    # The English name stays, marked as English.
    assert '<p class="lede" lang="en">The First Affiliated Hospital' in hospital
    assert "中国浙江杭州" not in hospital or "Hangzhou" not in hospital
    department = get(client, ZH + f"/departments/{BREAST}/")
    # Cancer types and services in Chinese (the vocabulary has Chinese names) …
    assert ">乳腺癌</a>" in department and ">化疗</a>" in department
    # … the department's own name, which has no Chinese version, in English, marked.
    assert '<h1><span lang="en">Breast Medical Oncology</span></h1>' in department
    assert "本科室页面仅有英文版本" in department
    assert "本科室页面仅有英文版本" not in get(client, f"/departments/{BREAST}/")
    unnamed = get(client, ZH + "/hospitals/cancer-hospital-founded-1955/")
    assert "一所创建于 1955 年的肿瘤医院（来源未说明名称）" in unnamed
    assert "来源未说明这家医院的名称" in unnamed
    types = get(client, ZH + "/cancer-types/")
    assert ">肝细胞癌</a>" in types
    assert '<span lang="en" class="muted">Hepatocellular carcinoma</span>' in types


def test_seed_excerpts_stay_english_and_marked(client, portal_data):
    html = get(client, ZH + f"/departments/{MO3}/")
    assert '<summary>来源</summary><blockquote lang="en">' in html
    source = get(client, ZH + "/sources/seed-001/")
    assert '<div class="source-text" lang="en">' in source


def test_language_switch_keeps_the_page_and_the_query_string(client, portal_data):
    path = "/departments/?city=Hangzhou&cancer_type=breast-cancer"
    english = get(client, path)
    assert 'href="/zh-hans/departments/?city=Hangzhou&amp;cancer_type=breast-cancer"' in english
    chinese = get(client, ZH + path)
    assert 'href="/departments/?city=Hangzhou&amp;cancer_type=breast-cancer"' in chinese
    assert '<span aria-current="true" lang="zh-hans">简体中文</span>' in chinese
    # Plain links (no form POST to set_language): the switch works without JavaScript.
    assert "set_language" not in chinese and "/i18n/" not in chinese
    not_found = get(client, ZH + "/trials/no-such-trial/", status=404)
    assert 'href="/trials/no-such-trial/"' in not_found


def test_hreflang_alternates_and_canonical(client, portal_data):
    for path in ("/trials/imbrave150/", ZH + "/trials/imbrave150/"):
        html = get(client, path + "?page=2")
        assert (
            '<link rel="alternate" hreflang="en" href="http://testserver/trials/imbrave150/">'
        ) in html
        assert (
            '<link rel="alternate" hreflang="zh-hans" '
            'href="http://testserver/zh-hans/trials/imbrave150/">'
        ) in html
        assert (
            '<link rel="alternate" hreflang="x-default" href="http://testserver/trials/imbrave150/">'
        ) in html
        assert f'<link rel="canonical" href="http://testserver{path}">' in html


def test_content_language_and_no_vary_on_accept_language(client, portal_data):
    english = client.get("/departments/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert english["Content-Language"] == "en"
    assert "Accept-Language" not in english.get("Vary", "")
    assert "Skip to main content" in english.content.decode()  # the URL decides, not the header
    chinese = client.get(ZH + "/departments/", HTTP_ACCEPT_LANGUAGE="en")
    assert chinese["Content-Language"] == "zh-hans"
    assert "Accept-Language" not in chinese.get("Vary", "")


@pytest.mark.parametrize("path", ["/health/live/", "/robots.txt", "/admin/login/"])
def test_language_neutral_urls_stay_unprefixed(client, db, path):
    assert client.get(path).status_code == 200
    assert client.get(ZH + path).status_code == 404


def test_page_cache_never_serves_one_language_for_the_other(client, portal_data, settings):
    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()
    english = client.get("/departments/")
    chinese = client.get(ZH + "/departments/")
    assert english["X-Page-Cache"] == "miss" and chinese["X-Page-Cache"] == "miss"
    english_again = client.get("/departments/")
    chinese_again = client.get(ZH + "/departments/")
    assert english_again["X-Page-Cache"] == "hit" and chinese_again["X-Page-Cache"] == "hit"
    assert english_again.content == english.content
    assert chinese_again.content == chinese.content
    assert "科室" in chinese_again.content.decode()
    assert "Skip to main content" in english_again.content.decode()
    assert english_again["Content-Language"] == "en"
    assert chinese_again["Content-Language"] == "zh-hans"
    # A Chinese browser asking for the English URL still gets the English page.
    hit = client.get("/departments/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert hit.content == english.content
    cache.clear()


@pytest.mark.parametrize(
    ("qualifier", "value", "value_max", "wording", "unit", "english", "chinese"),
    [
        (Qualifier.EXACT, 14010, None, "14010 cases", "", "14,010", "14,010"),
        (Qualifier.AT_LEAST, 100, None, "more than 100", "", "100+", "100 余"),
        (Qualifier.AT_LEAST, 30, None, "more than 30%", "%", "30%+", "30% 以上"),
        (Qualifier.ABOUT, 12000, None, "approximately 12,000", "", "about 12,000", "约 12,000"),
        (Qualifier.RANGE, 1, 2, "1-2", "", "1–2", "1–2"),
        (Qualifier.UNQUANTIFIED, None, None, "dozens", "", "dozens", "数十"),
        (Qualifier.UNQUANTIFIED, None, None, "several", "", "several", "若干"),
        (Qualifier.UNQUANTIFIED, None, None, "a number of", "", "a number of", "一些"),
        (Qualifier.UNQUANTIFIED, None, None, "multiple", "", "multiple", "多项"),
        (Qualifier.EXACT, 12, None, "for the last 12 years", "years", "12 years", "12 年"),
    ],
)
def test_quantities_in_chinese_for_every_qualifier(
    qualifier, value, value_max, wording, unit, english, chinese
):
    with translation.override("en"):
        assert render_quantity(qualifier, value, value_max, wording, unit) == english
    with translation.override("zh-hans"):
        assert render_quantity(qualifier, value, value_max, wording, unit) == chinese


def test_every_qualifier_is_covered_above():
    covered = {Qualifier.EXACT, Qualifier.AT_LEAST, Qualifier.ABOUT, Qualifier.RANGE}
    assert covered | {Qualifier.UNQUANTIFIED} == set(Qualifier)


def test_figures_on_a_chinese_department_page(client, portal_data):
    html = get(client, ZH + f"/departments/{BREAST}/")
    figures = re.findall(r'<span class="figure">([^<]*)</span>', html)
    assert figures
    assert not [f for f in figures if "about" in f or re.search(r"\d\+", f)]
    assert any("余" in f or "约" in f for f in figures)


def result_slugs(html):
    return re.findall(r'<h3><a href="/zh-hans/departments/([^/]+)/">', html)


def test_search_from_chinese_pages_gives_the_same_departments(client, portal_data):
    by_chinese = get(client, ZH + "/search/?q=肝癌")
    by_english = get(client, ZH + "/search/?q=liver+cancer")
    assert result_slugs(by_chinese) and result_slugs(by_chinese) == result_slugs(by_english)
    english_page = get(client, "/search/?q=liver+cancer")
    english_slugs = re.findall(r'<h3><a href="/departments/([^/]+)/">', english_page)
    assert english_slugs == result_slugs(by_chinese)
    # The interpretation line and the reasons are Chinese.
    assert "显示以下内容的结果：" in by_english and "<strong>肝癌</strong>" in by_english
    assert "您搜索的是“liver cancer”" in by_english
    reasons = re.findall(r'<p class="reason">([^<]*)</p>', by_english)
    assert reasons and all(CJK.search(r) for r in reasons)
    assert not [r for r in reasons if re.search(r"\b(lists|runs|covers|focuses)\b", r)]


def test_search_with_no_match_in_chinese(client, portal_data):
    html = get(client, ZH + "/search/?q=" + "x" * 5000)
    assert "只使用了前 200 个字符" in html


def test_filters_and_notices_in_chinese(client, portal_data):
    html = get(client, ZH + "/departments/?cancer_type=nonsense-type&page=abc")
    assert "部分筛选条件无法使用" in html
    assert "没有“nonsense-type”这个癌症类型。" in html
    assert (
        "<label" in html
        and "癌症类型" in html
        and "不限省份" in html
        and "按医院登记的城市名称填写" in html
    )
    trials = get(client, ZH + "/trials/?phase=9")
    assert "未知的分期。请从列表中选择。" in trials
    assert "Any phase" not in trials and "不限分期" in trials


# --- the catalogue stays complete ---------------------------------------------------------


def test_catalogue_has_no_untranslated_or_fuzzy_entries():
    catalogue = polib.pofile(str(CATALOGUE))
    assert len(catalogue) > 300
    assert [e.msgid for e in catalogue.untranslated_entries()] == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []
    assert not catalogue.metadata_is_fuzzy
    assert catalogue.metadata["Plural-Forms"].startswith("nplurals=1;")
    # Placeholders survive translation.
    for entry in catalogue.translated_entries():
        names = set(re.findall(r"%\((\w+)\)s", entry.msgid))
        translated = entry.msgstr or entry.msgstr_plural[0]
        assert names == set(re.findall(r"%\((\w+)\)s", translated)), entry.msgid


def test_compiled_catalogue_is_current(tmp_path):
    """The .mo the portal reads is compiled from the .po as it is now (make install does it)."""
    from oncology_portal.catalogues import compile_catalogues

    shutil.copytree(CATALOGUE.parent.parent.parent, tmp_path / "locale")
    (fresh,) = compile_catalogues(tmp_path / "locale")
    assert fresh.read_bytes() == CATALOGUE.with_suffix(".mo").read_bytes()


# What makemessages scans: the public pages and the code behind them. Admin templates, the
# JSON APIs and the tests are language-neutral.
IGNORED = [
    ".venv",
    "tests",
    "bench",
    "staticfiles",
    "build",
    "api",
    "fhir_api",
    "fhir",
    "templates/admin",
    "docs",
    "locale",
    "node_modules",
]


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
def test_makemessages_finds_no_new_string(tmp_path):
    """Run makemessages on a copy of the project; every msgid it finds is in the catalogue."""
    base = Path(settings.BASE_DIR)
    copy = tmp_path / "project"
    ignore = shutil.ignore_patterns(
        ".venv",
        "*.pyc",
        "__pycache__",
        "staticfiles",
        "*.sqlite3",
        "node_modules",
        ".git",
        "bench",
        "*.mo",
    )
    shutil.copytree(base, copy, ignore=ignore, symlinks=True)
    shutil.rmtree(copy / "locale")
    (copy / "locale" / "zh_Hans" / "LC_MESSAGES").mkdir(parents=True)
    command = [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-location"]
    command += [f"--ignore={name}" for name in IGNORED]
    subprocess.run(
        command,
        cwd=copy,
        check=True,
        capture_output=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "DJANGO_DEBUG": "true", "HOME": str(tmp_path)},
    )
    found = polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    known = {(e.msgctxt, e.msgid) for e in polib.pofile(str(CATALOGUE))}
    new = sorted({(e.msgctxt or None, e.msgid) for e in found} - known)
    assert new == [], "strings without a Chinese translation: run makemessages and translate"
