from django.contrib import admin

from . import models


class ChildInline(admin.TabularInline):
    extra = 0
    show_change_link = True
    classes = ["collapse"]


class CancerTypeLinkInline(ChildInline):
    model = models.DepartmentCancerType
    autocomplete_fields = ["cancer_type"]
    fields = ["cancer_type", "relation", "wording", "sort_order", "source", "excerpt"]


class ServiceLinkInline(ChildInline):
    model = models.DepartmentService
    autocomplete_fields = ["service"]
    fields = ["service", "wording", "detail", "sort_order", "source", "excerpt"]


QUANTITY_FIELDS = ["qualifier", "value", "value_max", "unit", "wording", "period"]


class StaffCountInline(ChildInline):
    model = models.StaffCount
    fields = ["role", *QUANTITY_FIELDS, "sort_order", "source", "excerpt"]


class DesignationInline(ChildInline):
    model = models.Designation
    fields = ["name", "level", "awarded_by", "year", "sort_order", "source", "excerpt"]


class ResearchDirectionInline(ChildInline):
    model = models.ResearchDirection
    fields = ["name", "kind", "sort_order", "source", "excerpt"]


class ProgrammeInline(ChildInline):
    model = models.Programme
    fields = ["name", "description", "started_year", "sort_order", "source", "excerpt"]


class EducationInline(ChildInline):
    model = models.EducationActivity
    fields = ["name", "kind", "description", *QUANTITY_FIELDS, "sort_order", "source", "excerpt"]


class AwardInline(ChildInline):
    model = models.Award
    fields = ["name", "level", "year", *QUANTITY_FIELDS, "sort_order", "source", "excerpt"]


class StatisticInline(ChildInline):
    model = models.AnnualStatistic
    fields = ["metric", *QUANTITY_FIELDS, "sort_order", "source", "excerpt"]


class FundingInline(ChildInline):
    model = models.FundingAward
    fields = ["funder", "programme", "level", *QUANTITY_FIELDS, "sort_order", "source", "excerpt"]


class OutputInline(ChildInline):
    model = models.ResearchOutput
    fields = [
        "kind", "role", "title", "publisher", "person", *QUANTITY_FIELDS,
        "sort_order", "source", "excerpt",
    ]


class PersonInline(ChildInline):
    model = models.Person
    fields = ["name", "honorific", "role", "bio", "source", "excerpt"]


@admin.register(models.Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "hospital", "kind", "founded_date", "phone", "last_verified", "updated_at"]
    list_filter = ["kind", "hospital", "hospital__province"]
    search_fields = ["name", "slug", "summary", "hospital__name", "hospital__short_name"]
    list_select_related = ["hospital"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["hospital"]
    raw_id_fields = ["leader"]
    readonly_fields = ["updated_at"]
    fieldsets = [
        (None, {"fields": ["hospital", "name", "slug", "kind", "founded_date", "leader"]}),
        ("About", {"fields": ["summary", "description", "mission", "goals"]}),
        ("Contact", {"fields": ["phone", "email", "address", "website"]}),
        (
            "Source and currency",
            {
                "fields": [
                    "source", "excerpt", "source_last_updated", "source_last_updated_text",
                    "last_verified", "updated_at",
                ]
            },
        ),
    ]
    inlines = [
        CancerTypeLinkInline, ServiceLinkInline, PersonInline, StaffCountInline,
        DesignationInline, StatisticInline, ResearchDirectionInline, ProgrammeInline,
        EducationInline, AwardInline, FundingInline, OutputInline,
    ]


@admin.register(models.Hospital)
class HospitalAdmin(admin.ModelAdmin):
    list_display = ["display_name", "short_name", "city", "province", "founded_year", "beds"]
    list_filter = ["province", "city"]
    search_fields = ["name", "short_name", "name_zh", "city", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class CancerTypeAliasInline(admin.TabularInline):
    model = models.CancerTypeAlias
    extra = 0
    fields = ["text", "kind"]


@admin.register(models.CancerType)
class CancerTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "name_zh", "parent", "icd10", "sort_order"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "name_zh", "slug", "icd10", "aliases__text"]
    list_select_related = ["parent"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    inlines = [CancerTypeAliasInline]


@admin.register(models.CancerTypeAlias)
class CancerTypeAliasAdmin(admin.ModelAdmin):
    list_display = ["text", "kind", "cancer_type", "normalised"]
    list_filter = ["kind"]
    search_fields = ["text", "normalised", "cancer_type__name"]
    list_select_related = ["cancer_type"]
    autocomplete_fields = ["cancer_type"]


class ServiceAliasInline(admin.TabularInline):
    model = models.ServiceAlias
    extra = 0
    fields = ["text", "kind"]


@admin.register(models.Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "name_zh", "category"]
    list_filter = ["category"]
    search_fields = ["name", "name_zh", "slug", "aliases__text"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ServiceAliasInline]


@admin.register(models.Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "file_name", "last_updated_text"]
    list_filter = ["kind"]
    search_fields = ["title", "file_name", "slug"]


@admin.register(models.Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["__str__", "role", "department"]
    search_fields = ["name", "role"]
    list_select_related = ["department"]
    autocomplete_fields = ["department"]
