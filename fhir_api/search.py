"""FHIR search: parameters, their parsing (400 on anything malformed) and keyset paging.

Semantics follow FHIR's: repeating a parameter means AND, commas inside one value mean OR,
``system|code`` for tokens, ``:exact``/``:contains`` for strings, ``:text`` for tokens.

Paging is by keyset on each list's name index, ``(name, id)``, so the next page costs the same
at 50,000 departments or 200,000 trials as at five: ``_count`` (default 20, at most 100) and an
opaque ``_cursor`` carried by the Bundle's ``next`` link. ``total`` is one COUNT query
(``_total=none`` skips it).
"""

import base64
import binascii
import json
import re
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q

from departments.models import CancerType, Department
from departments.search import get_vocabulary, resolve_cancer_type, resolve_service
from departments.search.expand import expand_service
from trials.models import Intervention, Trial

from .resources import (
    CLINICALTRIALS_GOV,
    ICD10,
    SINGLE_ICD10,
    STATUSES,
    STUDY_STATUS,
    STUDY_STATUS_CODES,
    id_lookup,
)

DEFAULT_COUNT = 20
MAX_COUNT = 100
MAX_VALUE_LENGTH = 200
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
FORMATS = {"json", "application/json", "application/fhir+json"}
# Result parameters every search accepts.
RESULT_PARAMETERS = ("_count", "_cursor", "_total", "_format")


class SearchError(Exception):
    """A parameter the server cannot honour: answered 400 with an OperationOutcome."""

    def __init__(self, message, code="invalid"):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass
class Criteria:
    """What the parameters asked for: a filtered queryset and any warnings to report."""

    queryset: object
    warnings: list = field(default_factory=list)


def _quote(value, length=60):
    value = CONTROL.sub("\ufffd", value)
    return f"'{value[:length]}…'" if len(value) > length else f"'{value}'"


def split_values(raw):
    """One parameter value split on unescaped commas (FHIR's OR), with ``\\,`` unescaped."""
    parts = re.split(r"(?<!\\),", raw)
    return [part.replace("\\,", ",").replace("\\|", "|").strip() for part in parts]


def clean_value(name, value):
    if not value:
        raise SearchError(f"Parameter '{name}' has an empty value.")
    if len(value) > MAX_VALUE_LENGTH:
        raise SearchError(
            f"Parameter '{name}' is too long ({len(value)} characters; at most {MAX_VALUE_LENGTH})."
        )
    if CONTROL.search(value):
        raise SearchError(f"Parameter '{name}' contains control characters.")
    return value


def split_token(value):
    """``system|code`` → (system, code); ``code`` → (None, code); ``|code`` → ("", code)."""
    if "|" in value:
        system, _, code = value.partition("|")
        return system, code
    return None, value


# --- parameter types ----------------------------------------------------------------------


@dataclass(frozen=True)
class Parameter:
    """A search parameter: its FHIR type, accepted modifiers and its documentation."""

    name: str
    type: str
    documentation: str
    modifiers: tuple = ()
    definition: str = ""

    def condition(self, values, modifier, criteria):
        """A Q for one occurrence of the parameter (its comma-separated values OR-ed)."""
        raise NotImplementedError


class StringParameter(Parameter):
    """FHIR string search: starts with (default), ``:contains`` or ``:exact``, over fields."""

    def __init__(self, name, fields, documentation, definition=""):
        super().__init__(name, "string", documentation, ("exact", "contains"), definition)
        object.__setattr__(self, "fields", fields)

    def condition(self, values, modifier, criteria):
        lookup = {None: "istartswith", "exact": "exact", "contains": "icontains"}[modifier]
        condition = Q()
        for value in values:
            for field_name in self.fields:
                condition |= Q(**{f"{field_name}__{lookup}": value})
        return condition


class IdParameter(Parameter):
    def __init__(self):
        super().__init__("_id", "token", "The resource's id.")

    def condition(self, values, modifier, criteria):
        condition = Q(pk__in=[])
        for value in values:
            lookup = id_lookup(value)
            if lookup is not None:
                condition |= Q(**lookup)
        return condition


class ReferenceParameter(Parameter):
    """A reference to another resource type, by id, ``Type/id`` or absolute URL."""

    def __init__(self, name, target, field_name, documentation, definition=""):
        super().__init__(name, "reference", documentation, (), definition)
        object.__setattr__(self, "target", target)
        object.__setattr__(self, "field_name", field_name)

    def condition(self, values, modifier, criteria):
        condition = Q(pk__in=[])
        for value in values:
            reference = value.rstrip("/")
            if "/" in reference:
                resource_type, _, reference = reference.rpartition("/")
                if resource_type.rsplit("/", 1)[-1] != self.target:
                    raise SearchError(
                        f"Parameter '{self.name}' refers to {self.target} resources, "
                        f"not {_quote(value)}."
                    )
            lookup = id_lookup(reference)
            if lookup is not None:
                condition |= Q(**{f"{self.field_name}__{key}": v for key, v in lookup.items()})
        return condition


class SpecialtyParameter(Parameter):
    """A cancer type a department lists, with its narrower types (as the directory filters)."""

    def __init__(self):
        super().__init__(
            "specialty",
            "token",
            "A cancer type the department lists, or a narrower one (as the directory's "
            "cancer-type filter: 'breast cancer' also finds departments listing triple-negative "
            "breast cancer). Give an ICD-10 code the vocabulary stores for one type "
            f"({ICD10}|C50 or C50), or the type's name, alias, abbreviation or portal slug "
            "(resolved as on the search page: 'HCC', 'bile duct cancer', 肝癌). "
            "':text' resolves the words only.",
            ("text",),
            "http://hl7.org/fhir/SearchParameter/HealthcareService-specialty",
        )

    def condition(self, values, modifier, criteria):
        vocabulary = get_vocabulary()
        type_ids = set()
        for value in values:
            system, code = split_token(value)
            if modifier == "text":
                system, code = None, value
            if system and system != ICD10:
                raise SearchError(
                    f"Parameter 'specialty' accepts ICD-10 codes ({ICD10}) only, "
                    f"not {_quote(system)}."
                )
            roots = set()
            if system is not None or SINGLE_ICD10.match(code.upper()):
                roots = set(
                    CancerType.objects.filter(icd10=code.upper()).values_list("pk", flat=True)
                )
            if not roots and system is None:
                term = resolve_cancer_type(code, vocabulary).cancer_type
                if term is not None:
                    roots = {term.id}
            if not roots:
                criteria.warnings.append(f"No cancer type matches {_quote(value)}.")
            for root in roots:
                type_ids |= {root, *vocabulary.descendants.get(root, ())}
        if not type_ids:
            return Q(pk__in=[])
        return Q(pk__in=Department.objects.treating(type_ids).values("pk"))


class ServiceTypeParameter(Parameter):
    """A therapy or service a department offers, with its narrower services."""

    def __init__(self):
        super().__init__(
            "service-type",
            "token",
            "A therapy or service the department offers (its name, alias or portal slug, "
            "resolved as on the search page: 'CAR-T', 'chemo'); narrower services count "
            "('chemotherapy' finds day-care chemotherapy). Services carry no codes, so a "
            "'system|' prefix is refused.",
            ("text",),
            "http://hl7.org/fhir/SearchParameter/HealthcareService-service-type",
        )

    def condition(self, values, modifier, criteria):
        vocabulary = get_vocabulary()
        service_ids = set()
        for value in values:
            system, code = split_token(value)
            if modifier == "text":
                system, code = None, value
            if system:
                raise SearchError(
                    "Parameter 'service-type' takes a service's name: the portal's services "
                    f"carry no codes, so {_quote(system)} is not a system it knows."
                )
            term = resolve_service(code, vocabulary).service
            if term is None:
                criteria.warnings.append(f"No therapy or service matches {_quote(value)}.")
                continue
            service_ids |= expand_service(vocabulary, term.id).ids
        if not service_ids:
            return Q(pk__in=[])
        return Q(pk__in=Department.objects.offering(service_ids).values("pk"))


class KeywordParameter(Parameter):
    def __init__(self):
        super().__init__(
            "keyword",
            "token",
            "A term in the study's keywords, case-insensitive: its name or acronym "
            "(IMbrave150), the source's wording (IM BRAVE150), a drug studied (bevacizumab) "
            "or a cancer type's name.",
            ("text",),
            "http://hl7.org/fhir/SearchParameter/ResearchStudy-keyword",
        )

    def condition(self, values, modifier, criteria):
        condition = Q(pk__in=[])
        for value in values:
            system, code = split_token(value)
            if modifier == "text":
                system, code = None, value
            if system:
                raise SearchError("Parameter 'keyword' keywords carry no codes: give the term.")
            drugs = Intervention.objects.filter(name__iexact=code)
            types = CancerType.objects.filter(name__iexact=code)
            condition |= (
                Q(name__iexact=code)
                | Q(source_wording__iexact=code)
                | Q(
                    Exists(
                        Trial.interventions.through.objects.filter(
                            trial=OuterRef("pk"), intervention__in=drugs
                        )
                    )
                )
                | Q(
                    Exists(
                        Trial.cancer_types.through.objects.filter(
                            trial=OuterRef("pk"), cancertype__in=types
                        )
                    )
                )
            )
        return condition


class StatusParameter(Parameter):
    def __init__(self):
        super().__init__(
            "status",
            "token",
            "The study's status, a research-study-status code: active (recruiting), "
            "closed-to-accrual (active, not recruiting), completed, administratively-completed "
            "(terminated). Studies whose status the sources do not state match none.",
            (),
            "http://hl7.org/fhir/SearchParameter/ResearchStudy-status",
        )

    def condition(self, values, modifier, criteria):
        ours = {fhir: portal for portal, fhir in STATUSES.items()}
        statuses = []
        for value in values:
            system, code = split_token(value)
            if system and system != STUDY_STATUS:
                raise SearchError(f"Parameter 'status' takes codes of {STUDY_STATUS}.")
            if code not in STUDY_STATUS_CODES:
                raise SearchError(
                    f"Unknown status {_quote(code)}: use one of {', '.join(STUDY_STATUS_CODES)}."
                )
            if code in ours:
                statuses.append(ours[code])
        return Q(status__in=statuses)


class IdentifierParameter(Parameter):
    def __init__(self):
        super().__init__(
            "identifier",
            "token",
            f"A registry id the portal stores, e.g. {CLINICALTRIALS_GOV}|NCT03434379 or "
            "NCT03434379 (only where the data has one).",
            (),
            "http://hl7.org/fhir/SearchParameter/ResearchStudy-identifier",
        )

    def condition(self, values, modifier, criteria):
        ids = []
        for value in values:
            system, code = split_token(value)
            if system and system.rstrip("/").replace("http://", "https://") != CLINICALTRIALS_GOV:
                criteria.warnings.append(
                    f"The portal stores ClinicalTrials.gov ids only ({CLINICALTRIALS_GOV}); "
                    f"nothing matches {_quote(value)}."
                )
                continue
            ids.append(code.strip().upper())
        return Q(registry_id__in=ids) & ~Q(registry_id="")


# --- searches ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchDefinition:
    """One resource type's search: its base queryset, key (the index that orders its pages)
    and parameters."""

    resource_type: str
    queryset: object  # a callable returning the base queryset, with what the builder needs
    key: tuple  # (name field, tie-breaking unique field)
    parameters: tuple

    def parameter(self, name):
        return next((p for p in self.parameters if p.name == name), None)


@dataclass
class Page:
    records: list
    total: int | None
    next_cursor: str | None
    warnings: list


def encode_cursor(values):
    raw = json.dumps(values, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor, key):
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw.decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        values = None
    valid = (
        isinstance(values, list)
        and len(values) == len(key)
        and isinstance(values[0], str)
        and isinstance(values[1], int | str)
        and not isinstance(values[1], bool)
    )
    if not valid:
        raise SearchError(
            "Invalid _cursor: use the 'next' link of the previous page as it is.", "invalid"
        )
    return values


def _count(params):
    raw = params.get("_count")
    if raw is None:
        return DEFAULT_COUNT
    if not raw.isdigit() or not 0 < int(raw) <= 10_000:
        raise SearchError(
            f"_count must be a whole number of at least 1 (a page holds at most {MAX_COUNT})."
        )
    return min(int(raw), MAX_COUNT)


def check_format(request):
    values = request.GET.getlist("_format")
    for value in values:
        if value.split(";")[0].strip().lower() not in FORMATS:
            raise SearchError(
                f"_format {_quote(value)} is not served: this server speaks JSON only "
                "(_format=json or application/fhir+json).",
                "not-supported",
            )


def run_search(definition, request):
    """Filter, count and page one resource type; raises SearchError on a bad parameter."""
    check_format(request)
    params = request.GET
    criteria = Criteria(queryset=definition.queryset())
    for raw_name in params:
        name, _, modifier = raw_name.partition(":")
        if name in RESULT_PARAMETERS:
            if modifier or len(params.getlist(raw_name)) > 1:
                raise SearchError(f"Give '{name}' once, without a modifier.")
            continue
        parameter = definition.parameter(name)
        if parameter is None:
            supported = ", ".join([p.name for p in definition.parameters] + list(RESULT_PARAMETERS))
            raise SearchError(
                f"Unknown search parameter {_quote(raw_name)} for {definition.resource_type}: "
                f"this server supports {supported}.",
                "not-supported",
            )
        if modifier and modifier not in parameter.modifiers:
            allowed = ", ".join(f":{m}" for m in parameter.modifiers) or "none"
            raise SearchError(
                f"Modifier {_quote(':' + modifier)} is not supported on '{name}' "
                f"(supported: {allowed}).",
                "not-supported",
            )
        for raw in params.getlist(raw_name):
            values = [clean_value(raw_name, v) for v in split_values(clean_value(raw_name, raw))]
            criteria.queryset = criteria.queryset.filter(
                parameter.condition(values, modifier or None, criteria)
            )
    count = _count(params)
    total_mode = params.get("_total", "accurate")
    if total_mode not in ("none", "estimate", "accurate"):
        raise SearchError("_total must be none, estimate or accurate.")
    name_field, unique_field = definition.key
    queryset = criteria.queryset.order_by(name_field, unique_field)
    total = None if total_mode == "none" else criteria.queryset.count()
    if "_cursor" in params:
        after_name, after_key = decode_cursor(params["_cursor"], definition.key)
        # The first condition gives the index range start; the second skips ties already shown.
        queryset = queryset.filter(**{f"{name_field}__gte": after_name}).filter(
            Q(**{f"{name_field}__gt": after_name})
            | Q(**{name_field: after_name, f"{unique_field}__gt": after_key})
        )
    records = list(queryset[: count + 1])
    next_cursor = None
    if len(records) > count:
        records = records[:count]
        last = records[-1]
        next_cursor = encode_cursor([getattr(last, name_field), getattr(last, unique_field)])
    return Page(records, total, next_cursor, criteria.warnings)


def search_definitions(querysets):
    """The three searches, given each resource type's base queryset factory."""
    return {
        "Organization": SearchDefinition(
            "Organization",
            querysets["Organization"],
            ("name", "slug"),
            (
                IdParameter(),
                StringParameter(
                    "name",
                    ("name", "short_name", "name_zh"),
                    "The hospital's name, short name (FAHZU) or Chinese name: starts with "
                    "(default), ':contains' or ':exact', case-insensitive.",
                    "http://hl7.org/fhir/SearchParameter/Organization-name",
                ),
            ),
        ),
        "HealthcareService": SearchDefinition(
            "HealthcareService",
            querysets["HealthcareService"],
            ("name", "id"),
            (
                IdParameter(),
                StringParameter(
                    "name",
                    ("name",),
                    "The department's name: starts with (default), ':contains' or ':exact', "
                    "case-insensitive.",
                    "http://hl7.org/fhir/SearchParameter/HealthcareService-name",
                ),
                ReferenceParameter(
                    "organization",
                    "Organization",
                    "hospital",
                    "The hospital (Organization) providing the service: its id, "
                    "Organization/<id> or the Organization's URL.",
                    "http://hl7.org/fhir/SearchParameter/HealthcareService-organization",
                ),
                SpecialtyParameter(),
                ServiceTypeParameter(),
            ),
        ),
        "ResearchStudy": SearchDefinition(
            "ResearchStudy",
            querysets["ResearchStudy"],
            ("name", "id"),
            (
                IdParameter(),
                KeywordParameter(),
                StatusParameter(),
                IdentifierParameter(),
            ),
        ),
    }
