"""The FHIR endpoints: metadata, read and search, every answer ``application/fhir+json``.

Read-only: GET and HEAD only (anything else 405). An unknown id or resource type answers 404
and a malformed parameter 400, each with an OperationOutcome saying what was wrong.
"""

from functools import wraps

from django.db.models import Prefetch
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from fhir.resources.R4B.bundle import Bundle, BundleEntry, BundleEntrySearch, BundleLink
from fhir.resources.R4B.capabilitystatement import (
    CapabilityStatement,
    CapabilityStatementImplementation,
    CapabilityStatementRest,
    CapabilityStatementRestResource,
    CapabilityStatementRestResourceInteraction,
    CapabilityStatementRestResourceSearchParam,
    CapabilityStatementSoftware,
)

from departments.models import (
    Department,
    DepartmentCancerType,
    DepartmentService,
    Designation,
    Hospital,
)
from trials.models import Trial, TrialSite

from . import resources
from .search import (
    RESULT_PARAMETERS,
    SearchError,
    check_format,
    run_search,
    search_definitions,
)

CONTENT_TYPE = "application/fhir+json; charset=utf-8"
SOFTWARE = "Oncology Portal"
PROFILES = {
    "Organization": "http://hl7.org/fhir/StructureDefinition/Organization",
    "HealthcareService": "http://hl7.org/fhir/StructureDefinition/HealthcareService",
    "ResearchStudy": "http://hl7.org/fhir/StructureDefinition/ResearchStudy",
}
DOCUMENTATION = {
    "Organization": "Hospitals. The name only where the source states it.",
    "HealthcareService": (
        "Oncology departments: what they treat (specialty: cancer types, ICD-10 coded only where "
        "the vocabulary stores one code), offer (type: services, as text), their kind "
        "(category), designations (characteristic), stated contacts (telecom) and hospital "
        "(providedBy)."
    ),
    "ResearchStudy": (
        "Clinical trials: registry id only where stored, status, phase, conditions, drugs "
        "studied (focus) and the departments taking part (site: contained Locations)."
    ),
}


def _departments():
    # A source's full text is never needed here: only its slug, for meta.source.
    return (
        Department.objects.select_related("hospital", "source")
        .defer("source__text")
        .prefetch_related(
            Prefetch(
                "cancer_type_links",
                queryset=DepartmentCancerType.objects.select_related("cancer_type").order_by(
                    "sort_order", "pk"
                ),
            ),
            Prefetch(
                "service_links",
                queryset=DepartmentService.objects.select_related("service").order_by(
                    "sort_order", "pk"
                ),
            ),
            Prefetch("designations", queryset=Designation.objects.order_by("sort_order", "pk")),
        )
    )


def _trials():
    return (
        Trial.objects.select_related("source")
        .defer("source__text")
        .prefetch_related(
            "cancer_types",
            "interventions",
            Prefetch(
                "sites",
                queryset=TrialSite.objects.select_related("department__hospital").order_by(
                    "sort_order", "department__name", "pk"
                ),
            ),
        )
    )


def _hospitals():
    return Hospital.objects.select_related("source").defer("source__text")


SEARCHES = search_definitions(
    {
        "Organization": _hospitals,
        "HealthcareService": _departments,
        "ResearchStudy": _trials,
    }
)
BUILDERS = {
    "Organization": resources.organization,
    "HealthcareService": resources.healthcare_service,
    "ResearchStudy": resources.research_study,
}


def fhir_response(resource, status=200):
    response = HttpResponse(
        resource.model_dump_json(exclude_none=True), status=status, content_type=CONTENT_TYPE
    )
    return response


def outcome_response(message, status, code="invalid"):
    return fhir_response(resources.operation_outcome(message, code=code), status=status)


def read_only(view):
    """GET and HEAD only; anything else 405 with an OperationOutcome (no CSRF check: no
    request ever changes anything)."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            response = outcome_response(
                "This FHIR server is read-only: use GET.", 405, code="not-supported"
            )
            response["Allow"] = "GET, HEAD"
            return response
        return view(request, *args, **kwargs)

    return wrapper


def _unknown_type(resource_type):
    return outcome_response(
        f"Resource type '{resource_type[:64]}' is not served here; this server serves "
        f"{', '.join(SEARCHES)} (see /fhir/metadata).",
        404,
        code="not-supported",
    )


def _only_format(request):
    """Read and metadata take no parameters but ``_format``."""
    check_format(request)
    others = [name for name in request.GET if name != "_format"]
    if others:
        raise SearchError(
            f"Parameter '{others[0][:60]}' is not supported here (only _format).", "not-supported"
        )


@read_only
def metadata(request):
    """The CapabilityStatement: resources, interactions and search parameters."""
    try:
        _only_format(request)
    except SearchError as error:
        return outcome_response(error.message, 400, error.code)
    base = request.build_absolute_uri(reverse("fhir:base"))
    rest_resources = []
    for resource_type, definition in SEARCHES.items():
        params = [
            CapabilityStatementRestResourceSearchParam(
                name=parameter.name,
                type=parameter.type,
                definition=parameter.definition or None,
                documentation=parameter.documentation,
            )
            for parameter in definition.parameters
        ]
        rest_resources.append(
            CapabilityStatementRestResource(
                type=resource_type,
                profile=PROFILES[resource_type],
                documentation=DOCUMENTATION[resource_type],
                interaction=[
                    CapabilityStatementRestResourceInteraction(code="read"),
                    CapabilityStatementRestResourceInteraction(code="search-type"),
                ],
                readHistory=False,
                updateCreate=False,
                searchParam=params,
            )
        )
    statement = CapabilityStatement(
        status="active",
        date=timezone.now().date().isoformat(),
        publisher=SOFTWARE,
        kind="instance",
        software=CapabilityStatementSoftware(name=SOFTWARE),
        implementation=CapabilityStatementImplementation(
            description="The Oncology Portal directory as FHIR R4 (read-only)", url=base
        ),
        fhirVersion=resources.FHIR_VERSION,
        format=["json", "application/fhir+json"],
        rest=[
            CapabilityStatementRest(
                mode="server",
                documentation=(
                    "Read-only. Searches return searchset Bundles with 'total' and paging links: "
                    f"{', '.join(RESULT_PARAMETERS)}; _count defaults to 20 and is capped at "
                    "100; follow the 'next' link (an opaque _cursor) for the next page. "
                    "Unknown parameters answer 400."
                ),
                resource=rest_resources,
            )
        ],
    )
    return fhir_response(statement)


@read_only
def read(request, resource_type, resource_id):
    if resource_type not in SEARCHES:
        return _unknown_type(resource_type)
    try:
        _only_format(request)
    except SearchError as error:
        return outcome_response(error.message, 400, error.code)
    lookup = resources.id_lookup(resource_id)
    record = None
    if lookup is not None:
        record = SEARCHES[resource_type].queryset().filter(**lookup).first()
    if record is None or not resources.owns_id(record, resource_id):
        return outcome_response(
            f"{resource_type}/{resource_id[:64]} is not known.", 404, code="not-found"
        )
    return fhir_response(BUILDERS[resource_type](record, resources.Urls(request)))


def _page_url(request, **changes):
    query = request.GET.copy()
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = value
    encoded = query.urlencode()
    return request.build_absolute_uri(request.path + (f"?{encoded}" if encoded else ""))


@read_only
def search(request, resource_type):
    definition = SEARCHES.get(resource_type)
    if definition is None:
        return _unknown_type(resource_type)
    try:
        page = run_search(definition, request)
    except SearchError as error:
        return outcome_response(error.message, 400, error.code)
    urls = resources.Urls(request)
    build = BUILDERS[resource_type]
    entries = [
        BundleEntry(
            fullUrl=urls.resource(resource_type, record),
            resource=build(record, urls),
            search=BundleEntrySearch(mode="match"),
        )
        for record in page.records
    ]
    if page.warnings:
        entries.append(
            BundleEntry(
                resource=resources.operation_outcome(
                    " ".join(page.warnings), code="not-found", severity="warning"
                ),
                search=BundleEntrySearch(mode="outcome"),
            )
        )
    links = [
        BundleLink(relation="self", url=_page_url(request)),
        BundleLink(relation="first", url=_page_url(request, _cursor=None)),
    ]
    if page.next_cursor:
        links.append(BundleLink(relation="next", url=_page_url(request, _cursor=page.next_cursor)))
    bundle = Bundle(
        type="searchset",
        timestamp=timezone.now(),
        total=page.total,
        link=links,
        entry=entries or None,
    )
    return fhir_response(bundle)


@read_only
def not_found(request, *args, **kwargs):
    return outcome_response(
        "Nothing here: this FHIR server serves /fhir/metadata and "
        f"/fhir/{{{','.join(SEARCHES)}}}[/id].",
        404,
        code="not-found",
    )
