"""Staff editing: curators edit everything, department editors only their own departments.

Every admin here keeps history with revert (django-simple-history) and refuses lost updates
(`concurrency.ConcurrencyGuardForm`). Admins of department-owned rows apply the editor scope
(`permissions.DepartmentScopedMixin`) and export/import CSV and JSON (`resources`).
"""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.results import RowResult
from simple_history.admin import SimpleHistoryAdmin

from . import models
from .concurrency import TOKEN_FIELD, ConcurrencyGuardForm, touch_department
from .permissions import (
    AutocompleteForEditorsMixin,
    DepartmentScopedMixin,
    ScopedInlineMixin,
    editable_department_ids,
    grant_department_editor,
)
from .resources import CHILD_RESOURCES, DepartmentResource, PersonResource

DEPARTMENT_FILTER = ("department", admin.RelatedOnlyFieldListFilter)


# -- bases ----------------------------------------------------------------------------------------
class TrackedAdmin(SimpleHistoryAdmin):
    """History and revert on every object; change forms carry their version (no lost updates)."""

    form = ConcurrencyGuardForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (name, {**options, "fields": [f for f in options["fields"] if f != TOKEN_FIELD]})
            for name, options in super().get_fieldsets(request, obj)
        ]
        if obj is not None and not self.has_change_permission(request, obj):
            return fieldsets  # view only: nothing to guard
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], TOKEN_FIELD]}), *rest]


class ScopedAdmin(DepartmentScopedMixin, ImportExportMixin, TrackedAdmin):
    """A department or a row that belongs to one: scoped to the user's departments."""

    formats = [base_formats.CSV, base_formats.JSON]

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        # An import with any invalid row writes nothing (the default keeps the valid rows).
        kwargs.setdefault("rollback_on_validation_errors", True)
        return kwargs

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            self.message_user(
                request,
                "The import was not applied because some rows are invalid; nothing was written. "
                "Correct the file and import it again to see the rows' errors.",
                messages.ERROR,
            )
            opts = self.model._meta
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_import"))
        return super().process_result(result, request)


class ChildAdmin(ScopedAdmin):
    """A row that belongs to one department, on its own page (it is also inline on the department).

    Saving or deleting one here also notes the change on its department (a history row and a new
    `updated_at`), so an open department form cannot overwrite it and the public page's "last
    updated" date moves.
    """

    autocomplete_fields = ["department"]
    list_select_related = ["department"]

    def _touch(self, department_ids, verb, obj_label):
        for department_id in {*department_ids} - {None}:
            touch_department(department_id, reason=f"{verb} {obj_label}")

    def save_model(self, request, obj, form, change):
        previous = None
        if change:
            previous = (
                type(obj)
                ._default_manager.filter(pk=obj.pk)
                .values_list("department_id", flat=True)
                .first()
            )
        super().save_model(request, obj, form, change)
        label = f"{obj._meta.verbose_name} “{obj}”"
        self._touch([obj.department_id, previous], "Changed" if change else "Added", label)

    def delete_model(self, request, obj):
        department_id, label = obj.department_id, f"{obj._meta.verbose_name} “{obj}”"
        super().delete_model(request, obj)
        self._touch([department_id], "Deleted", label)

    def delete_queryset(self, request, queryset):
        department_ids = set(queryset.values_list("department_id", flat=True))
        super().delete_queryset(request, queryset)
        self._touch(department_ids, "Deleted", str(self.model._meta.verbose_name_plural))

    def process_result(self, result, request):
        response = super().process_result(result, request)
        if not (result.has_errors() or result.has_validation_errors()):
            written = {RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE}
            department_ids = {
                row.instance.department_id
                for row in result.rows
                if row.import_type in written and row.instance is not None
            }
            label = f"{self.model._meta.verbose_name_plural} (import)"
            self._touch(department_ids, "Imported", label)
        return response


# -- department inlines ---------------------------------------------------------------------------
class ChildInline(ScopedInlineMixin, admin.TabularInline):
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
    fields = [
        "funder",
        "programme",
        "level",
        *QUANTITY_FIELDS,
        "sort_order",
        "source",
        "excerpt",
    ]


class OutputInline(ChildInline):
    model = models.ResearchOutput
    fields = [
        "kind",
        "role",
        "title",
        "publisher",
        "person",
        *QUANTITY_FIELDS,
        "sort_order",
        "source",
        "excerpt",
    ]


class PersonInline(ChildInline):
    model = models.Person
    fields = ["name", "honorific", "role", "bio", "source", "excerpt"]


class DepartmentEditorInline(admin.TabularInline):
    """Who may edit this department (curators only: editors have no permission on grants)."""

    model = models.DepartmentEditor
    extra = 0
    fields = ["user", "created_at"]
    readonly_fields = ["created_at"]
    verbose_name = "editor"
    verbose_name_plural = "editors (staff users who keep this department current)"


# -- departments ----------------------------------------------------------------------------------
class VerificationFilter(admin.SimpleListFilter):
    title = "verification"
    parameter_name = "verification"

    def lookups(self, request, model_admin):
        return [
            ("stale", "Stale: not verified for 12 months"),
            ("current", "Verified in the last 12 months"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "stale":
            return queryset.stale()
        if self.value() == "current":
            return queryset.exclude(pk__in=models.Department.objects.stale().values("pk"))
        return queryset


@admin.register(models.Department)
class DepartmentAdmin(ScopedAdmin):
    department_lookup = "pk"
    resource_classes = [DepartmentResource]
    list_display = [
        "name",
        "hospital",
        "kind",
        "founded_date",
        "phone",
        "verification",
        "updated_at",
    ]
    list_filter = [
        VerificationFilter,
        "kind",
        ("hospital", admin.RelatedOnlyFieldListFilter),
        "hospital__province",
    ]
    search_fields = ["name", "slug", "summary", "hospital__name", "hospital__short_name"]
    list_select_related = ["hospital"]
    autocomplete_fields = ["hospital", "leader"]
    actions = ["mark_verified"]
    fieldsets = [
        (None, {"fields": ["hospital", "name", "slug", "kind", "founded_date", "leader"]}),
        ("About", {"fields": ["summary", "description", "mission", "goals"]}),
        ("Contact", {"fields": ["phone", "email", "address", "website"]}),
        (
            "Source and currency",
            {
                "fields": [
                    "source",
                    "excerpt",
                    "source_last_updated",
                    "source_last_updated_text",
                    "last_verified",
                    "verification",
                    "updated_at",
                ]
            },
        ),
    ]
    inlines = [
        CancerTypeLinkInline,
        ServiceLinkInline,
        PersonInline,
        StaffCountInline,
        DesignationInline,
        StatisticInline,
        ResearchDirectionInline,
        ProgrammeInline,
        EducationInline,
        AwardInline,
        FundingInline,
        OutputInline,
        DepartmentEditorInline,
    ]
    # Editors keep their department current; moving it or changing its public URL is curators'.
    EDITOR_READONLY = ["hospital", "slug"]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["verification", "updated_at"]
        if editable_department_ids(request) is not None:
            readonly = [*self.EDITOR_READONLY, *readonly]
        return readonly

    def get_prepopulated_fields(self, request, obj=None):
        # Not a class attribute: simple-history's revert form reads that directly, and editors
        # have no slug field to fill.
        if editable_department_ids(request) is not None:
            return {}
        return {"slug": ["name"]}

    @admin.display(description="verification", ordering="last_verified")
    def verification(self, obj):
        verified = formats.date_format(obj.last_verified) if obj.last_verified else None
        if obj.is_stale:
            since = f"last verified {verified}" if verified else "never verified"
            return format_html('<strong class="stale-flag">Stale</strong> ({})', since)
        return format_html("Verified {}", verified)

    @admin.action(description="Mark verified today", permissions=["change"])
    def mark_verified(self, request, queryset):
        today = timezone.localdate()
        count = 0
        for department in queryset:
            if not self.has_change_permission(request, department):
                continue
            department.last_verified = today
            department._change_reason = "Marked verified"
            department.save(update_fields=["last_verified", "updated_at"])
            count += 1
        self.message_user(
            request, f"Marked {count} department{'s' if count != 1 else ''} verified today."
        )

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is models.DepartmentEditor:
            # A grant made here works like `add_department_editor`: staff, editor group.
            for link in [*formset.new_objects, *(obj for obj, _ in formset.changed_objects)]:
                grant_department_editor(user=link.user, department=link.department)


@admin.register(models.DepartmentEditor)
class DepartmentEditorAdmin(TrackedAdmin):
    list_display = ["user", "department", "created_at"]
    list_filter = [DEPARTMENT_FILTER]
    search_fields = ["user__username", "user__email", "department__name", "department__slug"]
    list_select_related = ["user", "department"]
    autocomplete_fields = ["department"]
    readonly_fields = ["created_at"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        grant_department_editor(user=obj.user, department=obj.department)


# -- rows that belong to a department -------------------------------------------------------------
@admin.register(models.Person)
class PersonAdmin(ChildAdmin):
    resource_classes = [PersonResource]
    list_display = ["__str__", "role", "department"]
    list_filter = [DEPARTMENT_FILTER]
    search_fields = ["name", "role", "department__name"]


@admin.register(models.DepartmentCancerType)
class DepartmentCancerTypeAdmin(ChildAdmin):
    resource_classes = [CHILD_RESOURCES[models.DepartmentCancerType]]
    list_display = ["cancer_type", "department", "relation", "wording"]
    list_filter = ["relation", DEPARTMENT_FILTER]
    search_fields = ["cancer_type__name", "wording", "department__name"]
    list_select_related = ["department", "cancer_type"]
    autocomplete_fields = ["department", "cancer_type"]


@admin.register(models.DepartmentService)
class DepartmentServiceAdmin(ChildAdmin):
    resource_classes = [CHILD_RESOURCES[models.DepartmentService]]
    list_display = ["service", "department", "wording"]
    list_filter = ["service__category", DEPARTMENT_FILTER]
    search_fields = ["service__name", "wording", "detail", "department__name"]
    list_select_related = ["department", "service"]
    autocomplete_fields = ["department", "service"]


QUANTITY_COLUMNS = ["display_figure", "qualifier", "period"]


class QuantityColumns:
    @admin.display(description="figure")
    def display_figure(self, obj):
        return obj.display or "—"


@admin.register(models.StaffCount)
class StaffCountAdmin(QuantityColumns, ChildAdmin):
    resource_classes = [CHILD_RESOURCES[models.StaffCount]]
    list_display = ["role", "department", *QUANTITY_COLUMNS]
    list_filter = ["qualifier", DEPARTMENT_FILTER]
    search_fields = ["role", "wording", "department__name"]


@admin.register(models.Designation)
class DesignationAdmin(ChildAdmin):
    resource_classes = [CHILD_RESOURCES[models.Designation]]
    list_display = ["name", "department", "level", "awarded_by", "year"]
    list_filter = ["level", DEPARTMENT_FILTER]
    search_fields = ["name", "awarded_by", "department__name"]


@admin.register(models.ResearchDirection)
class ResearchDirectionAdmin(ChildAdmin):
    resource_classes = [CHILD_RESOURCES[models.ResearchDirection]]
    list_display = ["name", "department", "kind"]
    list_filter = ["kind", DEPARTMENT_FILTER]
    search_fields = ["name", "department__name"]


@admin.register(models.Programme)
class ProgrammeAdmin(ChildAdmin):
    resource_classes = [CHILD_RESOURCES[models.Programme]]
    list_display = ["name", "department", "started_year"]
    list_filter = [DEPARTMENT_FILTER]
    search_fields = ["name", "description", "department__name"]


@admin.register(models.EducationActivity)
class EducationActivityAdmin(QuantityColumns, ChildAdmin):
    resource_classes = [CHILD_RESOURCES[models.EducationActivity]]
    list_display = ["name", "department", "kind", *QUANTITY_COLUMNS]
    list_filter = ["kind", DEPARTMENT_FILTER]
    search_fields = ["name", "description", "wording", "department__name"]


@admin.register(models.Award)
class AwardAdmin(QuantityColumns, ChildAdmin):
    resource_classes = [CHILD_RESOURCES[models.Award]]
    list_display = ["name", "department", "level", "year", *QUANTITY_COLUMNS]
    list_filter = ["level", DEPARTMENT_FILTER]
    search_fields = ["name", "department__name"]


@admin.register(models.AnnualStatistic)
class AnnualStatisticAdmin(QuantityColumns, ChildAdmin):
    resource_classes = [CHILD_RESOURCES[models.AnnualStatistic]]
    list_display = ["metric", "department", *QUANTITY_COLUMNS]
    list_filter = ["qualifier", DEPARTMENT_FILTER]
    search_fields = ["metric", "wording", "department__name"]


@admin.register(models.FundingAward)
class FundingAwardAdmin(QuantityColumns, ChildAdmin):
    resource_classes = [CHILD_RESOURCES[models.FundingAward]]
    list_display = ["programme", "funder", "department", "level", *QUANTITY_COLUMNS]
    list_filter = ["level", DEPARTMENT_FILTER]
    search_fields = ["funder", "programme", "wording", "department__name"]


@admin.register(models.ResearchOutput)
class ResearchOutputAdmin(QuantityColumns, ChildAdmin):
    resource_classes = [CHILD_RESOURCES[models.ResearchOutput]]
    list_display = ["__str__", "department", "kind", "role", *QUANTITY_COLUMNS]
    list_filter = ["kind", "role", DEPARTMENT_FILTER]
    search_fields = ["title", "publisher", "wording", "department__name"]
    list_select_related = ["department", "person"]
    autocomplete_fields = ["department", "person"]


# -- curators only: hospitals, vocabulary, sources ------------------------------------------------
@admin.register(models.Hospital)
class HospitalAdmin(TrackedAdmin):
    list_display = ["display_name", "short_name", "city", "province", "founded_year", "beds"]
    list_filter = ["province", "city"]
    search_fields = ["name", "short_name", "name_zh", "city", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class CancerTypeAliasInline(admin.TabularInline):
    model = models.CancerTypeAlias
    extra = 0
    fields = ["text", "kind"]


@admin.register(models.CancerType)
class CancerTypeAdmin(AutocompleteForEditorsMixin, TrackedAdmin):
    list_display = ["name", "name_zh", "parent", "icd10", "sort_order"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "name_zh", "slug", "icd10", "aliases__text"]
    list_select_related = ["parent"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    inlines = [CancerTypeAliasInline]


@admin.register(models.CancerTypeAlias)
class CancerTypeAliasAdmin(TrackedAdmin):
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
class ServiceAdmin(AutocompleteForEditorsMixin, TrackedAdmin):
    list_display = ["name", "name_zh", "category"]
    list_filter = ["category"]
    search_fields = ["name", "name_zh", "slug", "aliases__text"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ServiceAliasInline]


@admin.register(models.ServiceAlias)
class ServiceAliasAdmin(TrackedAdmin):
    list_display = ["text", "kind", "service", "normalised"]
    list_filter = ["kind", "service__category"]
    search_fields = ["text", "normalised", "service__name"]
    list_select_related = ["service"]
    autocomplete_fields = ["service"]


@admin.register(models.Source)
class SourceAdmin(TrackedAdmin):
    list_display = ["title", "kind", "file_name", "last_updated_text"]
    list_filter = ["kind"]
    search_fields = ["title", "file_name", "slug"]
