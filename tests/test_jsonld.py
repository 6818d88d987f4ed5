"""schema.org JSON-LD on department, hospital and trial pages: it parses, names the right
entities with only the facts the page shows, cannot be broken out of, and the strict CSP lets
it be (a data block is never executed) — checked in real Chromium."""

import json
import re

import pytest

from departments.models import Department, Hospital
from trials.models import Trial

from .helpers import BREAST, MO1, MO3

BLOCK = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def json_ld(client, url):
    html = client.get(url).content.decode()
    blocks = BLOCK.findall(html)
    assert len(blocks) == 1, url
    head = html[: html.index("</head>")]
    assert BLOCK.search(head), "in <head>"
    return json.loads(blocks[0])


def test_each_department_is_a_medical_clinic_of_its_hospital(client, portal_data):
    for department in Department.objects.select_related("hospital"):
        url = department.get_absolute_url()
        data = json_ld(client, url)
        assert data["@context"] == "https://schema.org"
        assert data["@type"] == "MedicalClinic"
        assert data["name"] == department.name
        assert data["url"] == f"http://testserver{url}"
        assert "https://schema.org/Oncologic" in data["medicalSpecialty"]
        listed = department.cancer_type_links.order_by("sort_order", "pk")
        assert data.get("knowsAbout", []) == [link.cancer_type.name for link in listed]
        parent = data["parentOrganization"]
        assert parent["@type"] == "Hospital"
        assert parent["url"] == f"http://testserver{department.hospital.get_absolute_url()}"
        if department.hospital.name:
            assert parent["name"] == department.hospital.name
        else:
            assert "name" not in parent
        if department.phone:
            assert data["telephone"] == department.phone
        else:
            assert "telephone" not in data


def test_department_facts(client, portal_data):
    breast = json_ld(client, f"/departments/{BREAST}/")
    assert breast["telephone"] == "+86-0571-88122072"
    assert "Breast cancer" in breast["knowsAbout"]
    mo3 = json_ld(client, f"/departments/{MO3}/")
    assert mo3["foundingDate"] == "2014-11-07"
    assert {"@type": "MedicalTherapy", "name": "CAR-T cell therapy"} in mo3["availableService"]
    assert "telephone" not in mo3  # the source states no phone number


def test_a_hospital_names_itself_and_the_departments_its_page_lists(client, portal_data):
    fahzu = json_ld(client, "/hospitals/fahzu/")
    hospital = Hospital.objects.get(slug="fahzu")
    assert fahzu["@type"] == "Hospital" and fahzu["name"] == hospital.name
    assert "FAHZU" in fahzu["alternateName"]
    assert fahzu["address"]["addressLocality"] == "Hangzhou"
    names = {d["name"] for d in fahzu["department"]}
    assert names == set(hospital.departments.values_list("name", flat=True))
    assert {d["url"] for d in fahzu["department"]} >= {f"http://testserver/departments/{MO1}/"}
    unnamed = Hospital.objects.get(name="")
    data = json_ld(client, unnamed.get_absolute_url())
    assert "name" not in data  # the source does not name it; neither does the portal
    assert data["foundingDate"] == "1955"


def test_a_hospitals_departments_are_capped_at_one_page(client, portal_data):
    from tests.helpers import make_bulk_data

    make_bulk_data(45)
    data = json_ld(client, "/hospitals/bulk-test-hospital/")
    assert len(data["department"]) == 20


def test_a_trial_is_a_medical_trial_with_its_registry_id_only_where_stored(client, portal_data):
    data = json_ld(client, "/trials/imbrave150/")
    assert data["@type"] == "MedicalTrial" and data["name"] == "IMbrave150"
    assert data["identifier"]["value"] == "NCT03434379"
    assert data["phase"] == "Phase 3"
    assert data["status"] == "https://schema.org/Completed"
    assert data["sponsor"] == {"@type": "Organization", "name": "Hoffmann-La Roche"}
    assert {"@type": "MedicalCondition", "name": "Hepatocellular carcinoma"} in data[
        "healthCondition"
    ]
    assert {"@type": "Drug", "name": "Bevacizumab"} in data["studySubject"]
    kn035 = json_ld(client, "/trials/kn035/")
    for absent in ("identifier", "phase", "status", "sponsor"):
        assert absent not in kn035
    assert Trial.objects.get(slug="kn035").registry_id == ""


def test_text_in_the_data_cannot_end_the_script_element(client, portal_data):
    hostile = 'x</script><script>alert(1)</script><!-- & "quotes"'
    department = Department.objects.get(slug=MO3)
    department.summary = hostile
    department.save()
    html = client.get(department.get_absolute_url()).content.decode()
    block = BLOCK.search(html).group(1)
    assert "</script" not in block.lower() and "<!--" not in block and "<" not in block
    assert "\\u003C/script\\u003E" in block
    assert json.loads(block)["description"] == hostile
    assert html.count("<script>alert(1)</script>") == 0


@pytest.mark.browser
def test_json_ld_raises_no_csp_violation_in_chromium(page):
    """The detector is checked too: an inline script on the same page is reported."""
    page.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    console = []
    page.on("console", lambda message: console.append(message.text))
    response = page.goto(page.base_url + f"/departments/{MO3}/")
    assert response is not None and response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    data = page.evaluate(
        "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)"
    )
    assert data["name"] == "Department of Medical Oncology Ⅲ"
    page.wait_for_timeout(300)
    assert page.evaluate("window.__violations") == []
    assert not [text for text in console if "Content Security Policy" in text]
    # Positive control: an inline (executable) script is blocked and reported.
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
        " document.head.appendChild(s); }"
    )
    page.wait_for_function("window.__violations.length > 0")
    assert page.evaluate("window.ran") is None
    assert any("script-src" in v for v in page.evaluate("window.__violations"))
