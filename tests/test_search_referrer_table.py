"""Referrer queries around the cancer type (issue 11): places, hospitals, drugs, classes, compounds.

Each row: the query, the departments that must appear, those that must not, and — where it
matters — the one that must come first. Like tests/test_search_table.py, the table goes through
the real page (`/search/?q=…`) and reads the ranked department links out of the HTML, so it runs
the same reading, filtering, ranking and template on SQLite and on PostgreSQL (CI runs both).

Facts behind the rows (seeds and ENRICHMENT.md): FAHZU (Medical Oncology Ⅰ and Ⅲ) and Zhejiang
Cancer Hospital (Breast Medical Oncology) are in Hangzhou, Zhejiang; the First Hospital of Jilin
University (Radiation Oncology) is in Changchun, Jilin; the 1955 cancer hospital (its Oncology
Department) states no location, so no place ever finds it. Medical Oncology Ⅲ runs CheckMate 459
(nivolumab), KEYNOTE-394 (pembrolizumab), IMbrave150 (atezolizumab + bevacizumab) and AXEPT
(capecitabine, irinotecan, bevacizumab); Breast Medical Oncology reports trials of pertuzumab,
T-DM1, CDK4/6 inhibitors and pyrotinib.
"""

import pytest

from .helpers import assert_ranked, ranked_slugs, search_page

pytestmark = pytest.mark.usefixtures("fresh_vocabulary")

M1 = "fahzu-medical-oncology-1"
M3 = "fahzu-medical-oncology-3"
H55 = "cancer-hospital-1955-oncology-department"  # its hospital states no location
BR = "zhejiang-cancer-hospital-breast-medical-oncology"
RT = "jilin-first-hospital-radiation-oncology"
ALL = (M1, M3, H55, BR, RT)


def row(query, must=(), first=None, kind=""):
    must = tuple(must)
    must_not = tuple(slug for slug in ALL if slug not in must)
    return pytest.param(query, must, must_not, first, id=f"{kind}:{query}")


TABLE = [
    # Places alone, English and Chinese, cities and provinces.
    row("Changchun", [RT], first=RT, kind="place-city"),
    row("长春", [RT], first=RT, kind="place-city-chinese"),
    row("Jilin", [RT], first=RT, kind="place-province"),
    row("吉林", [RT], first=RT, kind="place-province-chinese"),
    row("Hangzhou", [M1, M3, BR], kind="place-city"),
    row("浙江", [M1, M3, BR], kind="place-province-chinese"),
    # A place with a cancer type, in any position: the place filters.
    row("lung cancer Zhejiang", [M1], first=M1, kind="place-type"),
    row("Zhejiang lung cancer", [M1], first=M1, kind="place-type"),
    row("liver cancer Hangzhou", [M3, M1], kind="place-type"),
    row("breast cancer Hangzhou", [BR, M1], first=BR, kind="place-type"),
    row("杭州 胃癌", [M3, M1], first=M3, kind="place-type-chinese"),
    row("杭州胃癌", [M3, M1], first=M3, kind="place-type-chinese"),
    row("HCC Jilin", [], kind="place-type-nothing-there"),
    # A place with a therapy.
    row("长春 放疗", [RT], first=RT, kind="place-therapy-chinese"),
    row("radiotherapy Zhejiang", [], kind="place-therapy-nothing-there"),
    # Hospitals: full, short, Chinese and everyday names, alone or with a type or therapy.
    row("FAHZU", [M1, M3], kind="hospital-short"),
    row("浙江大学医学院附属第一医院", [M1, M3], kind="hospital-chinese"),
    row("The First Hospital of Jilin University", [RT], first=RT, kind="hospital-full"),
    row("Jilin University hospital radiotherapy", [RT], first=RT, kind="hospital-therapy"),
    row("Zhejiang Cancer Hospital", [BR], first=BR, kind="hospital-short"),
    row("浙江省肿瘤医院", [BR], first=BR, kind="hospital-chinese"),
    row("FAHZU liver cancer", [M3, M1], first=M3, kind="hospital-type"),
    row("breast cancer FAHZU", [M1], first=M1, kind="hospital-type"),
    # Drugs: brand, generic, Chinese generic and brand names.
    row("Opdivo", [M3], first=M3, kind="drug-brand"),
    row("nivolumab", [M3], first=M3, kind="drug-generic"),
    row("Avastin", [M3], first=M3, kind="drug-brand"),
    row("Tecentriq", [M3], first=M3, kind="drug-brand"),
    row("Keytruda", [M3], first=M3, kind="drug-brand"),
    row("贝伐珠单抗", [M3], first=M3, kind="drug-chinese-generic"),
    row("欧狄沃", [M3], first=M3, kind="drug-chinese-brand"),
    row("Perjeta", [BR], first=BR, kind="drug-brand"),
    row("Kadcyla", [BR], first=BR, kind="drug-brand"),
    row("trastuzumab emtansine", [BR], first=BR, kind="drug-generic"),
    row("吡咯替尼", [BR], first=BR, kind="drug-chinese-generic"),
    # A drug class and its members (ENRICHMENT.md names the CDK4/6 inhibitors' members).
    row("CDK4/6 inhibitors", [BR], first=BR, kind="class"),
    row("palbociclib", [BR], first=BR, kind="class-member"),
    row("Kisqali", [BR], first=BR, kind="class-member-brand"),
    row("达尔西利", [BR], first=BR, kind="class-member-chinese"),
    # Not a class ENRICHMENT.md names: read as the therapy it is an alias of, never as a drug.
    row("PD-1 inhibitor", [M1, M3, H55], kind="class-not-in-enrichment"),
    # Compounds: drug and type, drug and place.
    row("Avastin colorectal cancer", [M3], first=M3, kind="compound-drug-type"),
    row("Xeloda colorectal cancer", [M3], first=M3, kind="compound-drug-type"),
    row("Avastin Hangzhou", [M3], first=M3, kind="compound-drug-place"),
    row("Tecentriq Changchun", [], kind="compound-drug-place-nothing-there"),
    # Specific before generic.
    row("day chemotherapy", [M3, BR, H55], first=M3, kind="specific"),
    row("CAR-T cell therapy", [M3], first=M3, kind="specific"),
    row("day chemotherapy Hangzhou", [M3, BR], first=M3, kind="specific-place"),
    # A type no department lists: nothing in the results (the hint is apart: see below).
    row("thymoma", [], kind="unlisted-related"),
]


def test_table_covers_every_kind_of_query():
    kinds = {param.id.split(":")[0].split("-")[0] for param in TABLE}
    assert {"place", "hospital", "drug", "class", "compound", "specific", "unlisted"} <= kinds
    assert len(TABLE) >= 40


@pytest.mark.parametrize(("query", "must", "must_not", "first"), TABLE)
def test_referrer_query(client, query, must, must_not, first):
    assert_ranked(ranked_slugs(client, query), query, must, must_not, first)


# The complete order for a few queries: identical on SQLite and PostgreSQL.
SNAPSHOT = {
    "liver cancer Hangzhou": [M3, M1],
    "杭州 胃癌": [M3, M1],
    "day chemotherapy": [M3, BR, H55],
    "FAHZU": [M1, M3],
}


@pytest.mark.parametrize(("query", "expected"), SNAPSHOT.items())
def test_full_order_is_database_independent(client, query, expected):
    assert ranked_slugs(client, query) == expected


# --- specific before generic --------------------------------------------------------------


def test_day_chemotherapy_reads_as_day_care_chemotherapy_and_says_why(client):
    results = search_page(client, "day chemotherapy").context["results"]
    assert results.resolution.service.slug == "day-care-chemotherapy"
    assert results.resolution.ignored == ()  # "day" was used, not dropped
    reasons = {hit.slug: hit.reason for hit in results.page_obj}
    assert reasons[M3] == "Offers day-care chemotherapy"
    assert reasons[BR] == "Offers chemotherapy"  # the generic service, after
    assert "Day-care chemotherapy" in search_page(client, "day chemotherapy").content.decode()


def test_plain_chemotherapy_is_unchanged(client):
    results = search_page(client, "chemotherapy").context["results"]
    assert results.resolution.service.slug == "chemotherapy"
    assert [hit.slug for hit in results.page_obj] == [BR, H55, M3]


# --- related, never confused --------------------------------------------------------------


def test_unlisted_type_offers_related_listed_type_apart_from_results(client):
    response = search_page(client, "thymoma")
    results = response.context["results"]
    assert results.resolution.cancer_type.slug == "thymoma"
    assert list(results.page_obj) == [] and results.department_count == 0
    assert [item.cancer_type.slug for item in results.related] == ["thymic-carcinoma"]
    assert results.related[0].departments == (("Department of Medical Oncology Ⅰ", M1),)
    html = response.content.decode()
    related = html[html.index('<aside class="search-related') :]
    related = related[: related.index("</aside>")]
    assert "No department lists thymoma." in related
    assert "Thymic carcinoma" in related and f'href="/departments/{M1}/"' in related
    # Never a result: no result card, no count, no lung cancer (a mere neighbour in the tree).
    assert 'class="card search-result"' not in html
    assert "Lung cancer" not in related
    assert "Departments <span" not in html


def test_related_hint_is_absent_when_the_type_has_departments(client):
    response = search_page(client, "thymic carcinoma")
    assert response.context["results"].related == ()
    assert "search-related" not in response.content.decode()


def test_related_hint_is_absent_when_the_branch_has_nothing_listed(client):
    """Melanoma's branch holds no listed type: the page says so, and offers nothing."""
    response = search_page(client, "melanoma")
    assert response.context["results"].related == ()
    assert "No department or trial in the portal lists melanoma" in response.content.decode()


def test_related_hint_in_chinese(client):
    response = client.get("/zh-hans/search/", {"q": "胸腺瘤"})
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["results"].resolution.cancer_type.slug == "thymoma"
    related = html[html.index('<aside class="search-related') :]
    assert "没有科室列出胸腺瘤。" in related and "胸腺癌" in related
    assert 'lang="en">Department of Medical Oncology Ⅰ</a>' in related
