"""What the API returns. Every figure keeps its meaning, every sourced fact its source.

- A quantity is `{qualifier, value, upper, unit, wording, period, display}`: `wording` is the
  source's own words ("more than 100"), `display` the words the department page shows ("100+"),
  made by the same function (departments.quantities.render_quantity, via `display`).
- A sourced fact carries `source` (the document, with its page on the portal) and `excerpt`
  (the source's words it rests on).
- A department's facts are grouped by the sections of its page (departments/sections.py): the
  same rows, in the same order, as the page shows.
- Registry ids only where the data has one (`registry_id` is null otherwise).
"""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from departments.models import CancerType, Department, Hospital, Person, Service, Source
from departments.quantities import Qualifier, Quantity
from departments.sections import model_sections
from departments.translation import is_chinese_version
from trials.models import Intervention, Trial, TrialSite


def absolute(serializer, url):
    request = serializer.context.get("request")
    return request.build_absolute_uri(url) if request is not None else url


@extend_schema_field(OpenApiTypes.URI)
class PageUrlField(serializers.Field):
    """The record's public page on the portal (its get_absolute_url), absolute."""

    def __init__(self, **kwargs):
        kwargs.setdefault("source", "*")
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return absolute(self.parent, value.get_absolute_url())


@extend_schema_field(OpenApiTypes.URI)
class ApiUrlField(serializers.Field):
    """The record's URL in this API, absolute."""

    def __init__(self, view_name, **kwargs):
        self.view_name = view_name
        kwargs.setdefault("source", "*")
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return absolute(self.parent, reverse(self.view_name, kwargs={"slug": value.slug}))


@extend_schema_field({"type": "string", "nullable": True})
class BlankAsNullField(serializers.CharField):
    """A text field that is null where the data has nothing (never an empty guess)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return str(value) if value else None


class SourceSerializer(serializers.ModelSerializer):
    url = PageUrlField(help_text="The source document on the portal, with its full text.")
    kind = serializers.ChoiceField(choices=Source.Kind.choices, read_only=True)

    class Meta:
        model = Source
        fields = ["slug", "kind", "title", "file_name", "last_updated_text", "url"]


class SourcedMixin(serializers.Serializer):
    source = SourceSerializer(read_only=True, allow_null=True)
    excerpt = serializers.CharField(read_only=True, help_text="The source's words.")


class QuantitySerializer(serializers.Serializer):
    """A figure as the source gives it: never a bare number."""

    qualifier = serializers.ChoiceField(choices=Qualifier.choices, read_only=True)
    value = serializers.IntegerField(read_only=True, allow_null=True)
    upper = serializers.IntegerField(
        source="value_max", read_only=True, allow_null=True, help_text="A range's upper bound."
    )
    unit = serializers.CharField(read_only=True)
    wording = serializers.CharField(read_only=True, help_text="The source's own words.")
    period = serializers.CharField(read_only=True)
    display = serializers.CharField(
        read_only=True, help_text="The figure as the department page shows it, e.g. “100+”."
    )


@extend_schema_field(QuantitySerializer(allow_null=True))
class QuantityField(serializers.Field):
    """The row's quantity; null for an optional figure the source does not give."""

    def __init__(self, **kwargs):
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        if not value.qualifier:
            return None
        return QuantitySerializer(value).data


# --- references to vocabulary terms and records -------------------------------------------------


class CancerTypeRefSerializer(serializers.ModelSerializer):
    api_url = ApiUrlField("api:cancertype-detail")

    class Meta:
        model = CancerType
        fields = ["slug", "name", "api_url"]


class ServiceRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = ["slug", "name", "category"]


class InterventionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Intervention
        fields = ["slug", "name", "drug_class"]


class PersonRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["name", "honorific"]


class TrialRefSerializer(serializers.ModelSerializer):
    registry_id = BlankAsNullField(help_text="Only where the portal holds a certain one.")
    url = PageUrlField()
    api_url = ApiUrlField("api:trial-detail")

    class Meta:
        model = Trial
        fields = ["slug", "name", "registry_id", "phase", "status", "url", "api_url"]


class HospitalRefSerializer(serializers.ModelSerializer):
    name = BlankAsNullField(help_text="Null where the source does not name the hospital.")
    display_name = serializers.CharField(
        read_only=True, help_text="The name, or what the source says of an unnamed hospital."
    )
    url = PageUrlField()
    api_url = ApiUrlField("api:hospital-detail")

    class Meta:
        model = Hospital
        fields = [
            "slug",
            "name",
            "display_name",
            "short_name",
            "city",
            "province",
            "country",
            "url",
            "api_url",
        ]


class DepartmentRefSerializer(serializers.ModelSerializer):
    url = PageUrlField()
    api_url = ApiUrlField("api:department-detail")

    class Meta:
        model = Department
        fields = ["slug", "name", "url", "api_url"]


REFERENCES = {
    CancerType: CancerTypeRefSerializer,
    Service: ServiceRefSerializer,
    Intervention: InterventionRefSerializer,
    Person: PersonRefSerializer,
    Trial: TrialRefSerializer,
}

# --- a department's facts, one serializer per section (declared once in sections.py) -----------

_NOT_SHOWN = {"id", "department", "sort_order", "source", "excerpt"}
_QUANTITY_FIELDS = {"qualifier", "value", "value_max", "unit", "wording", "period"}


def _fact_serializer(section):
    """A serializer for one section's rows: its own fields, references to vocabulary terms,
    the quantity object where the row is a figure, and source and excerpt."""
    model = section.model
    is_quantity = issubclass(model, Quantity)
    attrs, names = {}, []
    for field in model._meta.get_fields():
        if not (field.concrete or field.many_to_many) or field.name in _NOT_SHOWN:
            continue
        if is_chinese_version(model, field.name):
            continue  # the open data is English; Chinese versions are for the Chinese pages
        if is_quantity and field.name in _QUANTITY_FIELDS:
            continue
        if field.is_relation:
            reference = REFERENCES[field.related_model]
            if field.many_to_many:
                attrs[field.name] = reference(many=True, read_only=True)
            else:
                attrs[field.name] = reference(read_only=True, allow_null=field.null)
        names.append(field.name)
    if is_quantity:
        attrs["quantity"] = QuantityField()
        names.append("quantity")
    names += ["source", "excerpt"]
    meta = type("Meta", (), {"model": model, "fields": names})
    name = f"{model.__name__}Fact"
    return type(name, (SourcedMixin, serializers.ModelSerializer), {**attrs, "Meta": meta})


class SectionRowsSerializer(serializers.ListSerializer):
    """A section's rows as the department page shows them (and no more than it shows)."""

    def __init__(self, *args, section, **kwargs):
        self.section = section
        super().__init__(*args, **kwargs)

    def get_attribute(self, instance):
        rows = self.section.shown_rows(instance)
        return rows[: self.section.limit] if self.section.limit is not None else rows


def _facts_serializer():
    attrs = {}
    for section in model_sections():
        attrs[section.key] = SectionRowsSerializer(
            child=_fact_serializer(section)(),
            section=section,
            read_only=True,
            help_text=f"“{section.title}”{f' ({section.heading})' if section.heading else ''}"
            + (
                f": the first {section.limit}; the rest through `trials_url`."
                if section.limit
                else "."
            ),
        )
    return type("DepartmentFacts", (serializers.Serializer,), attrs)


DepartmentFactsSerializer = _facts_serializer()
FACT_SERIALIZERS = {
    section.key: DepartmentFactsSerializer._declared_fields[section.key].child.__class__
    for section in model_sections()
}


class LeaderSerializer(SourcedMixin, serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["name", "honorific", "role", "bio", "source", "excerpt"]


class DepartmentSerializer(SourcedMixin, serializers.ModelSerializer):
    hospital = HospitalRefSerializer(read_only=True)
    leader = LeaderSerializer(read_only=True, allow_null=True)
    facts = DepartmentFactsSerializer(source="*", read_only=True)
    url = PageUrlField()
    api_url = ApiUrlField("api:department-detail")
    trials_url = serializers.SerializerMethodField(
        help_text="Every named trial of the department, in this API."
    )
    is_stale = serializers.BooleanField(
        read_only=True, help_text="Not verified by the department for 12 months."
    )

    class Meta:
        model = Department
        fields = [
            "slug",
            "name",
            "kind",
            "hospital",
            "founded_date",
            "summary",
            "description",
            "mission",
            "goals",
            "leader",
            "phone",
            "email",
            "address",
            "website",
            "source_last_updated",
            "source_last_updated_text",
            "last_verified",
            "is_stale",
            "updated_at",
            "source",
            "excerpt",
            "facts",
            "url",
            "api_url",
            "trials_url",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_trials_url(self, department):
        return absolute(self, f"{reverse('api:trial-list')}?department={department.slug}")


class HospitalSerializer(SourcedMixin, serializers.ModelSerializer):
    name = BlankAsNullField(help_text="Null where the source does not name the hospital.")
    display_name = serializers.CharField(
        read_only=True, help_text="The name, or what the source says of an unnamed hospital."
    )
    url = PageUrlField()
    api_url = ApiUrlField("api:hospital-detail")
    departments_url = serializers.SerializerMethodField(
        help_text="The hospital's departments, in this API."
    )
    department_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Hospital
        fields = [
            "slug",
            "name",
            "display_name",
            "short_name",
            "name_zh",
            "city",
            "province",
            "country",
            "founded_year",
            "beds",
            "nursing_units",
            "tumour_departments",
            "tier",
            "website",
            "description",
            "location_source",
            "department_count",
            "source",
            "excerpt",
            "url",
            "api_url",
            "departments_url",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_departments_url(self, hospital):
        return absolute(self, f"{reverse('api:department-list')}?hospital={hospital.slug}")


class AliasSerializer(serializers.Serializer):
    text = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True)


class CancerTypeSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="The broader type's slug."
    )
    children = serializers.ListField(
        child=serializers.SlugField(),
        source="child_slugs",
        read_only=True,
        help_text="Slugs of the narrower types.",
    )
    aliases = AliasSerializer(many=True, read_only=True)
    icd10 = BlankAsNullField(help_text="ICD-10 codes, only where certain.")
    url = PageUrlField()
    api_url = ApiUrlField("api:cancertype-detail")
    departments_url = serializers.SerializerMethodField(
        help_text="Departments treating this type or a narrower one, in this API."
    )
    trials_url = serializers.SerializerMethodField(
        help_text="Trials for this type or a narrower one, in this API."
    )

    class Meta:
        model = CancerType
        fields = [
            "slug",
            "name",
            "name_zh",
            "parent",
            "children",
            "icd10",
            "description",
            "aliases",
            "url",
            "api_url",
            "departments_url",
            "trials_url",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_departments_url(self, cancer_type):
        return absolute(self, f"{reverse('api:department-list')}?cancer_type={cancer_type.slug}")

    @extend_schema_field(OpenApiTypes.URI)
    def get_trials_url(self, cancer_type):
        return absolute(self, f"{reverse('api:trial-list')}?cancer_type={cancer_type.slug}")


class ServiceSerializer(serializers.ModelSerializer):
    aliases = AliasSerializer(many=True, read_only=True)
    departments_url = serializers.SerializerMethodField(
        help_text="Departments offering it, in this API."
    )

    class Meta:
        model = Service
        fields = ["slug", "name", "name_zh", "category", "description", "aliases"]
        fields += ["departments_url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_departments_url(self, service):
        return absolute(self, f"{reverse('api:department-list')}?service={service.slug}")


class TrialSiteSerializer(SourcedMixin, serializers.ModelSerializer):
    department = DepartmentRefSerializer(read_only=True)
    hospital = HospitalRefSerializer(source="department.hospital", read_only=True)

    class Meta:
        model = TrialSite
        fields = ["department", "hospital", "role", "source", "excerpt"]


class TrialSerializer(SourcedMixin, serializers.ModelSerializer):
    registry_id = BlankAsNullField(help_text="Only where the portal holds a certain one.")
    registry_url = BlankAsNullField()
    registry_source = BlankAsNullField(help_text="Who verified the registry facts.")
    cancer_types = CancerTypeRefSerializer(many=True, read_only=True)
    interventions = InterventionRefSerializer(many=True, read_only=True)
    sites = TrialSiteSerializer(many=True, read_only=True)
    url = PageUrlField()
    api_url = ApiUrlField("api:trial-detail")

    class Meta:
        model = Trial
        fields = [
            "slug",
            "name",
            "title",
            "source_wording",
            "registry_id",
            "registry_url",
            "registry_source",
            "phase",
            "status",
            "scope",
            "multicentre",
            "sponsor_type",
            "sponsor",
            "condition",
            "intervention_summary",
            "description",
            "cancer_types",
            "interventions",
            "sites",
            "source",
            "excerpt",
            "url",
            "api_url",
        ]
