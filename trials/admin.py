"""Trials admin: trials and interventions for curators; trial sites and trial activity are
department-owned rows that department editors edit for their own departments.

Their inlines reach the department's change page through the sections registered in
`TrialsConfig.ready()`, and their import/export resources through `ChildAdmin`.
"""

import re

from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html

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


class FirstRowsFormSet(BaseInlineFormSet):
    """An inline formset over a department's first rows only (rows not shown stay as they are:
    the formset saves and deletes only the rows it holds)."""

    max_shown = 50

    def get_queryset(self):
        if not hasattr(self, "_first_rows"):
            queryset = super().get_queryset()
            first = list(queryset.values_list("pk", flat=True)[: self.max_shown])
            self._first_rows = queryset.filter(pk__in=first)
        self._queryset = self._first_rows
        return self._first_rows


class DepartmentTrialSiteInline(ChildInline):
    """The trials a department takes part in, on the department's page: the first 50 (a large
    trial centre takes part in hundreds; the rest are edited in the trial-site list)."""

    model = models.TrialSite
    formset = FirstRowsFormSet
    autocomplete_fields = ["trial", "source"]
    fields = ["trial", "role", "sort_order", "source", "excerpt"]

    def get_formset(self, request, obj=None, **kwargs):
        total = obj.trial_sites.count() if obj is not None and obj.pk else 0
        if total > FirstRowsFormSet.max_shown:
            url = reverse("admin:trials_trialsite_changelist")
            self.verbose_name_plural = format_html(
                'named trials: the first {} of {} (<a href="{}?department__id__exact={}">all '
                "in the trial-site list</a>)",
                FirstRowsFormSet.max_shown,
                total,
                url,
                obj.pk,
            )
        return super().get_formset(request, obj, **kwargs)


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


class InterventionAliasInline(admin.TabularInline):
    """Brand, generic and Chinese names and class members, each with its source (search)."""

    model = models.InterventionAlias
    fields = ["text", "kind", "source", "excerpt"]
    autocomplete_fields = ["source"]
    extra = 0


@admin.register(models.Intervention)
class InterventionAdmin(AutocompleteForEditorsMixin, TrackedAdmin):
    list_display = ["name", "drug_class"]
    search_fields = ["name", "drug_class"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["source"]
    inlines = [InterventionAliasInline]


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
