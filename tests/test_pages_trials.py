"""The public trial pages: /trials/ (filters, ordering, pagination) and /trials/<slug>/."""

import re

import pytest
from django.urls import reverse

from departments.models import CancerType
from departments.tree import CancerTypeTree
from tests.helpers import make_bulk_data
from trials.models import Trial

pytestmark = pytest.mark.django_db

LIST_URL = "/trials/"
SEED_TRIALS = {
    "checkmate-459": "CheckMate 459",
    "keynote-394": "KEYNOTE-394",
    "kn035": "KN035",
    "imbrave150": "IMbrave150",
    "axept": "AXEPT",
}


def html_of(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def listed_slugs(html):
    """Slugs of the trials shown as result cards (each card's heading links to the trial)."""
    return re.findall(r'<h3><a href="/trials/([\w-]+)/">', html)


def test_urls_are_the_public_contract():
    assert reverse("trials:trial-list") == "/trials/"
    assert reverse("trials:trial-detail", kwargs={"slug": "imbrave150"}) == "/trials/imbrave150/"


# --- The list -------------------------------------------------------------------------------


def test_list_shows_all_five_seed_trials(client, portal_data):
    html = html_of(client.get(LIST_URL))
    assert sorted(listed_slugs(html)) == sorted(SEED_TRIALS)
    for name in SEED_TRIALS.values():
        assert f">{name}</a></h3>" in html
    assert "<strong>5 trials</strong>" in html
    assert html.count("<h1") == 1
    assert "<title>Clinical trials · Oncology Portal</title>" in html
    assert 'aria-current="page">Trials</a>' in html


def test_list_cards_show_registry_links_phase_status_and_departments(client, portal_data):
    html = html_of(client.get(LIST_URL))
    assert 'href="https://clinicaltrials.gov/study/NCT03434379"' in html
    assert 'href="https://clinicaltrials.gov/study/NCT02576509"' in html
    # The source's wording is shown where it differs from the trial's name.
    assert "The source writes it “IM BRAVE150”." in html
    assert "Phase 3" in html
    assert "Completed" in html
    assert (
        'href="/departments/fahzu-medical-oncology-3/">Department of Medical Oncology Ⅲ</a>' in html
    )
    assert "The First Affiliated Hospital, Zhejiang University School of Medicine" in html
    # KN035 and AXEPT have no verified registry number: no invented NCT link for them.
    assert html.count("https://clinicaltrials.gov/study/") == 3


def test_filter_by_hepatocellular_carcinoma(client, portal_data):
    html = html_of(client.get(LIST_URL, {"cancer_type": "hepatocellular-carcinoma"}))
    slugs = listed_slugs(html)
    assert "imbrave150" in slugs
    assert "axept" not in slugs
    assert sorted(slugs) == ["checkmate-459", "imbrave150", "keynote-394"]
    assert "Cancer type: Hepatocellular carcinoma" in html
    assert "<title>Clinical trials: Hepatocellular carcinoma · Oncology Portal</title>" in html


def test_filter_by_broader_cancer_type_includes_narrower_types(client, portal_data):
    """Liver cancer is broader than hepatocellular carcinoma, which IMbrave150 lists."""
    html = html_of(client.get(LIST_URL, {"cancer_type": "liver-cancer"}))
    slugs = listed_slugs(html)
    assert "imbrave150" in slugs
    assert "axept" not in slugs
    html = html_of(client.get(LIST_URL, {"cancer_type": "digestive-system-cancers"}))
    assert sorted(listed_slugs(html)) == ["axept", "checkmate-459", "imbrave150", "keynote-394"]


def test_filter_by_colorectal_cancer_shows_axept_only(client, portal_data):
    html = html_of(client.get(LIST_URL, {"cancer_type": "colorectal-cancer"}))
    assert listed_slugs(html) == ["axept"]
    assert "<strong>1 trial</strong> for Colorectal cancer" in html


def test_filter_by_department(client, portal_data):
    html = html_of(client.get(LIST_URL, {"department": "fahzu-medical-oncology-3"}))
    assert sorted(listed_slugs(html)) == sorted(SEED_TRIALS)
    assert "Department: Department of Medical Oncology Ⅲ" in html


def test_filter_by_department_without_named_trials_shows_empty_state(client, portal_data):
    html = html_of(
        client.get(LIST_URL, {"department": "zhejiang-cancer-hospital-breast-medical-oncology"})
    )
    assert listed_slugs(html) == []
    assert "<strong>0 trials</strong>" in html
    assert "<h2>No trials match all of these filters</h2>" in html
    assert "choose a broader cancer type" in html
    assert 'href="/trials/">see all trials</a>' in html
    # The active filter can be removed with one link.
    assert '<a href="/trials/">Department: Breast Medical Oncology' in html


def test_filter_by_intervention_phase_status_and_sponsor_type(client, portal_data):
    html = html_of(client.get(LIST_URL, {"intervention": "bevacizumab"}))
    assert sorted(listed_slugs(html)) == ["axept", "imbrave150"]
    html = html_of(client.get(LIST_URL, {"phase": "3", "sponsor_type": "industry"}))
    assert sorted(listed_slugs(html)) == ["checkmate-459", "imbrave150", "keynote-394"]
    html = html_of(client.get(LIST_URL, {"status": "completed"}))
    assert "kn035" not in listed_slugs(html)
    assert "axept" not in listed_slugs(html)
    html = html_of(client.get(LIST_URL, {"status": "recruiting"}))
    assert listed_slugs(html) == []


@pytest.mark.parametrize(
    "typed", ["bevacizumab", "Bevacizumab", "Avastin", "贝伐珠单抗", "bevaciz"]
)
def test_the_drug_is_typed_by_slug_name_brand_or_chinese_name(client, portal_data, typed):
    html = html_of(client.get(LIST_URL, {"intervention": typed}))
    assert sorted(listed_slugs(html)) == ["axept", "imbrave150"]
    assert "Drug studied: Bevacizumab" in " ".join(re.sub(r"<[^>]+>", " ", html).split())
    # A text box, not a <select> of every drug (hundreds at national scale).
    assert '<select name="intervention"' not in html
    assert '<input type="text" name="intervention"' in html


def test_a_drug_typed_ambiguously_names_the_matches(client, portal_data):
    html = html_of(client.get(LIST_URL, {"intervention": "zumab"}))
    # By name or by another name ("trastuzumab emtansine" is T-DM1), each drug once.
    assert (
        "Several match: Atezolizumab; Bevacizumab; Pembrolizumab; Pertuzumab; "
        "T-DM1 (trastuzumab emtansine). Type more of the name."
    ) in html
    assert listed_slugs(html) == []


def test_ordering_is_whitelisted(client, portal_data):
    html = html_of(client.get(LIST_URL, {"order": "-name"}))
    assert listed_slugs(html) == ["kn035", "keynote-394", "imbrave150", "checkmate-459", "axept"]
    html = html_of(client.get(LIST_URL, {"order": "excerpt"}))
    assert listed_slugs(html) == []
    assert "We don&#x27;t know that sort order." in html


def test_active_filters_each_have_a_remove_link_keeping_the_rest(client, portal_data):
    html = html_of(
        client.get(LIST_URL, {"cancer_type": "liver-cancer", "phase": "3", "order": "-name"})
    )
    assert '<a href="/trials/?phase=3&amp;order=-name">Cancer type: Liver cancer' in html
    assert '<a href="/trials/?cancer_type=liver-cancer&amp;order=-name">Phase: Phase 3' in html
    assert '<a href="/trials/?order=-name">Clear all filters</a>' in html
    # Cancer-type links on the cards change that filter and keep the others.
    assert 'href="?cancer_type=hepatocellular-carcinoma&amp;phase=3&amp;order=-name"' in html


def test_pagination_links_keep_the_query_string(client, portal_data):
    make_bulk_data(200)
    html = html_of(client.get(LIST_URL, {"phase": "2", "page": "2"}))
    assert "<strong>200 trials</strong> for Phase 2, showing 21–40" in html
    assert "Page 2 of 10" in html
    assert 'href="?phase=2&amp;page=3" rel="next"' in html
    assert 'href="?phase=2&amp;page=1" rel="prev"' in html
    assert len(listed_slugs(html)) == 20


# --- Bad input never breaks the list --------------------------------------------------------


@pytest.mark.parametrize("key", ["cancer_type", "department", "intervention"])
def test_unknown_slug_gives_a_clear_message(client, portal_data, key):
    html = html_of(client.get(LIST_URL, {key: "no-such-thing"}))
    assert '<div class="notice" role="alert">' in html
    assert "Some filters could not be used" in html
    assert "We don&#x27;t know that" in html
    assert "Remove this filter</a>" in html
    assert "Choose one from the list." in html
    assert listed_slugs(html) == []
    assert "no-such-thing" not in html


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "99999"},
        {"page": "-1"},
        {"page": "1" * 5000},
        {"cancer_type": "x" * 5000},
        {"department": "y" * 5000, "page": "z" * 5000},
        {"cancer_type": "liver\x00cancer\x7f", "phase": "\x00\x01\x02"},
        {"status": "<script>alert(1)</script>", "order": '"><img src=x onerror=alert(1)>'},
        {"intervention": "<b>bold</b>", "q": "<script>alert(2)</script>"},
        {"sponsor_type": "industry", "phase": ["3", "<i>x</i>"]},
    ],
)
def test_bad_parameters_never_500_and_are_never_reflected(client, portal_data, params):
    html = html_of(client.get(LIST_URL, params))
    assert html.count("<h1") == 1
    for bad in ("<script>alert", "<img src=x", "<b>bold", "<i>x</i>", "x" * 200, "y" * 200):
        assert bad not in html
    assert "\x00" not in html


def test_bad_page_numbers_show_a_real_page(client, portal_data):
    html = html_of(client.get(LIST_URL, {"page": "abc"}))
    assert sorted(listed_slugs(html)) == sorted(SEED_TRIALS)
    assert "That page does not exist: showing page 1 of 1." in html
    html = html_of(client.get(LIST_URL, {"page": "99999", "cancer_type": "colorectal-cancer"}))
    assert listed_slugs(html) == ["axept"]
    assert "That page does not exist: showing page 1 of 1." in html
    assert "99999" not in html


def test_binary_query_string_is_handled(client, portal_data):
    response = client.get(LIST_URL + "?cancer_type=%FF%FE%00&page=%C0%AF&%00=%00")
    html = html_of(response)
    assert "We don&#x27;t know that cancer type." in html


# --- The detail page ------------------------------------------------------------------------


def test_imbrave150_detail_shows_everything_known(client, portal_data):
    html = html_of(client.get("/trials/imbrave150/"))
    assert html.count("<h1") == 1
    assert "<h1>IMbrave150</h1>" in html
    assert "<title>IMbrave150 (NCT03434379) — clinical trial · Oncology Portal</title>" in html
    assert re.search(r'<meta name="description" content="IMbrave150 \(NCT03434379\): [^"]+">', html)
    assert 'aria-current="page">Trials</a>' in html
    assert "The source writes it “IM BRAVE150”." in html
    assert (
        '<a href="https://clinicaltrials.gov/study/NCT03434379" rel="external">NCT03434379' in html
    )
    assert "Verified against ClinicalTrials.gov NCT03434379" in html
    assert "Phase 3" in html
    assert "Completed" in html
    assert "Multicentre" in html
    assert "Industry" in html
    assert "Hoffmann-La Roche" in html
    assert "unresectable hepatocellular carcinoma, first line" in html
    assert "atezolizumab + bevacizumab vs sorafenib" in html
    assert 'href="/cancer-types/hepatocellular-carcinoma/">Hepatocellular carcinoma</a>' in html
    for drug in ("Atezolizumab", "Bevacizumab", "Sorafenib"):
        assert f"<h3>{drug}</h3>" in html
    assert (
        '<a href="/departments/fahzu-medical-oncology-3/">Department of Medical Oncology Ⅲ</a>'
        in html
    )
    assert "Participating centre" in html
    # Sourced facts carry their excerpts.
    assert '<details class="excerpt">' in html
    assert "| IM BRAVE150 | NCT03434379 | 3 |" in html
    assert "including: Checkmate 459, Keynote 394, KN035, IM BRAVE150, AXEPT, etc." in html
    # No "Unknown" noise, and no claim that the registry number is missing.
    assert "Unknown" not in html
    assert "not stated in source" not in html


def test_axept_detail_shows_no_registry_number(client, portal_data):
    html = html_of(client.get("/trials/axept/"))
    assert "<h1>AXEPT</h1>" in html
    assert "NCT" not in html
    assert "clinicaltrials.gov" not in html
    assert "Registry number not stated in source" in html
    assert "metastatic colorectal cancer, second line" in html
    assert "Global / international" in html
    # The sources state no status or sponsor for AXEPT: nothing is shown for them.
    assert "<dt>Status</dt>" not in html
    assert "<dt>Sponsor" not in html
    assert "Unknown" not in html
    # Its source wording is its name: no "the source writes it" line.
    assert "The source writes it" not in html
    assert 'href="/cancer-types/colorectal-cancer/">Colorectal cancer</a>' in html


def test_kn035_detail_shows_only_what_is_stated(client, portal_data):
    html = html_of(client.get("/trials/kn035/"))
    assert "<h1>KN035</h1>" in html
    assert "Registry number not stated in source" in html
    for label in ("<dt>Phase</dt>", "<dt>Status</dt>", "<dt>Condition</dt>", "<h2>Cancer type"):
        assert label not in html
    assert "PD-L1 single-domain antibody" in html


@pytest.mark.parametrize(
    "path",
    ["/trials/no-such-trial/", "/trials/IMBRAVE150/", "/trials/" + "a" * 5000 + "/"],
)
def test_unknown_trial_is_a_404(client, portal_data, path):
    assert client.get(path).status_code == 404


def test_markup_in_the_trial_path_is_a_404(client, portal_data):
    response = client.get("/trials/%3Cscript%3Ealert(1)%3C/script%3E/")
    assert response.status_code == 404
    assert b"<script>alert(1)" not in response.content


# --- Query counts ---------------------------------------------------------------------------

# List: cancer-type tree, count, the page's trial ids (a narrow sort), those trials, their cancer
# types, their sites (with department and hospital). Departments and drugs are typed, not
# listed: one more query resolves one.
LIST_QUERIES = 6
LIST_BY_DEPARTMENT_QUERIES = 7
# Invalid filter: the listed vocabulary only (no result query at all).
INVALID_LIST_QUERIES = 1
# Detail: trial (with source), cancer types, drugs (with sources), sites (with departments,
# hospitals and sources).
DETAIL_QUERIES = 4


def _assert_page_query_counts(client, django_assert_num_queries):
    with django_assert_num_queries(LIST_QUERIES):
        html_of(client.get(LIST_URL))
    with django_assert_num_queries(LIST_QUERIES):
        html_of(client.get(LIST_URL, {"cancer_type": "liver-cancer", "phase": "3"}))
    with django_assert_num_queries(LIST_BY_DEPARTMENT_QUERIES):
        html_of(client.get(LIST_URL, {"department": "fahzu-medical-oncology-3", "order": "phase"}))
    with django_assert_num_queries(INVALID_LIST_QUERIES):
        html_of(client.get(LIST_URL, {"cancer_type": "no-such-type"}))
    with django_assert_num_queries(DETAIL_QUERIES):
        html_of(client.get("/trials/imbrave150/"))


def test_query_counts_with_seed_data(client, portal_data, django_assert_num_queries):
    """Guards against N+1: each page makes a fixed number of queries."""
    _assert_page_query_counts(client, django_assert_num_queries)


def test_a_list_filtered_by_a_cancer_type_alone_is_counted_once_per_data_version(
    client, portal_data, django_assert_num_queries
):
    """As the cancer-type pages link to it: the first request counts, later ones read the count
    until a write moves the data version; any other filter is counted every time."""
    make_bulk_data(60)
    url = LIST_URL + "?cancer_type=digestive-system-cancers"
    first = client.get(url)
    with django_assert_num_queries(LIST_QUERIES - 1) as captured:
        second = client.get(url)
    assert not any("__count" in query["sql"] for query in captured.captured_queries)
    tree = CancerTypeTree.load(CancerType.objects.all())
    expected = Trial.objects.for_cancer_types(
        tree.subtree_ids(tree.get("digestive-system-cancers"))
    ).count()
    assert first.context["paginator"].count == second.context["paginator"].count == expected > 20
    trial = Trial.objects.create(name="ZZ-COUNTED", slug="zz-counted")
    trial.cancer_types.add(CancerType.objects.get(slug="liver-cancer"))
    assert client.get(url).context["paginator"].count == expected + 1  # the write counts at once
    with django_assert_num_queries(LIST_QUERIES):
        client.get(url + "&phase=2")


def test_query_counts_do_not_grow_with_data(client, portal_data, django_assert_num_queries):
    """Guards against N+1: 200 more trials and departments leave the query counts unchanged."""
    make_bulk_data(200)
    _assert_page_query_counts(client, django_assert_num_queries)
    # Unfiltered, the list's size was counted by the first request of this data version.
    with django_assert_num_queries(LIST_QUERIES - 1):
        html = html_of(client.get(LIST_URL, {"page": "3"}))
    assert len(listed_slugs(html)) == 20
    with django_assert_num_queries(DETAIL_QUERIES):
        html_of(client.get("/trials/bulk-007/"))
