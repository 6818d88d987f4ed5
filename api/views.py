"""The read-only JSON API (/api/v1/). Thin views: a department is loaded as its page loads it
(the sections registry's prefetches), a trial as the trial pages load it; lists are filtered by
the pages' FilterSets (filters.py) and paged by cursor (pagination.py); search is the search
page's own `search()`. Every list costs a fixed number of queries, whatever the data's size."""

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import exceptions, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from departments.counts import count_by
from departments.dataversion import data_version
from departments.filters import SLUG_RE, shorten
from departments.models import (
    CancerType,
    CancerTypeAlias,
    Department,
    Hospital,
    Service,
    ServiceAlias,
)
from departments.sections import model_sections
from departments.tree import CancerTypeTree
from oncology_portal.search import search
from trials.models import Intervention, Trial, TrialSite

from . import serializers as s
from .base import API_VERSION, ApiView, data_as_of
from .filters import (
    MODIFIED_AFTER_HELP,
    ApiDepartmentFilter,
    ApiHospitalFilter,
    ApiTrialFilter,
    PortalFilterBackend,
)
from .pagination import SlugCursorPagination
from .renderers import CSVRenderer, NDJSONRenderer
from .search import MAX_SEARCH_PAGE_SIZE, PER_PAGE, SearchResultSerializer, search_payload

ErrorSerializer = inline_serializer(
    "Error",
    {
        "detail": serializers.CharField(help_text="What went wrong, in a sentence."),
        "errors": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            required=False,
            help_text="Messages by parameter.",
        ),
    },
)
ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="A parameter is invalid (named)."),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests: see Retry-After."),
}
NOT_FOUND = {404: OpenApiResponse(ErrorSerializer, description="No such record.")}
FORMAT = OpenApiParameter(
    "format",
    str,
    enum=["json", "csv", "ndjson"],
    description="json (default), csv (one row per record) or ndjson (one JSON record a line).",
)
MODIFIED_AFTER = OpenApiParameter(
    "modified_after",
    OpenApiTypes.STR,
    description=f"Changed after this moment. {MODIFIED_AFTER_HELP}",
)


def _bulk_responses(serializer):
    return {
        (200, "application/json"): serializer,
        (200, "text/csv"): OpenApiTypes.STR,
        (200, "application/x-ndjson"): OpenApiTypes.STR,
        **ERRORS,
    }


def _join(values):
    return "; ".join(value for value in values if value)


def _quantity_line(fact, label):
    quantity = fact.get("quantity")
    shown = quantity["display"] if quantity else ""
    period = f" ({quantity['period']})" if quantity and quantity["period"] else ""
    return f"{shown} {fact[label]}{period}".strip()


class ListView(ApiView, GenericAPIView):
    """A paged list in JSON, CSV or NDJSON."""

    renderer_classes = [JSONRenderer, CSVRenderer, NDJSONRenderer]
    pagination_class = SlugCursorPagination
    filter_backends = [PortalFilterBackend]
    csv_columns = ()

    def get(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        data = self.get_serializer(self.prepare(page), many=True).data
        return self.get_paginated_response(data)

    def prepare(self, records):
        return records


class DetailView(ApiView, GenericAPIView):
    lookup_field = "slug"
    noun = "record"

    def get_object(self):
        slug = self.kwargs["slug"]
        found = self.get_queryset().filter(slug=slug).first() if SLUG_RE.match(slug) else None
        if found is None:
            raise exceptions.NotFound(f"No {self.noun} “{shorten(slug)}”.")
        return found

    def get(self, request, *args, **kwargs):
        record = self.prepare([self.get_object()])[0]
        return Response(self.get_serializer(record).data)

    def prepare(self, records):
        return records


class NotFoundView(ApiView):
    """Any other URL under /api/: a JSON 404 that points to the root."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if not request.path_info.endswith("/"):
            # What CommonMiddleware's APPEND_SLASH does for the pages (this view matches first).
            try:
                match = resolve(request.path_info + "/")
            except Resolver404:
                match = None
            if match is not None and match.url_name != "not-found":
                return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
        raise exceptions.NotFound("No such API URL: see /api/v1/ for the endpoints.")


# --- the root ------------------------------------------------------------------------------


class RootView(ApiView):
    @extend_schema(
        summary="The API: version, licence, data timestamp and links",
        responses={
            200: inline_serializer(
                "ApiRoot",
                {
                    "name": serializers.CharField(),
                    "version": serializers.CharField(),
                    "licence": inline_serializer(
                        "Licence",
                        {"name": serializers.CharField(), "url": serializers.URLField()},
                    ),
                    "data_version": serializers.CharField(),
                    "data_as_of": serializers.DateTimeField(),
                    "links": serializers.DictField(child=serializers.URLField()),
                },
            ),
            429: ERRORS[429],
        },
    )
    def get(self, request):
        def link(name):
            return request.build_absolute_uri(reverse(name))

        return Response(
            {
                "name": "Oncology Portal open data",
                "version": API_VERSION,
                "licence": {
                    "name": settings.PORTAL_DATA_LICENCE,
                    "url": settings.PORTAL_DATA_LICENCE_URL,
                },
                "data_version": data_version()[:16],
                "data_as_of": data_as_of().isoformat(),
                "links": {
                    "departments": link("api:department-list"),
                    "hospitals": link("api:hospital-list"),
                    "cancer_types": link("api:cancertype-list"),
                    "services": link("api:service-list"),
                    "trials": link("api:trial-list"),
                    "search": link("api:search"),
                    "schema": link("api:schema"),
                    "docs": link("api:docs"),
                },
            }
        )


# --- departments ---------------------------------------------------------------------------


def department_queryset():
    """Departments with everything their page shows, in a fixed number of queries."""
    return Department.objects.select_related(
        "hospital", "source", "leader", "leader__source"
    ).prefetch_related(*(section.prefetch() for section in model_sections()))


DEPARTMENT_FILTERS = [
    OpenApiParameter(
        "cancer_type",
        str,
        description=(
            "A cancer type's slug or words as a referrer types them (“HCC”, “bile duct”, 肝癌), "
            "resolved as the search page does; narrower types are included."
        ),
    ),
    OpenApiParameter("hospital", str, description="A hospital's slug, name or short name."),
    OpenApiParameter("city", str, description="A city, as /api/v1/hospitals/ writes it."),
    OpenApiParameter("province", str, description="A province, as /api/v1/hospitals/ writes it."),
    OpenApiParameter("kind", str, enum=[value for value, _ in Department.Kind.choices]),
    OpenApiParameter("service", str, description="A therapy or service slug (/api/v1/services/)."),
    OpenApiParameter("designation", str, description="Words in a designation's name."),
    OpenApiParameter(
        "runs_trials",
        str,
        enum=["true", "false"],
        description="Runs named trials or states trial activity (true), or neither (false).",
    ),
    MODIFIED_AFTER,
    FORMAT,
]


class DepartmentList(ListView):
    serializer_class = s.DepartmentSerializer
    filterset_class = ApiDepartmentFilter
    csv_columns = (
        ("slug", lambda d: d["slug"]),
        ("name", lambda d: d["name"]),
        ("kind", lambda d: d["kind"]),
        ("hospital", lambda d: d["hospital"]["display_name"]),
        ("hospital_slug", lambda d: d["hospital"]["slug"]),
        ("city", lambda d: d["hospital"]["city"]),
        ("province", lambda d: d["hospital"]["province"]),
        ("country", lambda d: d["hospital"]["country"]),
        ("founded_date", lambda d: d["founded_date"]),
        ("phone", lambda d: d["phone"]),
        ("email", lambda d: d["email"]),
        ("address", lambda d: d["address"]),
        ("website", lambda d: d["website"]),
        (
            "cancer_types",
            lambda d: _join(
                f"{f['cancer_type']['name']} ({f['relation']})" for f in d["facts"]["cancer_types"]
            ),
        ),
        ("services", lambda d: _join(f["service"]["name"] for f in d["facts"]["services"])),
        ("designations", lambda d: _join(f["name"] for f in d["facts"]["designations"])),
        ("staff", lambda d: _join(_quantity_line(f, "role") for f in d["facts"]["staff"])),
        (
            "statistics",
            lambda d: _join(_quantity_line(f, "metric") for f in d["facts"]["statistics"]),
        ),
        (
            "trial_activity",
            lambda d: _join(_quantity_line(f, "label") for f in d["facts"]["trial_activity"]),
        ),
        ("named_trials", lambda d: _join(f["trial"]["name"] for f in d["facts"]["trial_sites"])),
        ("source", lambda d: d["source"]["title"] if d["source"] else ""),
        ("updated_at", lambda d: d["updated_at"]),
        ("url", lambda d: d["url"]),
    )

    def get_queryset(self):
        return department_queryset()

    @extend_schema(
        summary="Departments, with every sourced fact their page shows",
        description=(
            "The directory's filters (the same FilterSet as /departments/), paged by slug. "
            "`format=csv` gives one row per department (figures in the page's words), "
            "`format=ndjson` one JSON department per line."
        ),
        parameters=DEPARTMENT_FILTERS,
        responses=_bulk_responses(s.DepartmentSerializer(many=True)),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class DepartmentDetail(DetailView):
    serializer_class = s.DepartmentSerializer
    noun = "department"

    def get_queryset(self):
        return department_queryset()

    @extend_schema(
        summary="One department", responses={200: s.DepartmentSerializer, **ERRORS, **NOT_FOUND}
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


# --- hospitals -----------------------------------------------------------------------------


def _with_department_counts(hospitals):
    hospitals = list(hospitals)
    counts = count_by(Department.objects.filter(hospital__in=hospitals), "hospital")
    for hospital in hospitals:
        hospital.department_count = counts.get(hospital.pk, 0)
    return hospitals


class HospitalList(ListView):
    serializer_class = s.HospitalSerializer
    filterset_class = ApiHospitalFilter

    def get_queryset(self):
        return Hospital.objects.select_related("source")

    def prepare(self, records):
        return _with_department_counts(records)

    @extend_schema(
        summary="Hospitals",
        parameters=[
            OpenApiParameter("city", str, description="City (exact, any case)."),
            OpenApiParameter("province", str, description="Province (exact, any case)."),
            MODIFIED_AFTER,
            FORMAT,
        ],
        responses=_bulk_responses(s.HospitalSerializer(many=True)),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class HospitalDetail(DetailView):
    serializer_class = s.HospitalSerializer
    noun = "hospital"

    def get_queryset(self):
        return Hospital.objects.select_related("source")

    def prepare(self, records):
        return _with_department_counts(records)

    @extend_schema(
        summary="One hospital", responses={200: s.HospitalSerializer, **ERRORS, **NOT_FOUND}
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


# --- vocabularies --------------------------------------------------------------------------


def _cancer_types():
    """Every cancer type in tree order, each with `child_slugs`, from two queries."""
    tree = CancerTypeTree.load(
        CancerType.objects.select_related("parent").prefetch_related(
            Prefetch("aliases", queryset=CancerTypeAlias.objects.order_by("kind", "text"))
        )
    )
    for node in tree.nodes:
        node.child_slugs = [child.slug for child in node.tree_children]
    return [node for node, _depth in tree.walk()]


class CancerTypeList(ApiView):
    """The whole vocabulary (it is curated and small): no paging."""

    renderer_classes = [JSONRenderer, CSVRenderer, NDJSONRenderer]
    csv_columns = (
        ("slug", lambda c: c["slug"]),
        ("name", lambda c: c["name"]),
        ("name_zh", lambda c: c["name_zh"]),
        ("parent", lambda c: c["parent"]),
        ("icd10", lambda c: c["icd10"]),
        ("aliases", lambda c: _join(a["text"] for a in c["aliases"])),
        ("url", lambda c: c["url"]),
    )

    @extend_schema(
        summary="The cancer-type vocabulary: a tree (each type names its parent and children)",
        parameters=[FORMAT],
        responses=_bulk_responses(s.CancerTypeSerializer(many=True)),
    )
    def get(self, request):
        data = s.CancerTypeSerializer(_cancer_types(), many=True, context={"request": request})
        return Response(data.data)


class CancerTypeDetail(ApiView):
    @extend_schema(
        summary="One cancer type", responses={200: s.CancerTypeSerializer, **ERRORS, **NOT_FOUND}
    )
    def get(self, request, slug):
        for node in _cancer_types():
            if node.slug == slug:
                return Response(s.CancerTypeSerializer(node, context={"request": request}).data)
        raise exceptions.NotFound(f"No cancer type “{shorten(slug)}”.")


class ServiceList(ApiView):
    renderer_classes = [JSONRenderer, CSVRenderer, NDJSONRenderer]
    csv_columns = (
        ("slug", lambda c: c["slug"]),
        ("name", lambda c: c["name"]),
        ("name_zh", lambda c: c["name_zh"]),
        ("category", lambda c: c["category"]),
        ("aliases", lambda c: _join(a["text"] for a in c["aliases"])),
    )

    @extend_schema(
        summary="Therapies and services (the service vocabulary)",
        parameters=[FORMAT],
        responses=_bulk_responses(s.ServiceSerializer(many=True)),
    )
    def get(self, request):
        services = Service.objects.order_by("category", "name", "slug").prefetch_related(
            Prefetch("aliases", queryset=ServiceAlias.objects.order_by("kind", "text"))
        )
        return Response(s.ServiceSerializer(services, many=True, context={"request": request}).data)


# --- trials --------------------------------------------------------------------------------


def trial_queryset():
    sites = TrialSite.objects.select_related("department__hospital", "source").order_by(
        "sort_order", "department__name", "pk"
    )
    return Trial.objects.select_related("source").prefetch_related(
        "cancer_types",
        Prefetch("interventions", queryset=Intervention.objects.order_by("name")),
        Prefetch("sites", queryset=sites),
    )


TRIAL_FILTERS = [
    OpenApiParameter(
        "cancer_type", str, description="A cancer type's slug; narrower types are included."
    ),
    OpenApiParameter("phase", str, enum=[value for value, _ in Trial.Phase.choices]),
    OpenApiParameter("status", str, enum=[value for value, _ in Trial.Status.choices]),
    OpenApiParameter("department", str, description="A department's slug or name."),
    OpenApiParameter("intervention", str, description="A drug's slug."),
    OpenApiParameter("sponsor_type", str, enum=[value for value, _ in Trial.SponsorType.choices]),
    MODIFIED_AFTER,
    FORMAT,
]


class TrialList(ListView):
    serializer_class = s.TrialSerializer
    filterset_class = ApiTrialFilter
    csv_columns = (
        ("slug", lambda t: t["slug"]),
        ("name", lambda t: t["name"]),
        ("title", lambda t: t["title"]),
        ("registry_id", lambda t: t["registry_id"]),
        ("phase", lambda t: t["phase"]),
        ("status", lambda t: t["status"]),
        ("scope", lambda t: t["scope"]),
        ("sponsor_type", lambda t: t["sponsor_type"]),
        ("sponsor", lambda t: t["sponsor"]),
        ("condition", lambda t: t["condition"]),
        ("cancer_types", lambda t: _join(c["name"] for c in t["cancer_types"])),
        ("interventions", lambda t: _join(i["name"] for i in t["interventions"])),
        ("departments", lambda t: _join(site["department"]["name"] for site in t["sites"])),
        ("url", lambda t: t["url"]),
    )

    def get_queryset(self):
        return trial_queryset()

    @extend_schema(
        summary="Clinical trials",
        description="The trial list's filters (the same FilterSet as /trials/), paged by slug.",
        parameters=TRIAL_FILTERS,
        responses=_bulk_responses(s.TrialSerializer(many=True)),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class TrialDetail(DetailView):
    serializer_class = s.TrialSerializer
    noun = "trial"

    def get_queryset(self):
        return trial_queryset()

    @extend_schema(summary="One trial", responses={200: s.TrialSerializer, **ERRORS, **NOT_FOUND})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


# --- search --------------------------------------------------------------------------------


def _positive(request, name, default, maximum=None):
    raw = request.query_params.get(name, "")
    if raw == "":
        return default
    if not raw.isdigit() or int(raw) < 1 or (maximum is not None and int(raw) > maximum):
        limit = f" from 1 to {maximum}" if maximum else " of 1 or more"
        raise exceptions.ValidationError({name: [f"{name} must be a whole number{limit}."]})
    return int(raw)


class SearchView(ApiView):
    @extend_schema(
        summary="Search as the search page does",
        description=(
            "The query is resolved to a cancer type or therapy (names, abbreviations, lay "
            "terms, typos, Chinese), expanded through the cancer-type tree and ranked; each "
            "department says why it matched — the same as /search/?q=…"
        ),
        parameters=[
            OpenApiParameter("q", str, required=True, description="What a referrer types."),
            OpenApiParameter("page", int, description="Page of departments, from 1."),
            OpenApiParameter(
                "page_size", int, description=f"Departments per page, 1 to {MAX_SEARCH_PAGE_SIZE}."
            ),
        ],
        responses={200: SearchResultSerializer, **ERRORS, **NOT_FOUND},
    )
    def get(self, request):
        text = request.query_params.get("q", "")
        if not text.strip():
            raise exceptions.ValidationError(
                {"q": ["Give q: a cancer type, therapy, drug, hospital or place."]}
            )
        page = _positive(request, "page", 1)
        page_size = _positive(request, "page_size", PER_PAGE, MAX_SEARCH_PAGE_SIZE)
        results = search(text, page=page, per_page=page_size)
        if results.page_obj.number != page:
            raise exceptions.NotFound(
                f"There is no page {page}: the last is {results.page_obj.paginator.num_pages}."
            )
        return Response(search_payload(request, results))
