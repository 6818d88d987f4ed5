"""Places and hospitals in search and in the directory's filters (issue 11, item 1).

City and province names (English and Chinese, ENRICHMENT.md "Places") and hospital names (full,
short, Chinese) are recognised anywhere in a query, alone or with a type or therapy; they filter
the results, the interpretation line says so, a department whose hospital states no location is
never shown as being in the place, and a place with no match says which places exist.
"""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from departments.models import Hospital
from departments.search.places import CITY, HOSPITAL, PROVINCE, find_places

from .helpers import make_bulk_data, result_slugs, search_page

pytestmark = pytest.mark.usefixtures("fresh_vocabulary")

M1 = "fahzu-medical-oncology-1"
M3 = "fahzu-medical-oncology-3"
H55 = "cancer-hospital-1955-oncology-department"
BR = "zhejiang-cancer-hospital-breast-medical-oncology"
RT = "jilin-first-hospital-radiation-oncology"


def text_of(response):
    html = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(unescape(html).split())


# --- the reading step -----------------------------------------------------------------------


def test_places_are_read_in_any_position_and_taken_out_of_the_query():
    changchun = Hospital.objects.get(slug="jilin-university-first-hospital").pk
    for query, rest in [
        ("lung cancer Zhejiang", "lung cancer"),
        ("Zhejiang lung cancer", "lung cancer"),
        ("Changchun", ""),
        ("radiotherapy in changchun please", "radiotherapy in please"),
    ]:
        reading = find_places(query)
        assert reading.found, query
        assert reading.rest == rest, query
    assert find_places("Changchun").places[0].kind == CITY
    assert find_places("Changchun").hospital_ids == {changchun}
    assert find_places("Zhejiang breast").places[0].kind == PROVINCE


def test_chinese_places_are_read_inside_a_word():
    reading = find_places("杭州胃癌")
    assert [(p.kind, p.name) for p in reading.places] == [(CITY, "Hangzhou")]
    assert reading.rest == "胃癌"
    hangzhou = set(Hospital.objects.filter(city="Hangzhou").values_list("pk", flat=True))
    assert reading.hospital_ids == hangzhou and len(hangzhou) == 2


def test_a_hospital_named_by_its_distinctive_words_beats_the_province_in_its_name():
    reading = find_places("Jilin University hospital radiotherapy")
    assert [(p.kind, p.slug) for p in reading.places] == [
        (HOSPITAL, "jilin-university-first-hospital")
    ]
    assert "radiotherapy" in reading.rest and "Jilin" not in reading.rest


def test_a_hospital_and_a_place_must_both_hold():
    assert find_places("FAHZU Changchun").hospital_ids == frozenset()
    fahzu = Hospital.objects.get(slug="fahzu").pk
    assert find_places("FAHZU Hangzhou").hospital_ids == {fahzu}


def test_words_that_name_no_place_are_left_alone():
    for query in ("breast cancer", "HCC", "intestinal flora", "Beijing"):
        reading = find_places(query)
        assert not reading.found and reading.rest == query and reading.hospital_ids is None


# --- the search page ------------------------------------------------------------------------


def test_interpretation_line_says_the_place(client):
    response = search_page(client, "liver cancer Hangzhou")
    text = text_of(response)
    line = "Showing results for Liver cancer · in Hangzhou — you searched “liver cancer Hangzhou”"
    assert line in text
    assert "Not used" not in text  # "Hangzhou" was understood, not dropped


def test_interpretation_line_for_a_place_or_hospital_alone(client):
    assert "Showing results for departments in Changchun" in text_of(search_page(client, "长春"))
    assert "Showing results for departments at FAHZU" in text_of(search_page(client, "FAHZU"))
    assert "Showing results for Radiotherapy · at The First Hospital of Jilin University" in (
        text_of(search_page(client, "Jilin University hospital radiotherapy"))
    )


def test_department_with_unknown_location_is_never_shown_in_a_place(client):
    """The 1955 hospital states no city: it is not in Hangzhou, nor presented as such."""
    assert H55 in result_slugs(search_page(client, "liver cancer"))  # it does list liver cancer
    for query in ("liver cancer Hangzhou", "Hangzhou", "Zhejiang", "肝癌 浙江", "lung Jilin"):
        assert H55 not in result_slugs(search_page(client, query)), query


def test_place_filter_applies_to_trials_too(client):
    results = search_page(client, "HCC Hangzhou").context["results"]
    assert [t.trial.name for t in results.trials] == ["CheckMate 459", "IMbrave150", "KEYNOTE-394"]
    results = search_page(client, "HCC Changchun").context["results"]
    assert results.trials == [] and results.department_count == 0


def test_place_with_no_match_says_which_places_exist(client):
    response = search_page(client, "HCC Jilin")
    text = text_of(response)
    assert result_slugs(response) == []
    assert "Nothing matches in Jilin" in text
    assert "Changchun (Jilin)" in text and "Hangzhou (Zhejiang)" in text
    # Not the misleading "no department lists it": departments elsewhere do.
    assert "No department or trial in the portal lists" not in text
    assert "Nothing in the portal matches" not in text


def test_chinese_page_names_the_place_in_chinese(client):
    response = search_page(client, "杭州 胃癌", url="/zh-hans/search/")
    assert result_slugs(response)[:2] == [M3, M1]
    assert "位于杭州" in text_of(response)


def test_text_search_with_a_place_keeps_only_that_place(client):
    assert result_slugs(search_page(client, "intestinal flora Hangzhou")) == [M3]
    response = search_page(client, "intestinal flora Changchun")
    assert result_slugs(response) == []
    assert "Changchun (Jilin)" in text_of(response)


def test_api_search_answers_as_the_page_with_a_place(client):
    for query in ("liver cancer Hangzhou", "长春", "FAHZU"):
        page = search_page(client, query).context["results"]
        data = client.get("/api/v1/search/", {"q": query}).json()
        assert data["mode"] == page.mode
        assert [(d["slug"], d["reason"]) for d in data["departments"]] == [
            (hit.slug, hit.reason) for hit in page.page_obj
        ]


@pytest.mark.parametrize("query", ["liver cancer Hangzhou", "Hangzhou", "chemotherapy Hangzhou"])
def test_place_search_query_count_does_not_grow_with_data(client, query):
    """Guards against N+1 queries: with 200 more departments in Hangzhou the page runs the same
    queries, and the place filter is applied in the database, not by loading departments."""
    search_page(client, query)  # warm the vocabulary cache
    with CaptureQueriesContext(connection) as before:
        search_page(client, query)
    make_bulk_data(200)
    Hospital.objects.filter(slug="bulk-test-hospital").update(city="Hangzhou")
    with CaptureQueriesContext(connection) as after:
        response = search_page(client, query)
    if query != "chemotherapy Hangzhou":
        assert response.context["results"].department_count > 20  # the bulk data matched
    assert len(after) == len(before)
    assert len(after) <= 12


# --- the directory's filter -----------------------------------------------------------------


def directory(client, **params):
    response = client.get("/departments/", params)
    assert response.status_code == 200
    return response


def directory_slugs(response):
    return sorted(set(re.findall(r'href="/departments/([\w-]+)/"', response.content.decode())))


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        ("Changchun", [RT]),
        ("吉林", [RT]),
        ("Hangzhou", sorted([M1, M3, BR])),
        ("FAHZU", sorted([M1, M3])),
        ("浙江省肿瘤医院", [BR]),
    ],
)
def test_directory_place_filter_reads_places_like_search(client, place, expected):
    assert directory_slugs(directory(client, place=place)) == expected


def test_directory_place_filter_combines_and_is_shareable(client):
    response = directory(client, place="Hangzhou", cancer_type="liver cancer")
    assert directory_slugs(response) == sorted([M1, M3])
    # The filter shows as active, with a link that removes it (a stable, shareable URL).
    assert "Hangzhou" in text_of(response)


def test_directory_unknown_place_says_which_places_exist(client):
    response = directory(client, place="Beijing")
    text = text_of(response)
    assert directory_slugs(response) == []
    assert "No hospital in the directory is in or named “Beijing”" in text
    assert "Changchun (Jilin)" in text


def test_interpretation_links_to_the_directory_filtered_the_same_way(client):
    html = search_page(client, "liver cancer Hangzhou").content.decode()
    assert 'class="search-place" href="/departments/?place=Hangzhou"' in html
    assert directory_slugs(directory(client, place="Hangzhou")) == sorted([M1, M3, BR])
    html = search_page(client, "FAHZU Hangzhou").content.decode()
    assert 'href="/departments/?place=FAHZU+Hangzhou"' in html
    assert directory_slugs(directory(client, place="FAHZU Hangzhou")) == sorted([M1, M3])
