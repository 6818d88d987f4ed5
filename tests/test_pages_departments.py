"""The departments app's public pages: what each shows, what it must not, bad input, queries.

The seed data is loaded once per session (tests/conftest.py); each test runs in a transaction.
"""

import re
from html import unescape

import pytest
from django.db.models import Exists, OuterRef
from django.urls import reverse

from departments.models import CancerType, Department, DepartmentCancerType
from departments.tree import CancerTypeTree
from tests.helpers import make_bulk_data

pytestmark = pytest.mark.django_db

MO1 = "fahzu-medical-oncology-1"
MO3 = "fahzu-medical-oncology-3"
ONC_1955 = "cancer-hospital-1955-oncology-department"
BREAST = "zhejiang-cancer-hospital-breast-medical-oncology"
JILIN = "jilin-first-hospital-radiation-oncology"

DIRECTORY = reverse("portal:department-list")
PARAMS = (
    "cancer_type",
    "hospital",
    "province",
    "city",
    "kind",
    "service",
    "designation",
    "runs_trials",
    "ordering",
    "page",
    "q",
)


def department_url(slug):
    return reverse("departments:department-detail", kwargs={"slug": slug})


def html_of(response):
    return response.content.decode()


INLINE_TAGS = re.compile(r"</?(a|strong|span|em|cite|b|i|abbr)\b[^>]*>")


def text_of(response):
    """The page's visible text, roughly: tags dropped, entities decoded, spaces collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html_of(response), flags=re.S)
    html = INLINE_TAGS.sub("", html)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def result_names(response):
    """Names of the departments listed as directory results."""
    return [d.name for d in response.context["departments"]]


def assert_page_basics(response):
    """One <h1>, a specific title and description, a canonical link, landmarks, a skip link."""
    html = html_of(response)
    assert html.count("<h1") == 1
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()
    assert title != "Oncology Portal" and not title.startswith("·")
    description = re.search(r'<meta name="description" content="([^"]*)"', html).group(1)
    assert len(description) > 40
    assert '<link rel="canonical" href="http://testserver/' in html
    assert '<main id="main"' in html and '<nav aria-label="Main">' in html
    assert 'class="skip-link" href="#main"' in html


# --- home ------------------------------------------------------------------------------------


def test_home_has_search_groups_and_hospitals(client):
    response = client.get("/")
    assert response.status_code == 200
    assert_page_basics(response)
    html = html_of(response)
    assert f'action="{reverse("portal:search")}"' in html
    assert html.count('role="search"') == 1, "the home page has one search box, not two"
    # Cancer-type groups: roots, with children linking to the filtered directory and type page.
    assert "Digestive system cancers" in html
    assert f'href="{DIRECTORY}?cancer_type=stomach-cancer"' in html
    assert 'href="/cancer-types/gastrointestinal-cancers/"' in html
    assert f'href="{DIRECTORY}?cancer_type=breast-cancer"' in html
    # Grandchildren belong to the cancer-type pages, not the home page.
    assert "?cancer_type=hepatocellular-carcinoma" not in html
    # Hospitals and departments at a glance.
    assert 'href="/hospitals/fahzu/"' in html
    assert f'href="{department_url(BREAST)}"' in html
    assert "A cancer hospital founded in 1955 (name not stated in source)" in html


def test_home_is_three_taps_from_a_department(client):
    """Tap a group, tap a type, tap the department: the links exist on each step."""
    home = html_of(client.get("/"))
    assert f'href="{DIRECTORY}?cancer_type=breast-cancer"' in home
    listing = html_of(client.get(DIRECTORY, {"cancer_type": "breast-cancer"}))
    assert f'href="{department_url(BREAST)}"' in listing


# --- directory -------------------------------------------------------------------------------


def test_directory_lists_every_seed_department(client):
    response = client.get(DIRECTORY)
    assert response.status_code == 200
    assert_page_basics(response)
    names = result_names(response)
    assert len(names) == 5
    assert "Breast Medical Oncology" in names
    assert "Department of Radiation Oncology & Therapy" in names
    assert "5 departments" in text_of(response)
    assert "Active filters" not in html_of(response)


def test_directory_filter_by_breast_cancer(client):
    response = client.get(DIRECTORY, {"cancer_type": "breast-cancer"})
    assert response.status_code == 200
    names = result_names(response)
    assert "Breast Medical Oncology" in names
    assert "Department of Radiation Oncology & Therapy" not in names
    assert f'href="{department_url(JILIN)}"' not in html_of(response)
    text = text_of(response)
    assert "Departments for breast cancer" in text
    # The active filter is shown with a link that removes it (back to the whole directory).
    assert "Cancer type: Breast cancer" in text
    assert f'href="{DIRECTORY}"' in html_of(response)


def test_directory_puts_the_stated_focus_first(client):
    response = client.get(DIRECTORY, {"cancer_type": "breast-cancer"})
    assert result_names(response)[0] == "Breast Medical Oncology"
    assert "Breast cancer (main focus)" in text_of(response)
    # Medical Oncology Ⅲ states digestive system cancer as its focus: first, before Ⅰ.
    digestive = result_names(client.get(DIRECTORY, {"cancer_type": "digestive-system-cancers"}))
    assert digestive[0] == "Department of Medical Oncology Ⅲ"
    # A chosen sort order wins.
    by_name = client.get(DIRECTORY, {"cancer_type": "digestive-system-cancers", "ordering": "name"})
    assert result_names(by_name)[0] == "Department of Medical Oncology Ⅰ"


def test_directory_cancer_type_includes_narrower_types(client):
    """'Digestive system cancers' finds departments that list stomach cancer."""
    response = client.get(DIRECTORY, {"cancer_type": "digestive-system-cancers"})
    names = result_names(response)
    assert "Department of Medical Oncology Ⅲ" in names  # lists gastric cancer and digestive
    assert "Oncology Department" in names  # lists gastric cancer, not digestive itself
    assert "Department of Medical Oncology Ⅰ" in names  # lists gastrointestinal
    assert "Breast Medical Oncology" not in names


def test_directory_narrow_type_does_not_pull_in_broader_listings(client):
    """The filter includes narrower types only: stomach cancer is not 'digestive system'."""
    names = result_names(client.get(DIRECTORY, {"cancer_type": "stomach-cancer"}))
    assert "Department of Medical Oncology Ⅲ" in names
    assert "Department of Medical Oncology Ⅰ" not in names  # lists only gastrointestinal


def test_directory_other_filters(client):
    by_hospital = result_names(client.get(DIRECTORY, {"hospital": "fahzu"}))
    assert sorted(by_hospital) == [
        "Department of Medical Oncology Ⅰ",
        "Department of Medical Oncology Ⅲ",
    ]
    by_city = result_names(client.get(DIRECTORY, {"city": "Changchun"}))
    assert by_city == ["Department of Radiation Oncology & Therapy"]
    # Typed in any letter case; a text box, not a <select> of every city (hundreds at scale).
    response = client.get(DIRECTORY, {"city": "changchun"})
    assert result_names(response) == ["Department of Radiation Oncology & Therapy"]
    assert '<select name="city"' not in html_of(response)
    by_province = result_names(client.get(DIRECTORY, {"province": "Zhejiang"}))
    assert "Breast Medical Oncology" in by_province and "Oncology Department" not in by_province
    by_kind = result_names(client.get(DIRECTORY, {"kind": "breast"}))
    assert by_kind == ["Breast Medical Oncology"]
    by_service = result_names(client.get(DIRECTORY, {"service": "car-t-cell-therapy"}))
    assert "Department of Medical Oncology Ⅲ" in by_service
    assert "Breast Medical Oncology" not in by_service
    by_designation = result_names(client.get(DIRECTORY, {"designation": "national key clinical"}))
    assert "Oncology Department" in by_designation
    assert "Breast Medical Oncology" not in by_designation
    with_trials = result_names(client.get(DIRECTORY, {"runs_trials": "true"}))
    assert "Department of Medical Oncology Ⅲ" in with_trials
    assert "Department of Medical Oncology Ⅰ" in with_trials  # aggregate activity only
    without = result_names(client.get(DIRECTORY, {"runs_trials": "false"}))
    assert not set(with_trials) & set(without)
    assert len(with_trials) + len(without) == 5


def test_directory_combined_filters_keep_each_other(client):
    response = client.get(
        DIRECTORY, {"cancer_type": "breast-cancer", "city": "Hangzhou", "ordering": "-name"}
    )
    assert result_names(response) == ["Department of Medical Oncology Ⅰ", "Breast Medical Oncology"]
    html = html_of(response)
    # Removing the city keeps the cancer type and the sort order (and drops any page).
    assert f'href="{DIRECTORY}?cancer_type=breast-cancer&amp;ordering=-name"' in html
    assert f'href="{DIRECTORY}?city=Hangzhou&amp;ordering=-name"' in html


def test_directory_ordering_is_whitelisted(client):
    names = result_names(client.get(DIRECTORY, {"ordering": "-name"}))
    assert names == sorted(names, reverse=True)
    founded = result_names(client.get(DIRECTORY, {"ordering": "founded"}))
    assert founded[0] == "Department of Medical Oncology Ⅲ"  # the only founded date stated
    response = client.get(DIRECTORY, {"ordering": "summary"})
    assert response.status_code == 200
    assert "No sort order “summary”." in text_of(response)


def test_directory_empty_state_says_what_to_try(client):
    response = client.get(DIRECTORY, {"cancer_type": "melanoma"})
    assert response.status_code == 200
    assert result_names(response) == []
    text = text_of(response)
    assert "0 departments" in text
    assert "No departments found" in text
    assert "Departments for skin cancers, the broader type" in text
    assert "All departments" in text


def test_directory_unknown_cancer_type_is_a_clear_message(client):
    response = client.get(DIRECTORY, {"cancer_type": "xyz"})
    assert response.status_code == 200
    text = text_of(response)
    assert "No cancer type “xyz”." in text
    assert result_names(response) == [], "an invalid filter must not silently show everything"
    assert "Remove this filter" in text


@pytest.mark.parametrize(
    ("param", "value", "message"),
    [
        ("hospital", "nowhere", "No hospital “nowhere”."),
        ("service", "telepathy", "No therapy or service “telepathy”."),
        ("kind", "wizardry", "No department kind “wizardry”."),
        ("province", "Atlantis", "No province “Atlantis”."),
        ("city", "Gotham", "No city “Gotham”."),
    ],
)
def test_directory_unknown_filter_values(client, param, value, message):
    response = client.get(DIRECTORY, {param: value})
    assert response.status_code == 200
    assert message in text_of(response)
    assert result_names(response) == []


def test_directory_bad_page_numbers(client):
    for bulk in (False, True):
        if bulk:
            make_bulk_data(200)
        response = client.get(DIRECTORY, {"page": "abc"})
        assert response.status_code == 200
        assert response.context["page_obj"].number == 1
        assert "“abc” is not a page number" in text_of(response)
        response = client.get(DIRECTORY, {"page": "99999"})
        assert response.status_code == 200
        last = response.context["paginator"].num_pages
        assert response.context["page_obj"].number == last
        assert f"There is no page 99999: showing page {last} of {last}." in text_of(response)
    assert last == 11  # 205 departments, 20 a page


def test_directory_pagination_keeps_the_query_string(client):
    make_bulk_data(200)
    response = client.get(DIRECTORY, {"kind": "medical", "ordering": "name"})
    html = html_of(response)
    assert 'href="?kind=medical&amp;ordering=name&amp;page=2"' in html
    page2 = client.get(DIRECTORY, {"kind": "medical", "ordering": "name", "page": "2"})
    assert page2.context["page_obj"].number == 2
    assert "showing 21–40" in text_of(page2)


# --- department ------------------------------------------------------------------------------


def test_medical_oncology_3_page(client):
    response = client.get(department_url(MO3))
    assert response.status_code == 200
    assert_page_basics(response)
    html, text = html_of(response), text_of(response)
    assert "<h1>Department of Medical Oncology Ⅲ</h1>" in html
    assert "Founded 7 November 2014" in text
    assert 'href="/trials/imbrave150/"' in html
    assert 'href="https://clinicaltrials.gov/study/NCT03434379"' in html
    assert "Phase 3" in text and "Completed" in text
    # AXEPT and KN035 have no verified registry record: no invented NCT link.
    assert html.count("https://clinicaltrials.gov/study/") == 3
    # Cancers treated: the stated focus first, the source's wording beside the term.
    cancers = html[html.index('id="cancers"') : html.index('id="services"')]
    assert cancers.index("Digestive system cancers") < cancers.index("Stomach cancer")
    assert "The source says “gastric cancer”" in unescape(cancers)
    assert 'href="/cancer-types/stomach-cancer/"' in cancers
    # Quantities keep their wording.
    assert "6,000+ one-day chemotherapy patients admitted" in text
    assert "dozens SCI-indexed articles".lower() in text.lower()
    assert (
        "National and regional academic conferences on digestive system tumors: 1–2 every year"
        in text
    )
    # Sources: the excerpt behind a fact, and the source document named.
    assert '<details class="excerpt">' in html
    assert 'href="/sources/seed-001/"' in html
    # No contact details or leader are stated: no empty sections.
    assert 'id="contact"' not in html
    assert "<h3>Leader</h3>" not in html


def test_medical_oncology_1_keeps_more_than_100(client):
    response = client.get(department_url(MO1))
    assert response.status_code == 200
    html = html_of(response)
    assert '<span class="figure">100+</span>' in html
    assert '<span class="figure">103</span>' in html
    # "More than 100" shows as "100+" or in the source's words, never as a bare "100".
    assert not re.search(r"(?<!more than )(?<![\d,.])100(?![\d+,%])", text_of(response))
    text = text_of(response)
    assert "15 oncologists and scientists" in text
    assert "Founded" not in text  # the seed gives no founding date


def test_breast_page(client):
    response = client.get(department_url(BREAST))
    assert response.status_code == 200
    html, text = html_of(response), text_of(response)
    assert 'href="tel:+86057188122072"' in html
    assert ">+86-0571-88122072</a>" in html
    assert "about 12,000" in text
    assert "40+ medical staff" in text
    assert "300+" in text
    assert "Prof. Xiao-Jia Wang" in text
    assert "Last updated at source: Mar. 2020" in text
    cancers = html[html.index('id="cancers"') : html.index('id="services"')]
    assert cancers.index("Breast cancer") < cancers.index("HER2")
    assert "12000" not in text and "12,000+" not in text


def test_department_unnamed_hospital_is_never_given_a_name(client):
    response = client.get(department_url(ONC_1955))
    assert response.status_code == 200
    text = text_of(response)
    assert "A cancer hospital founded in 1955 (name not stated in source)" in text
    assert "National Key Clinical Specialty" in text


def test_department_unknown_slug_is_404(client):
    response = client.get(department_url("no-such-department"))
    assert response.status_code == 404
    assert "Page not found" in text_of(response)
    assert html_of(response).count("<h1") == 1


# --- hospitals -------------------------------------------------------------------------------


def test_hospital_list(client):
    response = client.get(reverse("departments:hospital-list"))
    assert response.status_code == 200
    assert_page_basics(response)
    text = text_of(response)
    assert "The First Affiliated Hospital, Zhejiang University School of Medicine" in text
    assert "浙江大学医学院附属第一医院" in text
    assert "A cancer hospital founded in 1955 (name not stated in source)" in text
    assert 'aria-current="page">Hospitals</a>' in html_of(response)


def test_hospital_1955_page(client):
    response = client.get(reverse("portal:hospital-detail", args=["cancer-hospital-founded-1955"]))
    assert response.status_code == 200
    assert_page_basics(response)
    html, text = html_of(response), text_of(response)
    assert "<h1>A cancer hospital founded in 1955 (name not stated in source)</h1>" in html
    assert "Beds 1,994" in text
    assert "Nursing units 59" in text
    assert "Founded 1955" in text
    assert "The source does not name this hospital" in text
    assert f'href="{department_url(ONC_1955)}"' in html
    # No invented name, city or province.
    assert "Location" not in text
    assert "Hangzhou" not in text


def test_hospital_fahzu_page(client):
    response = client.get(reverse("portal:hospital-detail", args=["fahzu"]))
    html, text = html_of(response), text_of(response)
    assert "Hangzhou, Zhejiang, China" in text
    assert "浙江大学医学院附属第一医院" in text
    assert "ENRICHMENT.md" in text  # where the name and city come from
    assert f'href="{department_url(MO1)}"' in html and f'href="{department_url(MO3)}"' in html
    assert f'href="{department_url(BREAST)}"' not in html


def test_hospital_unknown_slug_is_404(client):
    assert client.get(reverse("portal:hospital-detail", args=["nowhere"])).status_code == 404


# --- cancer types ----------------------------------------------------------------------------


def test_cancer_type_tree(client):
    response = client.get(reverse("departments:cancertype-list"))
    assert response.status_code == 200
    assert_page_basics(response)
    html = html_of(response)
    # Nested: hepatocellular carcinoma sits inside liver cancer's list, inside its group.
    group = html[
        html.index('id="group-digestive-system-cancers"') : html.index(
            'id="group-thoracic-cancers"'
        )
    ]
    assert group.index("Liver cancer") < group.index("Hepatocellular carcinoma")
    assert "Melanoma" in html
    assert 'aria-current="page">Cancer types</a>' in html


def test_cancer_type_stomach(client):
    response = client.get(reverse("portal:cancertype-detail", args=["stomach-cancer"]))
    assert response.status_code == 200
    assert_page_basics(response)
    html, text = html_of(response), text_of(response)
    assert "<h1>Stomach cancer</h1>" in html
    assert "胃癌" in text
    assert "C16" in text
    assert "gastric cancer" in text  # an alias
    assert "Departments that list stomach cancer" in text
    assert "Through a broader type" in text
    assert "Lists gastrointestinal cancers, a broader type that includes stomach cancer" in text
    direct = html[html.index("Departments that list") : html.index("Through a broader type")]
    assert department_url(MO3) in direct
    assert department_url(MO1) not in direct
    assert department_url(BREAST) not in html


def test_cancer_type_through_narrower_types_and_trials(client):
    response = client.get(reverse("portal:cancertype-detail", args=["liver-cancer"]))
    html, text = html_of(response), text_of(response)
    assert 'href="/trials/imbrave150/"' in html
    assert "for hepatocellular carcinoma" in text
    hpb = client.get(reverse("portal:cancertype-detail", args=["hepatobiliary-pancreatic-cancers"]))
    hpb_html, hpb_text = html_of(hpb), text_of(hpb)
    narrower = hpb_html[hpb_html.index("Through a narrower type") :]
    assert department_url(MO1) in narrower  # lists liver, cholangiocarcinoma, pancreatic
    assert department_url(MO3) not in narrower  # lists the type itself: shown once, directly
    assert (
        "Lists cholangiocarcinoma, a narrower type of hepatobiliary–pancreatic cancers "
        "(the source says “cholangetic”)" in hpb_text
    )


def test_cancer_type_nobody_lists(client):
    response = client.get(reverse("portal:cancertype-detail", args=["melanoma"]))
    assert response.status_code == 200
    text = text_of(response)
    assert "No department in the directory lists melanoma" in text
    assert "Clinical trials" not in text


def test_cancer_type_unknown_slug_is_404(client):
    assert client.get(reverse("portal:cancertype-detail", args=["xyz"])).status_code == 404


# --- sources ---------------------------------------------------------------------------------


def test_source_page(client):
    response = client.get(reverse("departments:source-detail", args=["seed-003"]))
    assert response.status_code == 200
    assert_page_basics(response)
    text = text_of(response)
    assert "Breast Medical Oncology — Zhejiang Cancer Hospital web page" in text
    assert "Last updated at source Mar. 2020" in text
    assert "approximately 12,000 person-times" in text  # the full text
    assert client.get(reverse("departments:source-detail", args=["nope"])).status_code == 404


def test_server_error_page_needs_no_context():
    from django.template.loader import get_template

    html = get_template("500.html").render()
    assert html.count("<h1") == 1 and "Something went wrong" in html


# --- bad input everywhere --------------------------------------------------------------------

PAGES = [
    "/",
    DIRECTORY,
    department_url(MO3),
    "/hospitals/",
    "/hospitals/fahzu/",
    "/cancer-types/",
    "/cancer-types/stomach-cancer/",
    "/sources/seed-001/",
]
NASTY = [
    "x" * 5000,
    "\x00",
    "a\x00b",
    "\ufffd\x01\x1f",
    "<script>alert(1)</script>",
    '"><script>alert(1)</script>',
    "-1",
    "0",
]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("value", NASTY, ids=range(len(NASTY)))
def test_bad_parameters_never_500_nor_reflect_markup(client, url, value):
    response = client.get(url, dict.fromkeys(PARAMS, value))
    assert response.status_code == 200
    html = html_of(response)
    assert "<script>alert" not in html
    assert "\x00" not in html


@pytest.mark.parametrize(
    "raw",
    ["cancer_type=%00", "cancer_type=%ff%fe", "hospital=%ff", "service=a%00b", "kind=%00"],
)
def test_binary_filter_values_are_refused_clearly(client, raw):
    response = client.get(f"{DIRECTORY}?{raw}")
    assert response.status_code == 200
    assert result_names(response) == []
    assert "Some filters could not be used" in text_of(response)


def test_binary_designation_finds_nothing(client):
    response = client.get(f"{DIRECTORY}?designation=%00%ff")
    assert response.status_code == 200
    assert result_names(response) == []
    assert "No departments found" in text_of(response)


def test_binary_page_number_shows_page_one(client):
    response = client.get(f"{DIRECTORY}?page=%00%ff")
    assert response.status_code == 200
    assert response.context["page_obj"].number == 1
    assert "is not a page number" in text_of(response)


def test_markup_in_a_filter_is_escaped_in_the_message(client):
    response = client.get(DIRECTORY, {"cancer_type": "<script>alert(1)</script>"})
    html = html_of(response)
    assert "No cancer type “&lt;script&gt;alert(1)&lt;/script&gt;”." in html
    assert "<script>" not in html


def test_long_value_is_shortened_in_the_message(client):
    response = client.get(DIRECTORY, {"cancer_type": "x" * 5000})
    assert response.status_code == 200
    assert "x" * 100 not in text_of(response).split("Remove this filter")[0]


# --- query counts ----------------------------------------------------------------------------

QUERY_PAGES = {
    "home": ("/", {}),
    "directory": (DIRECTORY, {}),
    "directory filtered": (
        DIRECTORY,
        {
            "cancer_type": "digestive-system-cancers",
            "hospital": "fahzu",
            "service": "immunotherapy",
        },
    ),
    "directory page 2": (DIRECTORY, {"page": "2"}),
    "department": (department_url(MO3), {}),
    "department breast": (department_url(BREAST), {}),
    "hospital list": ("/hospitals/", {}),
    "hospital": ("/hospitals/fahzu/", {}),
    "cancer-type list": ("/cancer-types/", {}),
    "cancer type": ("/cancer-types/hepatobiliary-pancreatic-cancers/", {}),
    "source": ("/sources/seed-001/", {}),
}
# The directory and a hospital's page count trials for the page shown only (two grouped
# queries over at most 20 ids) instead of counting over every department. The directory picks
# its page as ids (a narrow sort), then loads those rows: one query more than a single SELECT.
# Home and the cancer-type list compute their counts with grouped queries (one per depth of
# the tree, one for the largest hospitals) when the data version has moved, as here; then
# they come from the cache (see test_busy_page_counts_come_from_the_cache).
EXPECTED_QUERIES = {
    "home": 8,
    "directory": 9,
    "directory filtered": 12,  # by a cancer type: focus departments, then the rest (two)
    "directory page 2": 9,
    "department": 17,
    "department breast": 17,
    "hospital list": 4,  # departments counted for the page shown only
    "hospital": 6,
    "cancer-type list": 2,
    "cancer type": 11,  # the first departments of each reach, their count, trials and count
    "source": 2,
}


@pytest.mark.parametrize("name", list(QUERY_PAGES))
def test_query_counts_do_not_grow_with_the_data(client, django_assert_num_queries, name):
    """Guards against N+1: the same number of queries with 200 more departments and trials."""
    url, params = QUERY_PAGES[name]
    with django_assert_num_queries(EXPECTED_QUERIES[name]):
        assert client.get(url, params).status_code == 200
    make_bulk_data(200)
    with django_assert_num_queries(EXPECTED_QUERIES[name]):
        assert client.get(url, params).status_code == 200


@pytest.mark.parametrize(
    ("typed", "understood", "shown", "hidden"),
    [
        ("HCC", "Hepatocellular carcinoma", "Medical Oncology Ⅲ", "Breast Medical Oncology"),
        ("bile duct cancer", "Cholangiocarcinoma", "Medical Oncology Ⅰ", "Radiation Oncology"),
        ("肝癌", "Liver cancer", "Medical Oncology Ⅰ", "Breast Medical Oncology"),
        ("breast cancr", "Breast cancer", "Breast Medical Oncology", "Radiation Oncology"),
    ],
)
def test_directory_cancer_type_filter_uses_the_search_resolution(
    client, typed, understood, shown, hidden
):
    """The directory accepts what a referrer types, resolved as the search page resolves it."""
    response = client.get("/departments/", {"cancer_type": typed})
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Showing departments for <strong>{understood}</strong>" in html
    assert shown in html
    assert hidden not in html.split("result-count", 1)[1]


def test_directory_filtered_by_a_cancer_type_alone_takes_its_count_from_the_cache(
    client, django_assert_num_queries
):
    """The count of departments treating a type or a narrower one is counted once per data
    version; with any other filter the directory counts its matches."""
    make_bulk_data(60)
    client.get(DIRECTORY, {"cancer_type": "digestive-system-cancers"})  # fills the cache
    # Nine: the page's ids are read in two parts (the few focus departments, then the rest).
    with django_assert_num_queries(9) as captured:
        response = client.get(DIRECTORY, {"cancer_type": "digestive-system-cancers"})
    assert not any("__count" in query["sql"] for query in captured.captured_queries)
    tree = CancerTypeTree.load(CancerType.objects.all())
    ids = tree.subtree_ids(tree.get("digestive-system-cancers"))
    expected = Department.objects.treating(ids).count()
    assert response.context["paginator"].count == expected > 20
    assert f"{expected} departments" in text_of(response)
    assert len(response.context["departments"]) == 20
    # Another filter as well: counted, and the count is that filter's.
    response = client.get(DIRECTORY, {"cancer_type": "digestive-system-cancers", "kind": "medical"})
    expected = Department.objects.treating(ids).filter(kind="medical").count()
    assert response.context["paginator"].count == expected


@pytest.mark.parametrize(("url", "cold", "warm"), [("/", 8, 3), ("/cancer-types/", 2, 1)])
def test_busy_page_counts_come_from_the_cache(client, django_assert_num_queries, url, cold, warm):
    """Counts over every department–cancer-type link are computed once per data version."""
    with django_assert_num_queries(cold):
        first = client.get(url).content
    with django_assert_num_queries(warm):
        assert client.get(url).content == first


@pytest.mark.parametrize("deep", [1000, 7])
def test_focus_first_pages_are_the_single_sort_read_in_two_parts(client, monkeypatch, deep):
    """The directory filtered by a cancer type pages its stated-focus departments first, then
    the others, each by name: page by page the same ids as one sort of every match would give
    (also past FirstThenRest.DEEP, where it is that one sort)."""
    from departments.listing import FirstThenRest

    monkeypatch.setattr(FirstThenRest, "DEEP", deep)
    departments, _ = make_bulk_data(45)
    digestive = CancerType.objects.get(slug="digestive-system-cancers")
    tree = CancerTypeTree.load(CancerType.objects.all())
    ids = tree.subtree_ids(tree.get("digestive-system-cancers"))
    # A few bulk departments state a digestive focus, so focus rows and the rest interleave by name.
    for department in departments[5:30:4]:
        DepartmentCancerType.objects.create(
            department=department, cancer_type=digestive, relation="primary_focus"
        )
    focus = DepartmentCancerType.objects.filter(
        department=OuterRef("pk"), cancer_type__in=ids, relation="primary_focus"
    )
    expected = list(
        Department.objects.treating(ids)
        .annotate(focus_match=Exists(focus))
        .order_by("-focus_match", "name", "pk")
        .values_list("slug", flat=True)
    )
    assert len(expected) > 40
    shown = []
    for number in range(1, len(expected) // 20 + 2):
        response = client.get(
            DIRECTORY, {"cancer_type": "digestive-system-cancers", "page": number}
        )
        shown += [department.slug for department in response.context["departments"]]
    assert shown == expected
    # A chosen sort is one ordinary sort.
    response = client.get(
        DIRECTORY, {"cancer_type": "digestive-system-cancers", "ordering": "-name"}
    )
    names = [department.name for department in response.context["departments"]]
    assert names == sorted(names, reverse=True)
