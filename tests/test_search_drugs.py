"""Drug names in search (issue 11, item 2): brand, generic and Chinese names and class members,
from ENRICHMENT.md "Drug names" only, each alias with that source.

A query for a drug, its brand or its class finds the trials that use it and the departments that
run them or report trials of it, each with the reason ("runs IMbrave150 with atezolizumab
(Tecentriq)").
"""

import re
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from departments.normalise import normalise
from oncology_portal.drugs import find_drugs
from trials.models import InterventionAlias

from .helpers import make_bulk_data, search_page

pytestmark = pytest.mark.usefixtures("fresh_vocabulary")

M3 = "fahzu-medical-oncology-3"
BR = "zhejiang-cancer-hospital-breast-medical-oncology"
ENRICHMENT = Path(settings.BASE_DIR) / "fixtures" / "seeds" / "ENRICHMENT.md"


def drug_names_section():
    text = ENRICHMENT.read_text(encoding="utf-8")
    start = text.index("## Drug names")
    return text[start : text.index("\n## ", start + 1)]


def text_of(response):
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


# --- the alias data -------------------------------------------------------------------------


def test_every_alias_comes_from_the_drug_names_table_with_its_source():
    section = drug_names_section()
    cells = {cell.strip() for line in section.splitlines() for cell in line.split("|")}
    aliases = list(InterventionAlias.objects.select_related("source", "intervention"))
    assert len(aliases) == 55
    for alias in aliases:
        assert alias.source.slug == "enrichment", alias
        assert alias.excerpt and " ".join(alias.excerpt.split()) in " ".join(section.split())
        # The alias is a cell of the table (or a name inside one: "T-DM1", "Irene (China)").
        assert alias.text in section, alias
        assert any(alias.text in cell for cell in cells), alias
        assert alias.normalised == normalise(alias.text)


def test_nothing_outside_the_table_becomes_an_alias():
    for text in ("PD-1 inhibitor", "Herceptin", "trastuzumab", "Lenvima", "Imfinzi", "Ibrance X"):
        assert not InterventionAlias.objects.filter(normalised=normalise(text)).exists(), text
    assert find_drugs("PD-1 inhibitor").drugs == ()
    assert find_drugs("Herceptin").drugs == ()


@pytest.mark.parametrize(
    ("typed", "drug", "label"),
    [
        ("Opdivo", "Nivolumab", "nivolumab (Opdivo)"),
        ("纳武利尤单抗", "Nivolumab", "nivolumab (纳武利尤单抗)"),
        ("Tecentriq", "Atezolizumab", "atezolizumab (Tecentriq)"),
        ("Kadcyla", "T-DM1 (trastuzumab emtansine)", "T-DM1 (Kadcyla)"),
        ("palbociclib", "CDK4/6 inhibitors", "CDK4/6 inhibitors (palbociclib)"),
        ("CDK4/6 inhibitors", "CDK4/6 inhibitors", "CDK4/6 inhibitors"),
        ("bevacizumab", "Bevacizumab", "bevacizumab"),
    ],
)
def test_a_drug_is_read_by_any_of_its_names(typed, drug, label):
    reading = find_drugs(f"{typed} advanced")
    assert [(d.name, d.label) for d in reading.drugs] == [(drug, label)]
    assert reading.rest == "advanced"


# --- the search page ------------------------------------------------------------------------


def test_brand_name_finds_the_trial_and_its_department_with_the_reason(client):
    response = search_page(client, "Tecentriq")
    results = response.context["results"]
    assert results.mode == "drug"
    assert [(hit.slug, hit.reason) for hit in results.page_obj] == [
        (M3, "Runs IMbrave150 with atezolizumab (Tecentriq)")
    ]
    assert [(t.trial.name, t.reason) for t in results.trials] == [
        ("IMbrave150", "With atezolizumab (Tecentriq); for hepatocellular carcinoma")
    ]
    text = text_of(response)
    assert "Showing results for atezolizumab (Tecentriq)" in text
    assert "Nothing in the portal matches" not in text


def test_a_drug_in_several_trials_names_them_all(client):
    results = search_page(client, "Avastin").context["results"]
    assert [(hit.slug, hit.reason) for hit in results.page_obj] == [
        (M3, "Runs AXEPT and IMbrave150 with bevacizumab (Avastin)")
    ]
    assert [t.trial.name for t in results.trials] == ["AXEPT", "IMbrave150"]


def test_a_class_member_finds_departments_reporting_the_class(client):
    results = search_page(client, "Ibrance").context["results"]
    hits = [(hit.slug, hit.reason) for hit in results.page_obj]
    assert hits[0][0] == BR
    assert hits[0][1].startswith("Reports trials of CDK4/6 inhibitors (Ibrance)")
    assert len(hits) == 1


def test_drug_and_cancer_type_keep_the_trials_for_that_type(client):
    results = search_page(client, "bevacizumab colorectal cancer").context["results"]
    assert results.resolution.cancer_type.slug == "colorectal-cancer"
    assert [t.trial.name for t in results.trials] == ["AXEPT"]
    assert [hit.reason for hit in results.page_obj] == ["Runs AXEPT with bevacizumab"]


def test_drug_and_place_filter_by_place(client):
    response = search_page(client, "Opdivo Changchun")
    results = response.context["results"]
    assert list(results.page_obj) == [] and results.trials == []
    assert "Changchun (Jilin)" in text_of(response)  # which places exist


def test_chinese_drug_name_on_the_chinese_page(client):
    response = search_page(client, "贝伐珠单抗", url="/zh-hans/search/")
    results = response.context["results"]
    assert [hit.slug for hit in results.page_obj] == [M3]
    assert "贝伐珠单抗" in text_of(response)


def test_api_search_answers_as_the_page_for_drugs(client):
    for query in ("Opdivo", "palbociclib", "贝伐珠单抗"):
        page = search_page(client, query).context["results"]
        data = client.get("/api/v1/search/", {"q": query}).json()
        assert data["mode"] == page.mode == "drug"
        assert [(d["slug"], d["reason"]) for d in data["departments"]] == [
            (hit.slug, hit.reason) for hit in page.page_obj
        ]
        assert [t["reason"] for t in data["trials"]] == [hit.reason for hit in page.trials]


def test_a_query_that_resolves_completely_looks_up_no_drug_or_place(client):
    """ "HCC" leaves no word unread: neither lookup runs (no extra query); "HCC Avastin" does."""
    search_page(client, "HCC")
    with CaptureQueriesContext(connection) as queries:
        search_page(client, "HCC")
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "interventionalias" not in sql
    assert 'FROM "departments_hospital"' not in sql  # the place lookup's table
    with CaptureQueriesContext(connection) as queries:
        search_page(client, "HCC Avastin")
    assert "interventionalias" in " ".join(q["sql"] for q in queries.captured_queries)


def test_drug_search_query_count_does_not_grow_with_data(client):
    """Guards against N+1 queries: 200 more departments running atezolizumab trials (the bulk
    trials use the first intervention by name) cost the same queries; only a page is explained."""
    search_page(client, "Tecentriq")
    with CaptureQueriesContext(connection) as before:
        search_page(client, "Tecentriq")
    make_bulk_data(200)
    with CaptureQueriesContext(connection) as after:
        response = search_page(client, "Tecentriq")
    results = response.context["results"]
    assert results.department_count > 200 and results.trial_count > 200
    assert len(results.trials) == 10  # capped, and the rest one link away
    html = response.content.decode()
    assert f"Showing the first 10 of {results.trial_count} trials." in html
    assert '<a href="/trials/?intervention=atezolizumab">All trials of atezolizumab</a>.' in html
    assert len(after) == len(before)
    assert len(after) <= 14
