"""Trials admin: trials and interventions for curators; trial sites and trial activity are
department-owned rows that department editors edit for their own departments.

Their inlines reach the department's change page through the sections registered in
`TrialsConfig.ready()`, and their import/export resources through `ChildAdmin`.
"""

import re

from django.contrib import admin

from departments.admin import (
    DEPARTMENT_FILTER,
    ChildAdmin,
    ChildInline,
    QuantityColumns,
    TrackedAdmin,
)
from departments.concurrency import ConcurrencyGuardForm
from departments.permissions import AutocompleteForEditorsMixin

from . import models


class TrialSiteInline(admin.TabularInline):
    """The departments taking part, on the trial's page (curators)."""

    model = models.TrialSite
    extra = 0
    autocomplete_fields = ["department", "source"]
    fields = ["department", "role", "sort_order", "source", "excerpt"]


class DepartmentTrialSiteInline(ChildInline):
    """The trials a department takes part in, on the department's page."""

    model = models.TrialSite
    autocomplete_fields = ["trial", "source"]
    fields = ["trial", "role", "sort_order", "source", "excerpt"]


class TrialActivityInline(ChildInline):
    model = models.TrialActivity
    autocomplete_fields = ["cancer_types", "interventions", "source"]
    fields = [
        "label",
        "qualifier",
        "value",
        "value_max",
        "wording",
        "period",
        "phases",
        "scope",
        "multicentre",
        "sponsor_type",
        "role",
        "cancer_types",
        "interventions",
        "sort_order",
        "source",
        "excerpt",
    ]


REGISTRY_ID = re.compile(r"NCT[0-9]{8}")


class TrialForm(ConcurrencyGuardForm):
    """Field-level messages for the registry-id rules the database enforces.

    (Here rather than in `Trial.clean`: the fixture loader reports these rules by their
    constraint names, which its tests expect.)
    """

    def clean(self):
        cleaned_data = super().clean()
        registry_id = cleaned_data.get("registry_id")
        if not registry_id:
            return cleaned_data
        if not REGISTRY_ID.fullmatch(registry_id):
            self.add_error(
                "registry_id",
                "A registry id is an NCT number: NCT followed by 8 digits, e.g. NCT03434379.",
            )
        elif (
            models.Trial.objects.filter(registry_id=registry_id)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("registry_id", "Another trial already has this registry id.")
        if "registry_source" in cleaned_data and not cleaned_data["registry_source"]:
            self.add_error("registry_source", "Say who verified the registry id.")
        return cleaned_data


@admin.register(models.Trial)
class TrialAdmin(AutocompleteForEditorsMixin, TrackedAdmin):
    form = TrialForm
    list_display = ["name", "registry_id", "phase", "status", "sponsor_type", "scope"]
    list_filter = ["phase", "status", "sponsor_type", "scope", "multicentre"]
    search_fields = ["name", "source_wording", "registry_id", "title", "sponsor"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["cancer_types", "interventions", "source"]
    inlines = [TrialSiteInline]


@admin.register(models.Intervention)
class InterventionAdmin(AutocompleteForEditorsMixin, TrackedAdmin):
    list_display = ["name", "drug_class"]
    search_fields = ["name", "drug_class"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["source"]


@admin.register(models.TrialSite)
class TrialSiteAdmin(ChildAdmin):
    list_display = ["trial", "department", "role"]
    list_filter = ["role", DEPARTMENT_FILTER]
    search_fields = ["trial__name", "trial__registry_id", "department__name"]
    list_select_related = ["trial", "department"]
    autocomplete_fields = ["trial", "department", "source"]
    # By trial name, then the (unique) trial and department: index scans, not a sort of every
    # site (the model's order leads with sort_order, which only orders a trial's own sites).
    ordering = ["trial__name", "trial_id", "department_id"]


@admin.register(models.TrialActivity)
class TrialActivityAdmin(QuantityColumns, ChildAdmin):
    list_display = ["label", "department", "display_figure", "qualifier", "period", "scope"]
    list_filter = ["qualifier", "scope", "sponsor_type", DEPARTMENT_FILTER]
    search_fields = ["label", "wording", "department__name"]
    autocomplete_fields = ["department", "cancer_types", "interventions", "source"]
