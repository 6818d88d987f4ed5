"""The open-data API (/api/v1/): every endpoint and filter, the same answers as the pages, paging,
formats, conditional GET, CORS, the throttle and clear 400s for bad parameters."""

import csv
import html
import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test.utils import override_settings
from django.utils import timezone

from departments.models import Department, Hospital, StaffCount
from tests.helpers import BREAST, HOSP_1955, JILIN, MO1, MO3
from trials.models import Trial

API = "/api/v1"
SEED_DEPARTMENTS = sorted([MO1, MO3, HOSP_1955, BREAST, JILIN])


def get_json(client, url, status=200, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status, (url, response.status_code, response.content[:500])
    return response.json()


def all_pages(client, url):
    """Every record of a paged list, following `next` links."""
    records, pages = [], 0
    while url:
        data = get_json(client, url)
        records += data["results"]
        url = data["next"]
        pages += 1
        assert pages < 100
    return records


def page_slugs(response, name="departments"):
    return {record.slug for record in response.context[name]}


# --- the root --------------------------------------------------------------------------------


def test_root_names_version_licence_timestamp_and_links(client, portal_data):
    data = get_json(client, f"{API}/")
    assert data["version"] == "1.0"
    assert data["licence"] == {
        "name": "CC BY 4.0",
        "url": "https://creativecommons.org/licenses/by/4.0/",
    }
    assert data["data_as_of"]
    version = data["data_version"]
    Department.objects.filter(slug=MO1).first().save()  # any write moves the data version
    assert get_json(client, f"{API}/")["data_version"] != version
    for name in ("departments", "hospitals", "cancer_types", "services", "trials", "search"):
        assert get_json(client, data["links"][name].replace("http://testserver", "") + "?q=x")


@override_settings(PORTAL_DATA_LICENCE="ODbL 1.0", PORTAL_DATA_LICENCE_URL="https://example.org/l")
def test_the_licence_is_the_operators_setting(client, portal_data):
    data = get_json(client, f"{API}/")
    assert data["licence"] == {"name": "ODbL 1.0", "url": "https://example.org/l"}


# --- departments -----------------------------------------------------------------------------


def test_departments_page_through_every_department_by_slug(client, portal_data):
    first = client.get(f"{API}/departments/?page_size=2")
    assert first.status_code == 200
    assert 'rel="next"' in first["Link"]
    records = all_pages(client, f"{API}/departments/?page_size=2")
    slugs = [record["slug"] for record in records]
    assert slugs == SEED_DEPARTMENTS  # every department once, in slug order
    last = get_json(client, f"{API}/departments/?page_size=2")
    while last["next"]:
        last = get_json(client, last["next"])
    assert last["previous"] and get_json(client, last["previous"])["results"]


def test_a_department_carries_its_facts_with_sources_and_excerpts(client, portal_data):
    data = get_json(client, f"{API}/departments/{MO3}/")
    assert data["name"] == "Department of Medical Oncology Ⅲ"
    assert data["hospital"]["short_name"] == "FAHZU"
    assert data["url"] == f"http://testserver/departments/{MO3}/"
    assert data["founded_date"] == "2014-11-07"
    facts = data["facts"]
    types = {fact["cancer_type"]["slug"] for fact in facts["cancer_types"]}
    assert "hepatocellular-carcinoma" in types
    trials = {fact["trial"]["name"] for fact in facts["trial_sites"]}
    assert {"IMbrave150", "CheckMate 459", "KEYNOTE-394"} <= trials
    imbrave = next(f["trial"] for f in facts["trial_sites"] if f["trial"]["name"] == "IMbrave150")
    assert imbrave["registry_id"] == "NCT03434379"
    sourced = [fact for rows in facts.values() for fact in rows if fact["excerpt"]]
    assert sourced and all(fact["source"]["slug"] for fact in sourced)


def test_a_trial_without_a_registry_id_has_none_invented(client, portal_data):
    for trial in Trial.objects.all():
        data = get_json(client, f"{API}/trials/{trial.slug}/")
        assert data["registry_id"] == (trial.registry_id or None)
        if not trial.registry_id:
            assert data["registry_url"] is None


@pytest.mark.parametrize("slug", SEED_DEPARTMENTS)
def test_quantities_and_excerpts_read_as_on_the_department_page(client, portal_data, slug):
    """Every figure renders the page's words (`display`), and every excerpt is the page's."""
    page = html.unescape(client.get(f"/departments/{slug}/").content.decode())
    data = get_json(client, f"{API}/departments/{slug}/")
    quantities = excerpts = 0
    for rows in data["facts"].values():
        for fact in rows:
            quantity = fact.get("quantity")
            if quantity:
                assert f'<span class="figure">{quantity["display"]}</span>' in page, quantity
                quantities += 1
            if fact["excerpt"]:
                assert f'<blockquote lang="en">{fact["excerpt"]}</blockquote>' in page
                excerpts += 1
    if data["excerpt"]:
        assert data["excerpt"] in page
    assert excerpts > 0
    if slug in (MO1, MO3, BREAST):
        assert quantities > 0


def test_a_quantity_keeps_its_qualifier_and_wording(client, portal_data):
    figure = StaffCount.objects.filter(qualifier="at_least").select_related("department").first()
    assert figure is not None
    data = get_json(client, f"{API}/departments/{figure.department.slug}/")
    row = next(r for r in data["facts"]["staff"] if r["role"] == figure.role)
    assert row["quantity"] == {
        "qualifier": "at_least",
        "value": figure.value,
        "upper": None,
        "unit": figure.unit,
        "wording": figure.wording,
        "period": figure.period,
        "display": figure.display,
    }
    assert row["quantity"]["display"].endswith("+") or "+" in row["quantity"]["display"]


def test_unknown_department_is_a_404_with_a_message(client, portal_data):
    data = get_json(client, f"{API}/departments/no-such-department/", status=404)
    assert data["detail"] == "No department “no-such-department”."


# --- the directory's filters, from the directory's FilterSet -----------------------------------

DEPARTMENT_FILTERS = [
    "cancer_type=liver-cancer",
    "cancer_type=HCC",
    "cancer_type=digestive-system-cancers",
    "cancer_type=breast+cancer",
    "cancer_type=%E8%82%9D%E7%99%8C",  # 肝癌
    "hospital=fahzu",
    "hospital=FAHZU",
    "city=Hangzhou",
    "province=Jilin",
    "kind=radiation",
    "kind=breast",
    "service=chemotherapy",
    "designation=National+Key",
    "runs_trials=true",
    "runs_trials=false",
    "cancer_type=liver-cancer&runs_trials=true",
]


@pytest.mark.parametrize("query", DEPARTMENT_FILTERS)
def test_department_filters_find_what_the_directory_finds(client, portal_data, query):
    page = client.get(f"/departments/?{query}")
    assert page.status_code == 200
    expected = page_slugs(page)
    found = {record["slug"] for record in all_pages(client, f"{API}/departments/?{query}")}
    assert found == expected
    assert found != set(SEED_DEPARTMENTS) or query.startswith("runs_trials=true")


def test_cancer_type_words_resolve_as_on_the_search_page(client, portal_data):
    by_words = all_pages(client, f"{API}/departments/?cancer_type=hepatocellular+carcinoma")
    by_abbreviation = all_pages(client, f"{API}/departments/?cancer_type=HCC")
    assert [d["slug"] for d in by_words] == [d["slug"] for d in by_abbreviation]
    assert MO3 in {d["slug"] for d in by_words}
    assert BREAST not in {d["slug"] for d in by_words}


# --- trials ----------------------------------------------------------------------------------

TRIAL_FILTERS = [
    "cancer_type=hepatocellular-carcinoma",
    "cancer_type=liver-cancer&phase=3",
    "phase=3",
    "status=recruiting",
    "sponsor_type=industry",
    f"department={MO3}",
    "intervention=atezolizumab",
]


@pytest.mark.parametrize("query", TRIAL_FILTERS)
def test_trial_filters_find_what_the_trial_list_finds(client, portal_data, query):
    page = client.get(f"/trials/?{query}")
    assert page.status_code == 200
    expected = page_slugs(page, "trials")
    found = {record["slug"] for record in all_pages(client, f"{API}/trials/?{query}")}
    assert found == expected


def test_trials_list_every_trial_with_its_sites(client, portal_data):
    records = all_pages(client, f"{API}/trials/?page_size=2")
    assert [r["slug"] for r in records] == sorted(Trial.objects.values_list("slug", flat=True))
    imbrave = next(r for r in records if r["name"] == "IMbrave150")
    assert imbrave["registry_id"] == "NCT03434379"
    assert MO3 in {site["department"]["slug"] for site in imbrave["sites"]}
    assert "hepatocellular-carcinoma" in {c["slug"] for c in imbrave["cancer_types"]}


# --- hospitals and vocabularies ---------------------------------------------------------------


def test_hospitals_list_and_detail(client, portal_data):
    records = all_pages(client, f"{API}/hospitals/")
    assert [r["slug"] for r in records] == sorted(Hospital.objects.values_list("slug", flat=True))
    fahzu = get_json(client, f"{API}/hospitals/fahzu/")
    assert fahzu["short_name"] == "FAHZU"
    assert fahzu["department_count"] == Department.objects.filter(hospital__slug="fahzu").count()
    unnamed = next(r for r in records if r["slug"] == Hospital.objects.get(name="").slug)
    assert unnamed["name"] is None  # the source does not name it: nothing invented
    assert "not stated in source" in unnamed["display_name"]
    assert get_json(client, f"{API}/hospitals/?city=Changchun")["results"][0]["city"] == "Changchun"
    assert (
        get_json(client, f"{API}/hospitals/no-such/", status=404)["detail"]
        == "No hospital “no-such”."
    )


def test_cancer_types_form_the_tree(client, portal_data):
    types = get_json(client, f"{API}/cancer-types/")
    by_slug = {t["slug"]: t for t in types}
    assert by_slug["hepatocellular-carcinoma"]["parent"] == "liver-cancer"
    assert "hepatocellular-carcinoma" in by_slug["liver-cancer"]["children"]
    assert by_slug["digestive-system-cancers"]["parent"] is None
    for node in types:  # parent and children agree everywhere
        if node["parent"]:
            assert node["slug"] in by_slug[node["parent"]]["children"]
    assert "HCC" in {a["text"] for a in by_slug["hepatocellular-carcinoma"]["aliases"]}
    one = get_json(client, f"{API}/cancer-types/liver-cancer/")
    assert one["parent"] == by_slug["liver-cancer"]["parent"]
    get_json(client, f"{API}/cancer-types/no-such-type/", status=404)


def test_services_list_the_service_vocabulary(client, portal_data):
    services = get_json(client, f"{API}/services/")
    chemo = next(s for s in services if s["slug"] == "chemotherapy")
    assert chemo["departments_url"].endswith("/api/v1/departments/?service=chemotherapy")


# --- search ----------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["HCC", "bile duct cancer", "肝癌", "breast", "CAR-T", "IMbrave150"])
def test_search_answers_as_the_search_page(client, portal_data, q):
    page = client.get("/search/", {"q": q}).context["results"]
    data = get_json(client, f"{API}/search/?q={q}")
    assert data["mode"] == page.mode
    assert [(d["slug"], d["reason"]) for d in data["departments"]] == [
        (hit.slug, hit.reason) for hit in page.page_obj
    ]
    assert [t["slug"] for t in data["trials"]] == [hit.trial.slug for hit in page.trials]
    assert [t["reason"] for t in data["trials"]] == [hit.reason for hit in page.trials]
    resolution = page.resolution
    understood = data["understood_as"]["cancer_type"]
    assert (understood or {}).get("slug") == getattr(resolution.cancer_type, "slug", None)


def test_search_understands_hcc_and_says_why(client, portal_data):
    data = get_json(client, f"{API}/search/?q=HCC")
    assert data["understood_as"]["cancer_type"]["slug"] == "hepatocellular-carcinoma"
    first = data["departments"][0]
    assert first["slug"] == MO3
    assert first["reason"].startswith("Lists hepatocellular carcinoma")


def test_search_says_which_places_and_drugs_it_read(client, portal_data):
    """A place and a drug named are part of what the query was understood as, as on the page."""
    data = get_json(client, f"{API}/search/?q=Tecentriq")
    assert data["mode"] == "drug"
    assert data["understood_as"]["drugs"] == [
        {"slug": "atezolizumab", "name": "Atezolizumab", "typed": "Tecentriq"}
    ]
    assert data["understood_as"]["places"] == []
    assert data["trial_list_url"] == "http://testserver/trials/?intervention=atezolizumab"
    data = get_json(client, f"{API}/search/?q=liver cancer Hangzhou")
    assert data["mode"] == "cancer_type"
    places = data["understood_as"]["places"]
    assert [(p["kind"], p["name"], p["typed"]) for p in places] == [
        ("city", "Hangzhou", "hangzhou")  # as the query was normalised
    ]
    assert data["understood_as"]["drugs"] == []
    assert data["trial_list_url"] is None  # the trial list has no place filter
    data = get_json(client, f"{API}/search/?q=FAHZU")
    assert data["mode"] == "place"
    assert data["understood_as"]["places"][0]["kind"] == "hospital"
    assert data["understood_as"]["places"][0]["slug"] == "fahzu"
    data = get_json(client, f"{API}/search/?q=HCC")
    assert data["trial_list_url"] == "http://testserver/trials/?cancer_type=hepatocellular-carcinoma"


def test_search_pages(client, portal_data):
    data = get_json(client, f"{API}/search/?q=cancer&page_size=1")
    if data["pages"] > 1:
        second = get_json(client, data["next"])
        assert second["page"] == 2 and second["departments"] != data["departments"]


# --- formats ---------------------------------------------------------------------------------


def test_departments_as_csv(client, portal_data):
    response = client.get(f"{API}/departments/?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert sorted(row["slug"] for row in rows) == SEED_DEPARTMENTS
    mo3 = next(row for row in rows if row["slug"] == MO3)
    assert mo3["hospital_slug"] == "fahzu"
    assert "IMbrave150" in mo3["named_trials"]
    assert "Hepatocellular carcinoma" in mo3["cancer_types"]
    api = get_json(client, f"{API}/departments/{MO3}/")
    for fact in api["facts"]["staff"]:
        assert fact["quantity"]["display"] in mo3["staff"]


def test_trials_and_vocabularies_as_csv_and_ndjson(client, portal_data):
    response = client.get(f"{API}/trials/?format=ndjson&page_size=3")
    assert response["Content-Type"].startswith("application/x-ndjson")
    lines = response.content.decode().splitlines()
    assert len(lines) == 3 and all(json.loads(line)["slug"] for line in lines)
    assert 'rel="next"' in response["Link"] and "format=ndjson" in response["Link"]
    rows = list(
        csv.reader(
            io.StringIO(client.get(f"{API}/cancer-types/?format=csv").content.decode("utf-8-sig"))
        )
    )
    assert rows[0][:4] == ["slug", "name", "name_zh", "parent"]
    assert len(rows) - 1 == len(get_json(client, f"{API}/cancer-types/"))
    services = client.get(f"{API}/services/?format=ndjson").content.decode().splitlines()
    assert len(services) == len(get_json(client, f"{API}/services/"))


def test_ndjson_departments_are_the_json_ones(client, portal_data):
    lines = client.get(f"{API}/departments/?format=ndjson").content.decode().splitlines()
    as_json = get_json(client, f"{API}/departments/")["results"]
    assert [json.loads(line) for line in lines] == as_json


def test_csv_cells_never_start_a_formula(client, portal_data):
    department = Department.objects.get(slug=JILIN)
    department.phone = "=HYPERLINK(1)"
    department.save()
    body = client.get(f"{API}/departments/?format=csv").content.decode("utf-8-sig")
    row = next(r for r in csv.DictReader(io.StringIO(body)) if r["slug"] == JILIN)
    assert row["phone"] == "'=HYPERLINK(1)"


# --- bad parameters: 400 with a message, never a 500 --------------------------------------------

BAD = [
    ("/departments/?cancer_type=no-such-cancer", "cancer_type", "no-such-cancer"),
    ("/departments/?service=no-such-service", "service", "no-such-service"),
    ("/departments/?hospital=no-such-hospital", "hospital", "no-such-hospital"),
    ("/departments/?kind=dental", "kind", "dental"),
    ("/departments/?runs_trials=perhaps", "runs_trials", "Use true or false."),
    ("/departments/?cursor=bm90LWEtY3Vyc29y", "cursor", "Invalid cursor"),
    ("/departments/?cursor=%00%00", "cursor", "Invalid cursor"),
    ("/departments/?page_size=0", "page_size", "1 to 500"),
    ("/departments/?page_size=501", "page_size", "1 to 500"),
    ("/departments/?page_size=abc", "page_size", "1 to 500"),
    ("/departments/?modified_after=yesterday", "modified_after", "ISO 8601"),
    ("/departments/?modified_after=2026-02-30", "modified_after", "ISO 8601"),
    ("/departments/?format=xml", "format", "json, csv, ndjson"),
    ("/departments/fahzu-medical-oncology-3/?format=csv", "format", "json"),
    ("/trials/?phase=7", "phase", ""),
    ("/trials/?status=sleeping", "status", ""),
    ("/trials/?cancer_type=no-such-cancer", "cancer_type", ""),
    ("/trials/?modified_after=31/01/2026", "modified_after", "ISO 8601"),
    ("/trials/?page_size=100000", "page_size", "1 to 500"),
    ("/hospitals/?modified_after=soon", "modified_after", "ISO 8601"),
    ("/search/", "q", "Give q"),
    ("/search/?q=HCC&page=abc", "page", "whole number"),
    ("/search/?q=HCC&page_size=1000", "page_size", "1 to 100"),
    ("/cancer-types/?format=yaml", "format", "json, csv, ndjson"),
]


@pytest.mark.parametrize(("url", "parameter", "words"), BAD)
def test_bad_parameters_are_a_400_naming_the_parameter(client, portal_data, url, parameter, words):
    data = get_json(client, API + url, status=400)
    assert list(data["errors"]) == [parameter]
    assert words in data["detail"]
    assert data["detail"] == " ".join(data["errors"][parameter])


def test_bad_parameters_in_csv_are_still_explained_in_json(client, portal_data):
    response = client.get(f"{API}/departments/?format=csv&cancer_type=nope")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "No cancer type “nope”" in response.json()["detail"]


def test_search_past_the_last_page_is_a_404(client, portal_data):
    data = get_json(client, f"{API}/search/?q=HCC&page=99", status=404)
    assert data["detail"] == "There is no page 99: the last is 1."


def test_a_long_query_is_cut_not_refused(client, portal_data):
    data = get_json(client, f"{API}/search/?q={'liver ' * 900}")
    assert data["truncated"] is True and len(data["query"]) <= 200


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_no_write_method_anywhere(client, portal_data, method):
    for url in ["/", "/departments/", f"/departments/{MO3}/", "/trials/", "/search/?q=x"]:
        response = getattr(client, method)(API + url, data="{}", content_type="application/json")
        assert response.status_code == 405, (method, url)
    assert Department.objects.filter(slug=MO3).exists()


# --- modified_after --------------------------------------------------------------------------


def test_modified_after(client, portal_data):
    future = (timezone.now() + timedelta(days=2)).date().isoformat()
    assert get_json(client, f"{API}/departments/?modified_after={future}")["results"] == []
    assert get_json(client, f"{API}/trials/?modified_after={future}")["results"] == []
    assert get_json(client, f"{API}/hospitals/?modified_after={future}")["results"] == []
    everything = all_pages(client, f"{API}/departments/?modified_after=2000-01-01")
    assert sorted(d["slug"] for d in everything) == SEED_DEPARTMENTS

    moment = timezone.now()
    stamp = moment.isoformat().replace("+", "%2B")
    # A change to one fact (not to the department's own row) counts as a change to it.
    figure = StaffCount.objects.filter(department__slug=BREAST).first()
    figure.period = "in 2026"
    figure.save()
    hospital = Hospital.objects.get(slug="fahzu")
    hospital.beds = (hospital.beds or 0) + 1
    hospital.save()
    trial = Trial.objects.get(name="IMbrave150")
    trial.status = "completed"
    trial.save()
    changed = {d["slug"] for d in all_pages(client, f"{API}/departments/?modified_after={stamp}")}
    assert changed == {BREAST, MO1, MO3}  # the fact's department and the hospital's two
    hospitals = get_json(client, f"{API}/hospitals/?modified_after={stamp}")["results"]
    assert [h["slug"] for h in hospitals] == ["fahzu"]
    trials = get_json(client, f"{API}/trials/?modified_after={stamp}")["results"]
    assert [t["slug"] for t in trials] == [trial.slug]


# --- conditional GET, caching, CORS, the throttle ----------------------------------------------


def test_etag_and_last_modified_let_clients_revalidate(client, portal_data):
    url = f"{API}/departments/?page_size=2"
    first = client.get(url)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag and modified
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    assert client.get(url + "&format=csv", HTTP_IF_NONE_MATCH=etag).status_code == 200
    head = client.head(url)
    assert head.status_code == 200 and head.content == b"" and head["ETag"] == etag
    department = Department.objects.get(slug=MO1)
    department.phone = "+86-0571-00000000"
    department.save()  # any write moves the data version
    fresh = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200 and fresh["ETag"] != etag


@override_settings(PAGE_CACHE_SECONDS=600)
def test_the_page_cache_leaves_the_api_alone(client, portal_data):
    json_response = client.get(f"{API}/departments/")
    csv_response = client.get(f"{API}/departments/?format=csv")
    again = client.get(f"{API}/departments/", HTTP_ACCEPT="text/csv")
    assert "X-Page-Cache" not in json_response and "X-Page-Cache" not in again
    assert again["Content-Type"].startswith("text/csv")
    assert json_response["Content-Type"] == "application/json"
    assert csv_response.content == again.content


def test_cors_is_open_for_reading_only(client, portal_data):
    response = client.get(f"{API}/departments/", HTTP_ORIGIN="https://referrals.example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    preflight = client.options(
        f"{API}/departments/",
        HTTP_ORIGIN="https://referrals.example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    allowed = {m.strip() for m in preflight["Access-Control-Allow-Methods"].split(",")}
    assert allowed == {"GET", "HEAD", "OPTIONS"}
    page = client.get("/departments/", HTTP_ORIGIN="https://referrals.example.org")
    assert "Access-Control-Allow-Origin" not in page
    assert page["Cross-Origin-Resource-Policy"] == "same-origin"


@override_settings(PORTAL_API_THROTTLE_RATE="3/minute")
def test_anonymous_clients_are_throttled(client, portal_data):
    for _ in range(3):
        assert client.get(f"{API}/services/").status_code == 200
    response = client.get(f"{API}/trials/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "throttled" in response.json()["detail"]


# --- the schema ------------------------------------------------------------------------------


def test_the_openapi_schema_is_valid(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    for path in ("/api/v1/departments/", "/api/v1/search/", "/api/v1/trials/{slug}/"):
        assert f"{path}:" in text
    assert "/fhir/" not in text and "/api/v1/schema/" not in text


def test_schema_and_docs_are_served(client, portal_data):
    schema = client.get(f"{API}/schema/?format=json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "Oncology Portal open data API"
    docs = client.get(f"{API}/docs/")
    assert docs.status_code == 200
    body = docs.content.decode()
    assert "<script>" not in body and "<style>" not in body  # the CSP allows neither
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in body
    assert "cdn." not in body
    script = client.get(f"{API}/docs/?script=")
    assert script.status_code == 200
    assert "javascript" in script["Content-Type"]
    assert "/api/v1/schema/" in script.content.decode()


def test_unknown_api_urls_answer_json_and_a_missing_slash_redirects(client, portal_data):
    data = get_json(client, f"{API}/nothing-here/", status=404)
    assert data["detail"] == "No such API URL: see /api/v1/ for the endpoints."
    response = client.get(f"{API}/departments?cancer_type=HCC")
    assert response.status_code == 301
    assert response["Location"] == f"{API}/departments/?cancer_type=HCC"
    assert client.get(f"{API}/departments/{MO3}")["Location"] == f"{API}/departments/{MO3}/"
    weird = get_json(client, f"{API}/departments/a%2Fb%00/", status=404)
    assert weird["detail"].startswith("No department")
