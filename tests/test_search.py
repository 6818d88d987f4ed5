"""Unit and page tests of the referrer search: normalisation, resolution, ranking, reasons,
caching, the bounded query count, and hostile input."""

import re
from html import unescape

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.models import CancerType, CancerTypeAlias, Department, DepartmentCancerType
from departments.normalise import normalise
from departments.search import (
    get_vocabulary,
    related_cancer_type_ids,
    reset_vocabulary_cache,
    resolve,
    resolve_cancer_type,
    resolve_service,
    suggest,
)
from departments.search.resolve import allowed_edits
from departments.search.text import clean_query, qualifier_length, tokenise
from departments.search.vocabulary import build_vocabulary
from oncology_portal.search import MAX_TRIALS, search
from tests.helpers import make_bulk_data
from trials.models import Trial, TrialSite

M1 = "fahzu-medical-oncology-1"
M3 = "fahzu-medical-oncology-3"
H55 = "cancer-hospital-1955-oncology-department"
BR = "zhejiang-cancer-hospital-breast-medical-oncology"
RT = "jilin-first-hospital-radiation-oncology"


@pytest.fixture(autouse=True)
def _fresh_vocabulary(request):
    """Each test reads a vocabulary built from its own database state."""
    reset_vocabulary_cache()


# --- a small vocabulary, built without the database ------------------------------------------

CANCER_TYPES = [
    (1, "Digestive system cancers", "digestive-system-cancers", "消化系统肿瘤", None),
    (2, "Liver cancer", "liver-cancer", "肝癌", 1),
    (3, "Hepatocellular carcinoma", "hepatocellular-carcinoma", "肝细胞癌", 2),
    (4, "Stomach cancer", "stomach-cancer", "胃癌", 1),
    (5, "Lung cancer", "lung-cancer", "肺癌", None),
    (6, "Non-small cell lung cancer", "non-small-cell-lung-cancer", "", 5),
    (7, "Neuroendocrine tumours", "neuroendocrine-tumours", "", None),
    (8, "Colon cancer", "colon-cancer", "", 1),
    (9, "Rectal cancer", "rectal-cancer", "", 1),
    (10, "Melanoma", "melanoma", "黑色素瘤", None),
    (11, "Uveal melanoma", "uveal-melanoma", "", None),
    (12, "Breast cancer", "breast-cancer", "乳腺癌", None),
    (13, "HER2-positive breast cancer", "her2-positive-breast-cancer", "", 12),
]
CANCER_ALIASES = [
    (3, "HCC", "abbreviation", "hcc"),
    (3, "hepatoma", "synonym", "hepatoma"),
    (6, "NSCLC", "abbreviation", "nsclc"),
    (7, "NET", "abbreviation", "net"),
    (4, "gastric cancer", "synonym", "gastric"),
    (13, "HER2+ breast cancer", "abbreviation", "her2 breast"),
]
SERVICES = [
    (1, "Chemotherapy", "chemotherapy", "化疗", "systemic"),
    (2, "Day-care chemotherapy", "day-care-chemotherapy", "", "systemic"),
    (3, "Radiotherapy", "radiotherapy", "放疗", "radiation"),
    (4, "Gastric lavage", "gastric-lavage", "", "care"),
]
SERVICE_ALIASES = [
    (1, "chemo", "lay", "chemo"),
    (3, "RT", "abbreviation", "rt"),
    (4, "stomach", "synonym", "stomach"),  # collides with a cancer type's name on purpose
]


@pytest.fixture
def vocab():
    return build_vocabulary(CANCER_TYPES, CANCER_ALIASES, SERVICES, SERVICE_ALIASES)


def slug(resolution):
    return resolution.cancer_type.slug if resolution.cancer_type else None


# --- normalisation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Non-small-cell lung CANCER", "non small cell lung"),
        ("Tumours of the liver", "liver"),
        ("ＨＣＣ", "hcc"),  # full-width letters (NFKC)
        ("Hepato-bilio-pancreatic cancer", "hepato bilio pancreatic"),
        ("  gastric   carcinoma. ", "gastric"),
        ("肝癌", "肝癌"),
        ("children's cancer", "children"),
    ],
)
def test_normalise(text, expected):
    assert normalise(text) == expected


def test_tokenise_reads_plus_as_positive_and_keeps_case():
    tokens = tokenise("HER2+ Breast Cancer")
    assert [t.norm for t in tokens] == ["her2", "positive", "breast"]
    assert [t.raw for t in tokens] == ["HER2", "positive", "Breast"]


def test_clean_query_strips_control_characters_and_caps_length():
    assert clean_query("liver\x00 cancer\x1b") == ("liver cancer", False)
    text, truncated = clean_query("x" * 5000)
    assert len(text) == 200
    assert truncated
    assert clean_query(None) == ("", False)
    assert clean_query("\ud800bad") == ("bad", False)


@pytest.mark.parametrize(
    ("words", "length"),
    [
        ("stage iv nsclc", 2),
        ("stage iiib", 2),
        ("locally advanced", 2),
        ("first line", 2),
        ("metastatic", 1),
        ("her2 positive", 1),
        ("breast", 0),
    ],
)
def test_qualifier_length(words, length):
    assert qualifier_length(words.split(), 0) == length


def test_allowed_edits_keep_short_words_exact():
    assert [allowed_edits(n) for n in (2, 3, 4, 5, 7, 8, 20)] == [0, 0, 0, 1, 1, 2, 2]


# --- resolution (pure, small vocabulary) -----------------------------------------------------


def test_exact_name_alias_and_abbreviation_any_case(vocab):
    assert slug(resolve("Hepatocellular carcinoma", vocab)) == "hepatocellular-carcinoma"
    assert slug(resolve("hepatoma", vocab)) == "hepatocellular-carcinoma"
    for text in ("HCC", "hcc", "Hcc", "ＨＣＣ"):
        resolution = resolve(text, vocab)
        assert slug(resolution) == "hepatocellular-carcinoma"
        assert resolution.method == "abbreviation"
        assert not resolution.is_fuzzy


def test_short_abbreviations_are_never_fuzzy(vocab):
    assert slug(resolve("NET", vocab)) == "neuroendocrine-tumours"
    assert slug(resolve("net", vocab)) == "neuroendocrine-tumours"
    assert not resolve("NSLC", vocab).resolved  # four letters: exact or nothing
    assert not resolve("NSCLS", vocab).resolved  # abbreviations are exact targets only
    assert not resolve("HCCC", vocab).resolved
    assert not resolve("colo", vocab).resolved


def test_fuzzy_thresholds(vocab):
    one = resolve("livar cancer", vocab)  # five letters, one edit
    assert slug(one) == "liver-cancer"
    assert one.is_fuzzy
    assert not resolve("lavar cancer", vocab).resolved  # five letters, two edits
    assert slug(resolve("hepatocelular carcinoma", vocab)) == "hepatocellular-carcinoma"
    assert slug(resolve("hepatocelluar carcinom", vocab)) == "hepatocellular-carcinoma"
    assert not resolve("hepatoxxxular", vocab).resolved  # three edits


def test_chinese_exact_and_inside_a_longer_query(vocab):
    resolution = resolve("肝癌", vocab)
    assert slug(resolution) == "liver-cancer"
    assert resolution.method == "chinese"
    resolution = resolve("晚期肝细胞癌", vocab)
    assert slug(resolution) == "hepatocellular-carcinoma"
    assert resolution.qualifiers == ("晚期",)
    both = resolve("乳腺癌化疗", vocab)
    assert slug(both) == "breast-cancer"
    assert both.service.slug == "chemotherapy"


def test_qualifiers_do_not_stop_resolution(vocab):
    resolution = resolve("metastatic HER2+ breast cancer", vocab)
    assert slug(resolution) == "her2-positive-breast-cancer"
    assert resolution.qualifiers == ("metastatic",)
    resolution = resolve("stage IIIb NSCLC, second-line", vocab)
    assert slug(resolution) == "non-small-cell-lung-cancer"
    assert set(resolution.qualifiers) == {"stage IIIb", "second line"}
    resolution = resolve("HER2-negative breast cancer", vocab)
    assert slug(resolution) == "breast-cancer"
    assert set(resolution.qualifiers) == {"HER2", "negative"}
    assert not resolve("metastatic advanced", vocab).resolved


def test_ambiguous_queries_offer_alternatives(vocab):
    two_types = resolve("colon rectal", vocab)
    assert slug(two_types) == "colon-cancer"
    assert two_types.ambiguous
    assert [t.slug for t in two_types.alternatives] == ["rectal-cancer"]
    # One word naming a cancer type and a service: the cancer type first, the service offered.
    collision = resolve("stomach", vocab)
    assert slug(collision) == "stomach-cancer"
    assert [t.slug for t in collision.alternatives] == ["gastric-lavage"]


def test_broader_and_narrower_named_together_means_the_narrower(vocab):
    resolution = resolve("liver cancer HCC", vocab)
    assert slug(resolution) == "hepatocellular-carcinoma"
    assert not resolution.ambiguous


def test_see_also_names_terms_sharing_the_words_but_not_relatives(vocab):
    resolution = resolve("melanoma", vocab)
    assert [t.slug for t in resolution.see_also] == ["uveal-melanoma"]
    assert resolve("liver cancer", vocab).see_also == ()  # HCC is a relative, not "see also"


def test_no_match(vocab):
    resolution = resolve("xyzzy", vocab)
    assert not resolution.resolved
    assert resolution.alternatives == ()
    assert not resolve("", vocab).resolved
    assert not resolve("cancer", vocab).resolved  # generic words only
    assert not resolve("the of", vocab).resolved


def test_services_resolve_like_cancer_types(vocab):
    assert resolve("chemo", vocab).service.slug == "chemotherapy"
    assert resolve("化疗", vocab).service.slug == "chemotherapy"
    assert resolve("chemotherapie", vocab).service.slug == "chemotherapy"  # one edit
    assert resolve("RT", vocab).service.slug == "radiotherapy"
    assert resolve("day care chemotherapy", vocab).service.slug == "day-care-chemotherapy"
    assert vocab.narrower_services[1] == (2,)


def test_tree_relatives_never_include_siblings(vocab):
    assert vocab.related_cancer_type_ids(3) == {1, 2, 3}
    assert vocab.related_cancer_type_ids(2) == {1, 2, 3}
    assert vocab.related_cancer_type_ids(1) == {1, 2, 3, 4, 8, 9}
    assert 9 not in vocab.related_cancer_type_ids(8)  # colon and rectal are siblings


# --- resolution against the seed vocabulary --------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected", "qualifiers"),
    [
        ("secondary liver cancer", "liver-metastases", ()),  # a vocabulary phrase wins
        ("metastatic", "metastatic-cancers", ()),
        ("triple negative", "triple-negative-breast-cancer", ()),
        ("Unresectable HCC", "hepatocellular-carcinoma", ("Unresectable",)),
        ("early-stage breast cancer", "breast-cancer", ("early stage",)),
        ("childhood cancers", "childhood-cancers", ()),
        ("cholangetic", "cholangiocarcinoma", ()),
        ("oesophagael", "oesophageal-cancer", ()),
        ("肺癌脑转移", "lung-cancer", ()),
        ("HER2- breast cancer", "breast-cancer", ("HER2", "negative")),  # not HER2-positive
        ("mCRC", "colorectal-cancer", ("metastatic",)),
        ("cholangio", "cholangiocarcinoma", ()),  # the start of a longer term
        ("non small cell", "non-small-cell-lung-cancer", ()),
        ("clinical trials for liver cancer", "liver-cancer", ()),
        ("breast ca", "breast-cancer", ()),
    ],
)
def test_seed_vocabulary_resolution(portal_data, query, expected, qualifiers):
    resolution = resolve(query)
    assert slug(resolution) == expected
    assert resolution.qualifiers == qualifiers


def test_lower_case_everyday_word_is_not_an_abbreviation_inside_a_phrase(portal_data):
    assert slug(resolve("ALL")) == "acute-lymphoblastic-leukaemia"
    assert slug(resolve("relapsed ALL")) == "acute-lymphoblastic-leukaemia"
    assert not resolve("all cancers").resolved


def test_suggestions_for_text_that_resolves_to_nothing(portal_data):
    assert not resolve("lymfoma").resolved  # two edits in seven letters: not auto-corrected
    assert "lymphoma" in {t.slug for t in suggest("lymfoma")}
    assert suggest("zzzzqqqq") == ()


def test_directory_filter_api(portal_data):
    """The directory's cancer-type filter resolves a slug or free text the same way."""
    hcc = resolve_cancer_type("hepatocellular-carcinoma").cancer_type
    assert hcc.slug == "hepatocellular-carcinoma"
    assert resolve_cancer_type("HCC").cancer_type == hcc
    assert resolve_cancer_type("肝细胞癌").cancer_type == hcc
    assert resolve_cancer_type("chemotherapy").cancer_type is None
    assert resolve_service("chemotherapy").service.slug == "chemotherapy"
    ids = related_cancer_type_ids(hcc)
    by_slug = dict(CancerType.objects.values_list("slug", "pk"))
    assert ids == {
        by_slug[s]
        for s in (
            "hepatocellular-carcinoma",
            "liver-cancer",
            "hepatobiliary-pancreatic-cancers",
            "digestive-system-cancers",
        )
    }
    assert related_cancer_type_ids(CancerType.objects.get(slug="hepatocellular-carcinoma")) == ids
    treating = Department.objects.treating(ids).values_list("slug", flat=True)
    assert set(treating) == {M1, M3, H55}


# --- ranking and reasons ---------------------------------------------------------------------


def hits(query):
    return [(h.slug, h.reason) for h in search(query).hits]


def test_breast_cancer_specialist_first_with_reasons(portal_data):
    assert hits("breast cancer") == [
        (
            BR,
            "Focuses on breast cancer; reports 60+ multi-center Phase 2/3 clinical trials "
            "domestically and abroad",
        ),
        (M1, "Lists breast cancer"),
        (H55, "Lists breast cancer among its strengths"),
    ]


def test_hcc_lists_and_trials_before_broader(portal_data):
    assert hits("HCC") == [
        (
            M3,
            "Lists hepatocellular carcinoma; runs CheckMate 459, IMbrave150 and KEYNOTE-394 "
            "(hepatocellular carcinoma)",
        ),
        (M1, "Covers liver cancer, which includes hepatocellular carcinoma"),
        (H55, "Covers liver cancer, which includes hepatocellular carcinoma"),
    ]


def test_broader_type_reason(portal_data):
    assert (M1, "Covers gastrointestinal cancers, which include stomach cancer") in hits(
        "stomach cancer"
    )


def test_narrower_type_reason_and_band(portal_data):
    hospital = Department.objects.get(slug=M1).hospital
    narrow = Department.objects.create(
        hospital=hospital, name="AAA Liver Unit", slug="aaa-liver-unit", kind="medical"
    )
    hcc = CancerType.objects.get(slug="hepatocellular-carcinoma")
    DepartmentCancerType.objects.create(department=narrow, cancer_type=hcc)
    ranked = hits("liver cancer")
    assert ranked[-1] == (
        "aaa-liver-unit",
        "Lists hepatocellular carcinoma, which is a kind of liver cancer",
    )
    assert len(ranked) == 4  # after every department that lists liver cancer itself


def test_trial_activity_lifts_within_band_but_not_across_bands(portal_data):
    hospital = Department.objects.get(slug=M1).hospital
    hcc = CancerType.objects.get(slug="hepatocellular-carcinoma")
    rival = Department.objects.create(
        hospital=hospital, name="AAA Hepatology", slug="aaa-hepatology", kind="medical"
    )
    DepartmentCancerType.objects.create(department=rival, cancer_type=hcc)
    # Same band, fewer trials: after M3 although its name sorts first.
    assert [s for s, _ in hits("HCC")][:2] == [M3, "aaa-hepatology"]
    for i in range(4):
        trial = Trial.objects.create(name=f"ZZ-{i}", slug=f"zz-{i}")
        trial.cancer_types.add(hcc)
        TrialSite.objects.create(trial=trial, department=rival)
    assert [s for s, _ in hits("HCC")][:2] == ["aaa-hepatology", M3]
    # A stated focus stays ahead of any number of trials.
    breast = CancerType.objects.get(slug="breast-cancer")
    DepartmentCancerType.objects.create(department=rival, cancer_type=breast)
    for i in range(5):
        trial = Trial.objects.create(name=f"YY-{i}", slug=f"yy-{i}")
        trial.cancer_types.add(breast)
        TrialSite.objects.create(trial=trial, department=rival)
    assert [s for s, _ in hits("breast cancer")][:2] == [BR, "aaa-hepatology"]


def test_department_running_a_trial_without_listing_the_type(portal_data):
    radiation = Department.objects.get(slug=RT)
    TrialSite.objects.create(trial=Trial.objects.get(slug="imbrave150"), department=radiation)
    assert hits("HCC")[-1] == (RT, "Runs IMbrave150 (hepatocellular carcinoma)")


def test_radiation_department_only_for_radiotherapy(portal_data):
    assert RT not in [s for s, _ in hits("lung cancer")]
    assert hits("radiotherapy")[0] == (
        RT,
        "Offers radiotherapy; a radiation oncology department",
    )
    assert (M3, "Offers day-care chemotherapy, which is a kind of chemotherapy") in hits(
        "chemotherapy"
    )


def test_trials_listed_below_departments(portal_data):
    results = search("liver cancer")
    assert [t.trial.name for t in results.trials] == ["CheckMate 459", "IMbrave150", "KEYNOTE-394"]
    assert results.trials[0].reason.startswith("For hepatocellular carcinoma")
    assert search("colorectal cancer").trials[0].trial.name == "AXEPT"


# --- the page --------------------------------------------------------------------------------


def page(client, **params):
    response = client.get(reverse("portal:search"), params)
    assert response.status_code == 200
    return response


def text_of(response):
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return main, " ".join(unescape(re.sub(r"<[^>]+>", "", main)).split())


def test_interpretation_line(client, portal_data):
    _, text = text_of(page(client, q="HCC"))
    assert "Showing results for Hepatocellular carcinoma — you searched “HCC”" in text
    _, text = text_of(page(client, q="hepatocelular carcinoma"))
    assert "you searched “hepatocelular carcinoma” (closest match)" in text
    _, text = text_of(page(client, q="metastatic HER2+ breast cancer"))
    assert "Showing results for HER2-positive breast cancer" in text
    assert "Set aside: “metastatic”" in text
    _, text = text_of(page(client, q="colon rectal cancer"))
    assert "Did you mean Rectal cancer?" in text


def test_type_with_no_department_says_so_and_links_to_its_page(client, portal_data):
    main, text = text_of(page(client, q="melanoma"))
    assert "No department or trial in the portal lists melanoma or a related type yet." in text
    assert 'href="/cancer-types/melanoma/"' in main


def test_no_match_says_so_and_suggests_terms(client, portal_data):
    main, text = text_of(page(client, q="lymfoma"))
    assert "Nothing in the portal matches “lymfoma”." in text
    assert "Nearest cancer types and therapies:" in text
    assert "/search/?q=Lymphoma" in main


ALLOWED_MAIN_LINK = re.compile(
    r"^(/departments/[\w-]+/|/trials/[\w-]+/|/cancer-types/[\w-]+/|/search/\?q=[^\"]*"
    r"|\?(q=[^\"]*&(amp;)?)?page=\d+(&(amp;)?q=[^\"]*)?|/departments/\?service=[\w-]+)$"
)


@pytest.mark.parametrize(
    "query", ["HCC", "melanoma", "lymfoma", "radiotherapy", "intestinal flora", "colon rectal"]
)
def test_main_links_only_to_results(client, portal_data, query):
    main, _ = text_of(page(client, q=query))
    for href in re.findall(r'href="([^"]*)"', main):
        assert ALLOWED_MAIN_LINK.match(unescape(href)), href


@pytest.mark.parametrize(
    "raw",
    [
        "q=" + "a" * 5000,
        "q=%00",
        "q=liver%00cancer",
        "q=%FF%FE%FD",
        "q=%ED%A0%80",
        "q=%F0%9F%92%A9",
        "q=' OR 1=1; --",
        "q=%25%5F%5C",
        "q=HCC&page=abc",
        "q=HCC&page=99999",
        "q=&q=liver",
        "q=" + "肝" * 3000,
    ],
)
def test_any_input_gives_a_normal_page(client, portal_data, raw):
    response = client.get(reverse("portal:search") + "?" + raw)
    assert response.status_code == 200


def test_long_query_is_capped_with_a_message(client, portal_data):
    _, text = text_of(page(client, q="liver " * 1000))
    assert "only its first 200 characters were used" in text


def test_markup_is_escaped(client, portal_data):
    response = page(client, q='<script>alert("x")</script><b>liver</b>')
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


# --- caching and query count -----------------------------------------------------------------


def test_vocabulary_is_cached_not_reread(portal_data, django_assert_num_queries):
    get_vocabulary()
    with django_assert_num_queries(0):
        get_vocabulary()
        resolve("hepatocellular carcinoma")


def test_vocabulary_rebuilds_when_an_alias_changes(portal_data):
    assert not resolve("zebra tumour").resolved
    hcc = CancerType.objects.get(slug="hepatocellular-carcinoma")
    alias = CancerTypeAlias.objects.create(cancer_type=hcc, text="zebra tumour", kind="lay")
    assert slug(resolve("zebra tumour")) == "hepatocellular-carcinoma"
    alias.delete()
    assert not resolve("zebra tumour").resolved
    hcc.name = "Hepatocellular carcinoma (HCC)"
    hcc.save()
    assert resolve("HCC").cancer_type.name == "Hepatocellular carcinoma (HCC)"


def test_rolled_back_vocabulary_change_never_reaches_the_cache(portal_data):
    hcc = CancerType.objects.get(slug="hepatocellular-carcinoma")
    with pytest.raises(RuntimeError), transaction.atomic():
        CancerTypeAlias.objects.create(cancer_type=hcc, text="zebra tumour", kind="lay")
        assert slug(resolve("zebra tumour")) == "hepatocellular-carcinoma"
        raise RuntimeError("roll back")
    assert not resolve("zebra tumour").resolved


@pytest.mark.parametrize("query", ["HCC", "chemotherapy", "CAR-T for liver cancer", "KEYNOTE-394"])
def test_search_page_query_count_does_not_grow_with_data(client, portal_data, query):
    """Guards against N+1 queries: the search page runs the same handful of queries whether the
    portal holds five departments or two hundred more (with their links, trials and sites)."""
    url = reverse("portal:search")
    page(client, q=query)  # warm the vocabulary cache
    with CaptureQueriesContext(connection) as before:
        page(client, q=query)
    make_bulk_data(200)
    # The data version moved: the first search of a type counts its departments and trials
    # again (two queries), kept until the next write.
    with CaptureQueriesContext(connection) as first:
        page(client, q=query)
    assert len(before) <= len(first) <= len(before) + 2
    with CaptureQueriesContext(connection) as after:
        response = client.get(url, {"q": query})
    assert response.status_code == 200
    if query in ("HCC", "chemotherapy"):
        assert len(response.context["results"].hits) > 20  # the bulk data really matched
    assert len(after) == len(before)
    assert len(after) <= 10


def test_free_text_query_count_is_bounded_with_many_matches(client, portal_data):
    """Guards against N+1 queries on the free-text fallback: 200 matching departments."""
    make_bulk_data(200)
    page(client, q="generated")  # warm the vocabulary cache
    with CaptureQueriesContext(connection) as queries:
        response = page(client, q="generated")
    assert len(response.context["results"].hits) >= 200  # PostgreSQL also stems "generation"
    assert len(queries) <= 10


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "slug"),
    [("head & neck", "head-and-neck-cancers"), ("liver mets", "liver-metastases")],
)
def test_ampersand_and_lay_abbreviations_resolve(query, slug):
    """'&' reads as 'and'; 'mets' as the metastases the referrer means, not the primary cancer."""
    from departments.search import resolve

    assert resolve(query).cancer_type.slug == slug


@pytest.mark.django_db
def test_search_shows_the_first_trials_and_links_the_filtered_trial_list(client, portal_data):
    """Ten trials under the departments, then the trial list filtered to the type (its full,
    paginated list): the page does not grow with the trials."""
    make_bulk_data(240)  # twelve bulk trials for each of the first twenty types
    cancer_type = CancerType.objects.order_by("pk")[0]
    response = client.get(reverse("portal:search"), {"q": cancer_type.name})
    results = response.context["results"]
    assert results.resolution.cancer_type.id == cancer_type.pk
    assert len(results.trials) == MAX_TRIALS < results.trial_count
    html = response.content.decode()
    assert f"Showing the first 10 of {results.trial_count} trials." in html
    link = f'<a href="/trials/?cancer_type={cancer_type.slug}">All trials for '
    assert link in html
    listed = client.get(f"/trials/?cancer_type={cancer_type.slug}")
    assert listed.context["paginator"].count >= 12
    # A place narrows the search, and the trial list has no place filter: no link.
    response = client.get(reverse("portal:search"), {"q": f"{cancer_type.name} Testville"})
    assert response.context["results"].places.found
    assert response.context["results"].trial_list_url == ""
    assert "All trials for" not in response.content.decode()
