"""FHIR R4 read-only API under /fhir/: the directory as Organization (hospitals),
HealthcareService (departments) and ResearchStudy (trials) resources, built and checked with the
R4B models of ``fhir.resources``.

The package is ``fhir_api`` (app label ``fhir``): a top-level ``fhir`` package would hide the
``fhir`` namespace that ``fhir.resources`` lives in."""
