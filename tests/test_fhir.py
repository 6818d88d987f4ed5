"""FHIR R4 under /fhir/: every resource the tests see validates against fhir.resources' R4B
models and says what the database says, nothing more; read and search each parameter; paging
links that walk every record once; 400 and 404 with an OperationOutcome, never a 500."""

import json
from urllib.parse import urlsplit

import pytest
from django.db.models import Q
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.healthcareservice import HealthcareService
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.researchstudy import ResearchStudy

from departments.models import Department, Hospital
from fhir_api.resources import FHIR_ID, SINGLE_ICD10
from trials.models import Trial

from .helpers import BREAST, MO1, MO3

MODELS = {
    "Bundle": Bundle,
    "CapabilityStatement": CapabilityStatement,
    "HealthcareService": HealthcareService,
    "OperationOutcome": OperationOutcome,
    "Organization": Organization,
    "ResearchStudy": ResearchStudy,
}
ICD10 = "http://hl7.org/fhir/sid/icd-10"


def validate(data):
    """Parse with the R4B model of its type (and each entry's resource with its own)."""
    model = MODELS[data["resourceType"]]
    model.model_validate(data)
    for entry in data.get("entry", []):
        MODELS[entry["resource"]["resourceType"]].model_validate(entry["resource"])
    return data


def fhir_get(client, url, expect=200, **params):
    response = client.get(url, params)
    assert response.status_code == expect, response.content[:500]
    assert response["Content-Type"].startswith("application/fhir+json")
    return validate(json.loads(response.content))


def search(client, resource_type, **params):
    bundle = fhir_get(client, f"/fhir/{resource_type}", **params)
    assert bundle["type"] == "searchset"
    return bundle


def ids(bundle):
    return [
        entry["resource"]["id"]
        for entry in bundle.get("entry", [])
        if entry["search"]["mode"] == "match"
    ]


def bad_request(client, url, **params):
    outcome = fhir_get(client, url, expect=400, **params)
    assert outcome["resourceType"] == "OperationOutcome"
    issue = outcome["issue"][0]
    assert issue["severity"] == "error" and issue["diagnostics"]
    return issue["diagnostics"]


# --- metadata --------------------------------------------------------------------------------


def test_capability_statement_lists_the_resources_and_their_search_parameters(client, db):
    statement = fhir_get(client, "/fhir/metadata")
    assert statement["resourceType"] == "CapabilityStatement"
    assert statement["fhirVersion"] == "4.0.1" and statement["kind"] == "instance"
    resources = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert set(resources) == {"Organization", "HealthcareService", "ResearchStudy"}
    params = {kind: {p["name"] for p in r["searchParam"]} for kind, r in resources.items()}
    assert params == {
        "Organization": {"_id", "name"},
        "HealthcareService": {"_id", "name", "organization", "specialty", "service-type"},
        "ResearchStudy": {"_id", "keyword", "status", "identifier"},
    }
    for resource in resources.values():
        assert {i["code"] for i in resource["interaction"]} == {"read", "search-type"}


# --- read ------------------------------------------------------------------------------------


def test_a_hospital_is_an_organization_named_only_where_the_source_names_it(client, portal_data):
    fahzu = fhir_get(client, "/fhir/Organization/fahzu")
    hospital = Hospital.objects.get(slug="fahzu")
    assert fahzu["name"] == hospital.name
    assert {"FAHZU", hospital.name_zh} <= set(fahzu["alias"])
    assert fahzu["address"] == [{"city": "Hangzhou", "state": "Zhejiang", "country": "China"}]
    unnamed = Hospital.objects.get(name="")
    resource = fhir_get(client, f"/fhir/Organization/{unnamed.slug}")
    assert "name" not in resource and "alias" not in resource
    assert resource["identifier"][0]["value"] == unnamed.slug  # org-1: a name or an identifier
    assert "name not stated" not in json.dumps(resource)  # the page's wording is not a name


def test_each_department_is_a_healthcare_service_saying_what_the_database_says(client, portal_data):
    for department in Department.objects.select_related("hospital"):
        service = fhir_get(client, f"/fhir/HealthcareService/{department.slug}")
        assert service["id"] == department.slug and service["name"] == department.name
        assert service["providedBy"]["reference"] == f"Organization/{department.hospital.slug}"
        links = department.cancer_type_links.select_related("cancer_type").order_by(
            "sort_order", "pk"
        )
        expected = []
        for link in links:
            concept = {"text": link.cancer_type.name}
            if SINGLE_ICD10.match(link.cancer_type.icd10):
                concept = {"coding": [{"system": ICD10, "code": link.cancer_type.icd10}], **concept}
            expected.append(concept)
        assert service.get("specialty", []) == expected
        services = department.service_links.order_by("sort_order", "pk")
        assert [t["text"] for t in service.get("type", [])] == [s.service.name for s in services]
        assert all("coding" not in t for t in service.get("type", []))
        stated = {
            (system, value)
            for system, value in (
                ("phone", department.phone),
                ("email", department.email),
                ("url", department.website),
            )
            if value
        }
        assert {(t["system"], t["value"]) for t in service.get("telecom", [])} == stated
        designations = department.designations.order_by("sort_order", "pk")
        assert [c["text"] for c in service.get("characteristic", [])] == [
            d.name for d in designations
        ]


def test_codes_appear_only_where_the_vocabulary_stores_one_code(client, portal_data):
    breast = fhir_get(client, f"/fhir/HealthcareService/{BREAST}")
    assert {"coding": [{"system": ICD10, "code": "C50"}], "text": "Breast cancer"} in breast[
        "specialty"
    ]
    mo3 = fhir_get(client, f"/fhir/HealthcareService/{MO3}")
    # "Digestive system cancers" is stored as the range C15–C26: a group, so text only.
    assert {"text": "Digestive system cancers"} in mo3["specialty"]
    assert mo3["telecom"] if Department.objects.get(slug=MO3).phone else "telecom" not in mo3
    assert breast["telecom"] == [{"system": "phone", "value": "+86-0571-88122072"}]


def test_a_registered_trial_is_a_research_study_with_its_registry_id(client, portal_data):
    study = fhir_get(client, "/fhir/ResearchStudy/imbrave150")
    assert study["identifier"] == [{"system": "https://clinicaltrials.gov", "value": "NCT03434379"}]
    assert study["status"] == "completed"
    assert study["phase"]["coding"][0]["code"] == "phase-3"
    assert {"coding": [{"system": ICD10, "code": "C22.0"}], "text": "Hepatocellular carcinoma"} in (
        study["condition"]
    )
    assert {"text": "unresectable hepatocellular carcinoma, first line"} in study["condition"]
    assert [f["text"] for f in study["focus"]] == ["Atezolizumab", "Bevacizumab", "Sorafenib"]
    assert study["sponsor"] == {"display": "Hoffmann-La Roche"}
    sites = {location["id"]: location for location in study["contained"]}
    assert [s["reference"] for s in study["site"]] == [f"#{i}" for i in sites]
    assert sites[MO3]["managingOrganization"]["reference"] == "Organization/fahzu"


def test_what_the_sources_do_not_state_stays_out(client, portal_data):
    """KN035: no registry id, phase, sponsor or status in the data; the required status says
    "unknown" through data-absent-reason instead of a guess."""
    study = fhir_get(client, "/fhir/ResearchStudy/kn035")
    for absent in ("identifier", "phase", "sponsor", "status", "condition"):
        assert absent not in study
    assert study["_status"]["extension"][0]["valueCode"] == "unknown"
    axept = fhir_get(client, "/fhir/ResearchStudy/axept")
    assert "identifier" not in axept and "sponsor" not in axept and "status" not in axept
    assert axept["phase"]["coding"][0]["code"] == "phase-3"


def test_every_seed_slug_is_a_valid_fhir_id(portal_data):
    for model in (Department, Hospital, Trial):
        assert all(FHIR_ID.match(slug) for slug in model.objects.values_list("slug", flat=True))


def test_a_slug_that_is_not_a_fhir_id_is_served_under_its_fallback_id(client, portal_data):
    department = Department.objects.get(slug=MO1)
    department.slug = "fahzu_medical_oncology_1"  # underscores: a slug, not a FHIR id
    department.save()
    fhir_get(client, "/fhir/HealthcareService/fahzu_medical_oncology_1", expect=404)
    service = fhir_get(client, f"/fhir/HealthcareService/id.{department.pk}")
    assert service["id"] == f"id.{department.pk}" and service["name"] == department.name
    bundle = search(client, "HealthcareService", organization="fahzu")
    assert f"id.{department.pk}" in ids(bundle)
    # Another department's fallback id does not reach a department whose slug fits.
    other = Department.objects.get(slug=MO3)
    fhir_get(client, f"/fhir/HealthcareService/id.{other.pk}", expect=404)


@pytest.mark.parametrize(
    "url",
    [
        "/fhir/HealthcareService/no-such-department",
        "/fhir/Organization/id.999999999",
        "/fhir/ResearchStudy/not_an_id",
        "/fhir/Patient/1",
        "/fhir/Patient",
        "/fhir/",
        "/fhir/HealthcareService/a/b",
    ],
)
def test_unknown_resources_answer_404_with_an_operation_outcome(client, portal_data, url):
    outcome = fhir_get(client, url, expect=404)
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["code"] in {"not-found", "not-supported"}


def test_the_api_is_read_only(client, portal_data):
    for method in (client.post, client.put, client.delete):
        response = method(f"/fhir/HealthcareService/{MO3}")
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD"
        validate(json.loads(response.content))
    assert Department.objects.filter(slug=MO3).exists()


# --- search ----------------------------------------------------------------------------------


def test_a_search_lists_every_department_with_total(client, portal_data):
    bundle = search(client, "HealthcareService")
    assert bundle["total"] == Department.objects.count()
    assert ids(bundle) == list(
        Department.objects.order_by("name", "pk").values_list("slug", flat=True)
    )
    assert all(
        e["fullUrl"] == f"http://testserver/fhir/HealthcareService/{e['resource']['id']}"
        for e in bundle["entry"]
    )


@pytest.mark.parametrize(
    ("params", "condition"),
    [
        ({"name": "department of"}, Q(name__istartswith="department of")),
        ({"name:contains": "oncology"}, Q(name__icontains="oncology")),
        ({"name:exact": "Breast Medical Oncology"}, Q(name="Breast Medical Oncology")),
        ({"organization": "fahzu"}, Q(hospital__slug="fahzu")),
        ({"organization": "Organization/fahzu"}, Q(hospital__slug="fahzu")),
        (
            {"organization": "http://testserver/fhir/Organization/fahzu"},
            Q(hospital__slug="fahzu"),
        ),
        ({"_id": f"{MO1},{BREAST}"}, Q(slug__in=[MO1, BREAST])),
    ],
)
def test_healthcare_service_name_organization_and_id(client, portal_data, params, condition):
    expected = set(Department.objects.filter(condition).values_list("slug", flat=True))
    assert expected, "the case must match something"
    bundle = search(client, "HealthcareService", **params)
    assert set(ids(bundle)) == expected and bundle["total"] == len(expected)


@pytest.mark.parametrize(
    "specialty",
    [
        "HCC",
        "hepatocellular-carcinoma",
        "liver cancer",
        "肝癌",
        "breast",
        "digestive system cancer",
    ],
)
def test_specialty_finds_what_the_directory_filter_finds(client, portal_data, specialty):
    """The same resolution (slug, name, alias, abbreviation, Chinese) and tree expansion."""
    directory = client.get("/departments/", {"cancer_type": specialty})
    expected = {department.slug for department in directory.context["departments"]}
    assert expected
    bundle = search(client, "HealthcareService", specialty=specialty)
    assert set(ids(bundle)) == expected


def test_specialty_by_icd10_code_and_by_several_values(client, portal_data):
    def directory(cancer_type):
        page = client.get("/departments/", {"cancer_type": cancer_type})
        return {department.slug for department in page.context["departments"]}

    breast, hcc = directory("breast-cancer"), directory("hepatocellular-carcinoma")
    assert BREAST in breast and MO3 in hcc and breast != hcc
    by_code = search(client, "HealthcareService", specialty="C50")
    assert set(ids(by_code)) == breast
    with_system = search(client, "HealthcareService", specialty=f"{ICD10}|C50")
    assert set(ids(with_system)) == breast
    either = search(client, "HealthcareService", specialty="C50,C22.0")
    assert set(ids(either)) == breast | hcc
    # Repeated parameters are AND-ed.
    both = client.get("/fhir/HealthcareService?specialty=C50&specialty=C22.0")
    assert set(ids(validate(json.loads(both.content)))) == breast & hcc


def test_a_specialty_that_names_nothing_matches_nothing_and_says_so(client, portal_data):
    bundle = search(client, "HealthcareService", specialty="xyzzy plugh")
    assert bundle["total"] == 0 and ids(bundle) == []
    outcome = bundle["entry"][0]
    assert outcome["search"]["mode"] == "outcome"
    assert "No cancer type matches 'xyzzy plugh'" in outcome["resource"]["issue"][0]["diagnostics"]


def test_service_type(client, portal_data):
    car_t = search(client, "HealthcareService", **{"service-type": "CAR-T"})
    expected = set(
        Department.objects.filter(service_links__service__slug="car-t-cell-therapy").values_list(
            "slug", flat=True
        )
    )
    assert set(ids(car_t)) == expected == {MO3}
    # Narrower services count: day-care chemotherapy is chemotherapy.
    chemo = search(client, "HealthcareService", **{"service-type": "chemotherapy"})
    assert MO3 in ids(chemo)
    assert "not a system" in bad_request(
        client, "/fhir/HealthcareService", **{"service-type": "http://snomed.info/sct|123"}
    )


def test_organization_name_matches_names_and_aliases(client, portal_data):
    assert ids(search(client, "Organization", name="FAHZU")) == ["fahzu"]
    assert ids(search(client, "Organization", name="浙江大学")) == ["fahzu"]
    expected = set(
        Hospital.objects.filter(name__icontains="hospital").values_list("slug", flat=True)
    )
    assert set(ids(search(client, "Organization", **{"name:contains": "hospital"}))) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"keyword": "IMbrave150"}, {"imbrave150"}),
        ({"keyword": "im brave150"}, {"imbrave150"}),  # the seed's own wording
        ({"keyword": "bevacizumab"}, {"imbrave150", "axept"}),
        ({"keyword": "hepatocellular carcinoma"}, {"checkmate-459", "keynote-394", "imbrave150"}),
        ({"identifier": "NCT03434379"}, {"imbrave150"}),
        ({"identifier": "https://clinicaltrials.gov|NCT02576509"}, {"checkmate-459"}),
        ({"identifier": "NCT00000000"}, set()),
        ({"status": "active"}, set()),
    ],
)
def test_research_study_keyword_identifier(client, portal_data, params, expected):
    assert set(ids(search(client, "ResearchStudy", **params))) == expected


def test_research_study_status_maps_to_the_data(client, portal_data):
    completed = set(Trial.objects.filter(status="completed").values_list("slug", flat=True))
    assert completed
    bundle = search(client, "ResearchStudy", status="completed")
    assert set(ids(bundle)) == completed
    assert all(e["resource"]["status"] == "completed" for e in bundle["entry"])
    assert "Unknown status 'finished'" in bad_request(
        client, "/fhir/ResearchStudy", status="finished"
    )


# --- paging ----------------------------------------------------------------------------------


def walk(client, url, params):
    """Follow `next` links from the first page; return ids in order and the pages seen."""
    bundle = fhir_get(client, url, **params)
    seen, pages = ids(bundle), 1
    total = bundle["total"]
    while True:
        links = {link["relation"]: link["url"] for link in bundle["link"]}
        if "next" not in links:
            break
        parts = urlsplit(links["next"])
        assert parts.netloc == "testserver"
        bundle = validate(json.loads(client.get(f"{parts.path}?{parts.query}").content))
        assert bundle["total"] == total
        seen += ids(bundle)
        pages += 1
    return seen, pages, total


def test_paging_links_walk_every_record_once_in_order(client, portal_data):
    seen, pages, total = walk(client, "/fhir/HealthcareService", {"_count": 2})
    expected = list(Department.objects.order_by("name", "pk").values_list("slug", flat=True))
    assert seen == expected and total == len(expected) and pages == 3
    trials, _, _ = walk(client, "/fhir/ResearchStudy", {"_count": 1})
    assert trials == list(Trial.objects.order_by("name", "pk").values_list("slug", flat=True))
    first = search(client, "HealthcareService", _count=2)
    links = {link["relation"]: link["url"] for link in first["link"]}
    assert links["self"] == links["first"] == "http://testserver/fhir/HealthcareService?_count=2"


def test_paging_keeps_the_filters(client, portal_data):
    seen, pages, total = walk(
        client, "/fhir/HealthcareService", {"_count": 1, "organization": "fahzu"}
    )
    assert sorted(seen) == sorted([MO1, MO3]) and total == 2 and pages == 2


def test_count_is_capped_and_total_can_be_skipped(client, portal_data):
    from tests.helpers import make_bulk_data

    make_bulk_data(130)
    page = search(client, "HealthcareService", _count=500)
    assert len(ids(page)) == 100 and page["total"] == Department.objects.count()
    assert "total" not in search(client, "HealthcareService", _total="none")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"_count": "abc"}, "_count"),
        ({"_count": "0"}, "_count"),
        ({"_count": "-5"}, "_count"),
        ({"_cursor": "not-a-cursor"}, "_cursor"),
        ({"_cursor": "WzEsMiwzXQ"}, "_cursor"),  # valid base64 of [1,2,3]
        ({"name": ""}, "empty"),
        ({"name": "x" * 5000}, "too long"),
        ({"name": "a\x00b"}, "control characters"),
        ({"bogus": "1"}, "Unknown search parameter 'bogus'"),
        ({"name:fuzzy": "x"}, "Modifier"),
        ({"organization": "Patient/1"}, "refers to Organization"),
        ({"specialty": "http://snomed.info/sct|254837009"}, "ICD-10"),
        ({"_format": "xml"}, "JSON only"),
        ({"_total": "maybe"}, "_total"),
    ],
)
def test_bad_parameters_answer_400_with_a_clear_message(client, portal_data, params, message):
    assert message in bad_request(client, "/fhir/HealthcareService", **params)


def test_repeated_result_parameters_and_parameters_on_read_answer_400(client, portal_data):
    assert "once" in bad_request(client, "/fhir/Organization?_count=1&_count=2")
    assert "only _format" in bad_request(client, f"/fhir/HealthcareService/{MO3}?name=x")
    assert "only _format" in bad_request(client, "/fhir/metadata?mode=full")
    fhir_get(client, f"/fhir/HealthcareService/{MO3}", _format="application/fhir+json")
