"""schema.org JSON-LD for search engines and link previews: departments, hospitals and trials.

Only facts the page itself shows, from the objects the page already loaded (no queries of its
own). Nothing is guessed: a hospital the source does not name has no ``name``; a telephone only
where the department states one; a registry id only where the trial record stores one.

Emitted as a data block, ``<script type="application/ld+json">``: browsers never execute it, so
the strict Content-Security-Policy (``script-src 'self'``) does not apply to it, and the JSON is
escaped like Django's ``json_script`` (``<``, ``>`` and ``&`` as ``\\u003C``…) so no text in the
data can close the element.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

SCHEMA = "https://schema.org"
ONCOLOGIC = "https://schema.org/Oncologic"  # schema.org's MedicalSpecialty for oncology
SURGICAL = "https://schema.org/Surgical"
# Trial.Status → schema.org MedicalStudyStatus.
STUDY_STATUS = {
    "recruiting": "https://schema.org/Recruiting",
    "active": "https://schema.org/ActiveNotRecruiting",
    "completed": "https://schema.org/Completed",
    "terminated": "https://schema.org/Terminated",
}
# Service.Category → the schema.org type of an available service. Research platforms and
# care and support (a multidisciplinary team, patient education…) fit none of schema.org's
# MedicalTherapy, MedicalProcedure or MedicalTest and are left out.
SERVICE_TYPES = {
    "systemic": "MedicalTherapy",
    "radiation": "RadiationTherapy",
    "surgery": "SurgicalProcedure",
    "diagnostics": "MedicalTest",
}
JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld_script(data):
    """``<script type="application/ld+json">`` holding `data`, escaped so that nothing in it
    (``</script>``, ``<!--``) can end the element early."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308


def _compact(data):
    """Drop empty values: nothing is said where the record says nothing."""
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def _address(hospital):
    return (
        _compact(
            {
                "@type": "PostalAddress",
                "addressLocality": hospital.city,
                "addressRegion": hospital.province,
                "addressCountry": hospital.country,
            }
        )
        if (hospital.city or hospital.province or hospital.country)
        else None
    )


def hospital_reference(hospital, absolute):
    """A hospital as a department's parent: named only where the source names it."""
    return _compact(
        {
            "@type": "Hospital",
            "@id": absolute(hospital.get_absolute_url()) + "#hospital",
            "name": hospital.name,
            "description": "" if hospital.name else hospital.display_name,
            "url": absolute(hospital.get_absolute_url()),
            "address": _address(hospital),
        }
    )


def department(department, absolute):
    """A department: schema.org MedicalClinic (a MedicalOrganization devoted to one field,
    often part of a hospital), with what it treats and offers, its hospital and contacts."""
    specialties = [ONCOLOGIC]
    if department.kind == "surgical":
        specialties.append(SURGICAL)
    services = [
        {"@type": SERVICE_TYPES[link.service.category], "name": link.service.name}
        for link in department.service_links.all()
        if link.service.category in SERVICE_TYPES
    ]
    url = absolute(department.get_absolute_url())
    return _compact(
        {
            "@context": SCHEMA,
            "@type": "MedicalClinic",
            "@id": url + "#department",
            "name": department.name,
            "url": url,
            "description": department.summary,
            "medicalSpecialty": specialties,
            "knowsAbout": [link.cancer_type.name for link in department.cancer_type_links.all()],
            "availableService": services,
            "parentOrganization": hospital_reference(department.hospital, absolute),
            "foundingDate": department.founded_date.isoformat() if department.founded_date else "",
            "telephone": department.phone,
            "email": department.email,
            "address": department.address,
        }
    )


def hospital(hospital, departments, absolute):
    """A hospital and the departments its page lists (one page of them, at most 20)."""
    url = absolute(hospital.get_absolute_url())
    return _compact(
        {
            "@context": SCHEMA,
            "@type": "Hospital",
            "@id": url + "#hospital",
            "name": hospital.name,
            "alternateName": [name for name in (hospital.short_name, hospital.name_zh) if name],
            "description": "" if hospital.name else hospital.display_name,
            "url": url,
            "sameAs": hospital.website,
            "foundingDate": str(hospital.founded_year) if hospital.founded_year else "",
            "address": _address(hospital),
            "department": [
                {
                    "@type": "MedicalClinic",
                    "@id": absolute(item.get_absolute_url()) + "#department",
                    "name": item.name,
                    "url": absolute(item.get_absolute_url()),
                }
                for item in departments
            ],
        }
    )


def trial(trial, absolute):
    """A trial: schema.org MedicalTrial with its phase, status, sponsor, conditions and drugs."""
    identifier = None
    if trial.registry_id:
        identifier = {
            "@type": "PropertyValue",
            "propertyID": "ClinicalTrials.gov",
            "value": trial.registry_id,
            "url": trial.registry_url,
        }
    conditions = [
        {"@type": "MedicalCondition", "name": cancer_type.name}
        for cancer_type in trial.cancer_types.all()
    ]
    if trial.condition:
        conditions.append({"@type": "MedicalCondition", "name": trial.condition})
    url = absolute(trial.get_absolute_url())
    return _compact(
        {
            "@context": SCHEMA,
            "@type": "MedicalTrial",
            "@id": url + "#trial",
            "name": trial.name,
            "alternateName": trial.title,
            "url": url,
            "description": trial.description,
            "identifier": identifier,
            "phase": str(trial.get_phase_display()) if trial.phase else "",
            "status": STUDY_STATUS.get(trial.status, ""),
            "sponsor": {"@type": "Organization", "name": trial.sponsor} if trial.sponsor else None,
            "healthCondition": conditions,
            "studySubject": [
                {"@type": "Drug", "name": intervention.name}
                for intervention in trial.interventions.all()
            ],
        }
    )
