"""Directory records as FHIR R4 resources, built with the R4B models of ``fhir.resources``.

The R4B models are used because the package's top level is R5; Organization, HealthcareService,
ResearchStudy, Location, Bundle, OperationOutcome and CapabilityStatement have the same
structure in R4 (4.0.1) and R4B, so every resource built here is valid R4.

What is coded and what is text (nothing is invented):

- Cancer types (HealthcareService.specialty, ResearchStudy.condition): the vocabulary's name as
  text, plus an ICD-10 coding only where the vocabulary stores exactly one ICD-10 code for the
  type (ranges such as "C15–C26" and lists are groups, not one code, and stay text only).
- Services (HealthcareService.type), the department's kind (category), designations
  (characteristic), interventions (ResearchStudy.focus): text only — the data stores no codes.
- Codes from FHIR's own code systems where the mapping is certain: a hospital is a healthcare
  provider (organization-type ``prov``), a trial's phase, a trial's status.
- Registry ids (ResearchStudy.identifier) only where the record stores one.
"""

import re

from django.urls import reverse
from fhir.resources.R4B.address import Address
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.contactpoint import ContactPoint
from fhir.resources.R4B.extension import Extension
from fhir.resources.R4B.fhirprimitiveextension import FHIRPrimitiveExtension
from fhir.resources.R4B.healthcareservice import HealthcareService
from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.location import Location
from fhir.resources.R4B.meta import Meta
from fhir.resources.R4B.operationoutcome import OperationOutcome, OperationOutcomeIssue
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.reference import Reference
from fhir.resources.R4B.researchstudy import ResearchStudy

FHIR_VERSION = "4.0.1"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
CLINICALTRIALS_GOV = "https://clinicaltrials.gov"
ORGANIZATION_TYPE = "http://terminology.hl7.org/CodeSystem/organization-type"
STUDY_PHASE = "http://terminology.hl7.org/CodeSystem/research-study-phase"
STUDY_STATUS = "http://hl7.org/fhir/research-study-status"
DATA_ABSENT_REASON = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"

# One ICD-10 code (C50, C22.0); not a range (C15–C26) or a list (C22.1, C24.0).
SINGLE_ICD10 = re.compile(r"^[A-Z][0-9]{2}(\.[0-9]{1,2})?$")

# FHIR resource ids: [A-Za-z0-9\-\.]{1,64}. A slug that fits is the id; one that does not (an
# underscore, more than 64 characters) gets "id.<pk>": slugs never contain a dot, so the two
# kinds of id never collide.
FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
FALLBACK_ID = re.compile(r"^id\.([0-9]{1,18})$")

# Trial.Phase → research-study-phase (code, display).
PHASES = {
    "1": ("phase-1", "Phase 1"),
    "1/2": ("phase-1-phase-2", "Phase 1/Phase 2"),
    "2": ("phase-2", "Phase 2"),
    "2/3": ("phase-2-phase-3", "Phase 2/Phase 3"),
    "3": ("phase-3", "Phase 3"),
    "4": ("phase-4", "Phase 4"),
}
# Trial.Status → research-study-status: recruiting is "active"; "active, not recruiting" is
# closed to accrual (patients still examined and treated); terminated is completed early for
# good ("administratively-completed").
STATUSES = {
    "recruiting": "active",
    "active": "closed-to-accrual",
    "completed": "completed",
    "terminated": "administratively-completed",
}
# Every research-study-status code (a search may name any of them).
STUDY_STATUS_CODES = (
    "active",
    "administratively-completed",
    "approved",
    "closed-to-accrual",
    "closed-to-accrual-and-intervention",
    "completed",
    "disapproved",
    "in-review",
    "temporarily-closed-to-accrual",
    "temporarily-closed-to-accrual-and-intervention",
    "withdrawn",
)


def fhir_id(record):
    """The record's FHIR id: its slug when the slug is a valid FHIR id, else ``id.<pk>``."""
    return record.slug if FHIR_ID.match(record.slug) else f"id.{record.pk}"


def id_lookup(resource_id):
    """ORM lookups for a FHIR id (``{"slug": …}`` or ``{"pk": …}``), or None if it cannot be one.

    A record found by ``pk`` must be checked with ``owns_id`` (its slug must not fit).
    """
    fallback = FALLBACK_ID.match(resource_id)
    if fallback:
        return {"pk": int(fallback.group(1))}
    if FHIR_ID.match(resource_id):
        return {"slug": resource_id}
    return None


def owns_id(record, resource_id):
    return fhir_id(record) == resource_id


class Urls:
    """Absolute URLs for one request: the FHIR base, resources and the portal's pages."""

    def __init__(self, request):
        self.request = request
        self.base = request.build_absolute_uri(reverse("fhir:base"))

    def resource(self, resource_type, record):
        return f"{self.base}{resource_type}/{fhir_id(record)}"

    def page(self, path):
        return self.request.build_absolute_uri(path)


def _text(value):
    return CodeableConcept(text=value)


def cancer_type_concept(cancer_type):
    """The vocabulary's name, and its ICD-10 code where the vocabulary stores exactly one."""
    code = (cancer_type.icd10 or "").strip()
    if SINGLE_ICD10.match(code):
        return CodeableConcept(coding=[Coding(system=ICD10, code=code)], text=cancer_type.name)
    return _text(cancer_type.name)


def _meta(urls, record, last_updated=None):
    source = getattr(record, "source", None)
    if source is None and last_updated is None:
        return None
    return Meta(
        lastUpdated=last_updated,
        source=urls.page(source.get_absolute_url()) if source is not None else None,
    )


def _portal_identifier(urls, record, list_url):
    """The portal's own identifier for the record: its slug, in the namespace of its list page."""
    return Identifier(system=urls.page(list_url), value=record.slug)


def _organization_reference(urls, hospital):
    return Reference(reference=f"Organization/{fhir_id(hospital)}", display=hospital.display_name)


def organization(hospital, urls):
    """A hospital. Its name only where the source states it (else the portal identifier alone)."""
    aliases = [alias for alias in (hospital.short_name, hospital.name_zh) if alias]
    address = None
    if hospital.city or hospital.province or hospital.country:
        address = [
            Address(
                city=hospital.city or None,
                state=hospital.province or None,
                country=hospital.country or None,
            )
        ]
    return Organization(
        id=fhir_id(hospital),
        meta=_meta(urls, hospital),
        identifier=[_portal_identifier(urls, hospital, reverse("departments:hospital-list"))],
        type=[
            CodeableConcept(
                coding=[
                    Coding(system=ORGANIZATION_TYPE, code="prov", display="Healthcare Provider")
                ]
            )
        ],
        name=hospital.name or None,
        alias=aliases or None,
        telecom=[ContactPoint(system="url", value=hospital.website)] if hospital.website else None,
        address=address,
    )


def healthcare_service(department, urls):
    """A department: what it treats (specialty), offers (type), its contacts and designations.

    Expects the department with ``hospital`` and ``source`` selected and ``cancer_type_links``,
    ``service_links`` and ``designations`` prefetched (see ``views.SEARCHES``).
    """
    telecom = [
        ContactPoint(system=system, value=value)
        for system, value in (
            ("phone", department.phone),
            ("email", department.email),
            ("url", department.website),
        )
        if value
    ]
    contained, location = None, None
    if department.address:
        # R4 HealthcareService has no address of its own: the stated address is a Location.
        contained = [
            Location(
                id="address",
                name=department.name,
                address=Address(text=department.address),
                managingOrganization=_organization_reference(urls, department.hospital),
            )
        ]
        location = [Reference(reference="#address")]
    return HealthcareService(
        id=fhir_id(department),
        meta=_meta(urls, department, department.updated_at),
        contained=contained,
        identifier=[_portal_identifier(urls, department, reverse("portal:department-list"))],
        providedBy=_organization_reference(urls, department.hospital),
        category=[_text(str(department.get_kind_display()))],
        type=[_text(link.service.name) for link in department.service_links.all()] or None,
        specialty=[
            cancer_type_concept(link.cancer_type) for link in department.cancer_type_links.all()
        ]
        or None,
        location=location,
        name=department.name,
        comment=department.summary or None,
        extraDetails=department.description or None,
        telecom=telecom or None,
        characteristic=[_text(d.name) for d in department.designations.all()] or None,
    )


def _unknown_status():
    return FHIRPrimitiveExtension(
        extension=[Extension(url=DATA_ABSENT_REASON, valueCode="unknown")]
    )


def research_study(trial, urls):
    """A trial. ResearchStudy.status is required: where the sources do not state it, the
    element carries the data-absent-reason "unknown" instead of a guess.

    Expects ``source`` selected and ``cancer_types``, ``interventions`` and ``sites`` (with
    ``department__hospital``) prefetched (see ``views.SEARCHES``).
    """
    status = STATUSES.get(trial.status)
    phase = None
    if trial.phase in PHASES:
        code, display = PHASES[trial.phase]
        phase = CodeableConcept(
            coding=[Coding(system=STUDY_PHASE, code=code, display=display)],
            text=str(trial.get_phase_display()),
        )
    cancer_types = list(trial.cancer_types.all())
    interventions = list(trial.interventions.all())
    conditions = [cancer_type_concept(cancer_type) for cancer_type in cancer_types]
    if trial.condition:
        conditions.append(_text(trial.condition))
    keywords = [trial.name]
    if trial.source_wording and trial.source_wording != trial.name:
        keywords.append(trial.source_wording)
    keywords += [intervention.name for intervention in interventions]
    keywords += [cancer_type.name for cancer_type in cancer_types]
    sites = list(trial.sites.all())
    # R4 ResearchStudy.site refers to Locations: each department taking part is a contained
    # Location managed by its hospital's Organization.
    locations = [
        Location(
            id=fhir_id(site.department),
            name=site.department.name,
            description=str(site.get_role_display()),
            managingOrganization=_organization_reference(urls, site.department.hospital),
        )
        for site in sites
    ]
    identifier = None
    if trial.registry_id:
        identifier = [Identifier(system=CLINICALTRIALS_GOV, value=trial.registry_id)]
    return ResearchStudy(
        id=fhir_id(trial),
        meta=_meta(urls, trial),
        contained=locations or None,
        identifier=identifier,
        title=trial.title or trial.name,
        status=status,
        status__ext=None if status else _unknown_status(),
        phase=phase,
        condition=conditions or None,
        focus=[_text(intervention.name) for intervention in interventions] or None,
        keyword=[_text(keyword) for keyword in dict.fromkeys(keywords)] or None,
        description=trial.description or None,
        sponsor=Reference(display=trial.sponsor) if trial.sponsor else None,
        site=[Reference(reference=f"#{location.id}") for location in locations] or None,
    )


def operation_outcome(message, *, code="invalid", severity="error"):
    return OperationOutcome(
        issue=[OperationOutcomeIssue(severity=severity, code=code, diagnostics=message)]
    )
