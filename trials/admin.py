from django.contrib import admin

from departments.admin import ChildInline, DepartmentAdmin
from departments.models import Department

from . import models


class TrialSiteInline(admin.TabularInline):
    model = models.TrialSite
    extra = 0
    autocomplete_fields = ["department", "trial"]
    fields = ["trial", "department", "role", "sort_order", "source", "excerpt"]


class TrialActivityInline(ChildInline):
    model = models.TrialActivity
    autocomplete_fields = ["cancer_types", "interventions"]
    fields = [
        "label", "qualifier", "value", "value_max", "wording", "period", "phases", "scope",
        "multicentre", "sponsor_type", "role", "cancer_types", "interventions",
        "sort_order", "source", "excerpt",
    ]


@admin.register(models.Trial)
class TrialAdmin(admin.ModelAdmin):
    list_display = ["name", "registry_id", "phase", "status", "sponsor_type", "scope"]
    list_filter = ["phase", "status", "sponsor_type", "scope"]
    search_fields = ["name", "source_wording", "registry_id", "title", "sponsor"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["cancer_types", "interventions"]
    inlines = [TrialSiteInline]


@admin.register(models.Intervention)
class InterventionAdmin(admin.ModelAdmin):
    list_display = ["name", "drug_class"]
    search_fields = ["name", "drug_class"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(models.TrialActivity)
class TrialActivityAdmin(admin.ModelAdmin):
    list_display = ["__str__", "department", "qualifier", "value", "period"]
    list_filter = ["qualifier", "scope", "sponsor_type"]
    search_fields = ["label", "wording", "department__name"]
    list_select_related = ["department"]
    autocomplete_fields = ["department", "cancer_types", "interventions"]


class DepartmentWithTrialsAdmin(DepartmentAdmin):
    """The department admin, with the trial rows it owns (trials depends on departments)."""

    inlines = [*DepartmentAdmin.inlines, TrialSiteInline, TrialActivityInline]


admin.site.unregister(Department)
admin.site.register(Department, DepartmentWithTrialsAdmin)
