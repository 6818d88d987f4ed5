"""The trials app's FilterSet: the filters on /trials/.

Every filter takes a slug or a choice value and validates it against choices built from one
query per vocabulary, so an unknown or malformed value is a form error (shown on the page)
and never reaches the database.
"""

import django_filters
from django import forms

from departments.models import CancerType, Department
from departments.tree import CancerTypeTree

from .models import Intervention, Trial, TrialSite


class TrialOrderingFilter(django_filters.OrderingFilter):
    """Whitelisted ordering with a stable tie-break, so pages never overlap."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value:
            qs = qs.order_by(*qs.query.order_by, "name", "pk")
        return qs


class TrialFilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _invalid(what):
    return {"invalid_choice": f"We don't know that {what}. Choose one from the list."}


class TrialFilterSet(django_filters.FilterSet):
    FILTER_KEYS = ("cancer_type", "phase", "status", "department", "intervention", "sponsor_type")

    cancer_type = django_filters.ChoiceFilter(
        label="Cancer type",
        method="filter_cancer_type",
        empty_label="Any cancer type",
        error_messages=_invalid("cancer type"),
        help_text="Includes narrower types: liver cancer includes HCC.",
    )
    phase = django_filters.ChoiceFilter(
        label="Phase",
        field_name="phase",
        lookup_expr="exact",
        choices=Trial.Phase.choices,
        empty_label="Any phase",
        error_messages=_invalid("phase"),
    )
    status = django_filters.ChoiceFilter(
        label="Status",
        field_name="status",
        lookup_expr="exact",
        choices=Trial.Status.choices,
        empty_label="Any status",
        error_messages=_invalid("status"),
    )
    department = django_filters.ChoiceFilter(
        label="Department",
        method="filter_department",
        empty_label="Any department",
        error_messages=_invalid("department"),
    )
    intervention = django_filters.ChoiceFilter(
        label="Drug studied",
        method="filter_intervention",
        empty_label="Any drug",
        error_messages=_invalid("drug"),
    )
    sponsor_type = django_filters.ChoiceFilter(
        label="Sponsor",
        field_name="sponsor_type",
        lookup_expr="exact",
        choices=Trial.SponsorType.choices,
        empty_label="Any sponsor",
        error_messages=_invalid("sponsor type"),
    )
    order = TrialOrderingFilter(
        label="Sort by",
        fields=(("name", "name"), ("phase", "phase")),
        choices=(
            ("name", "Name (A–Z)"),
            ("-name", "Name (Z–A)"),
            ("phase", "Phase (earliest first)"),
            ("-phase", "Phase (latest first)"),
        ),
        empty_label=None,
        error_messages=_invalid("sort order"),
    )

    class Meta:
        model = Trial
        form = TrialFilterForm
        fields = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cancer_type_tree = CancerTypeTree.load(
            CancerType.objects.only("pk", "parent", "name", "slug")
        )
        self.filters["cancer_type"].extra["choices"] = self.cancer_type_tree.choices()
        self.filters["department"].extra["choices"] = [
            (d.slug, f"{d.name} — {d.hospital.short_name or d.hospital.display_name}")
            for d in Department.objects.select_related("hospital")
            .only(
                "slug",
                "name",
                "hospital__name",
                "hospital__short_name",
                "hospital__founded_year",
            )
            .order_by("name", "hospital__name", "slug")
        ]
        self.filters["intervention"].extra["choices"] = list(
            Intervention.objects.order_by("name").values_list("slug", "name")
        )

    def filter_cancer_type(self, queryset, name, value):
        ids = self.cancer_type_tree.subtree_ids(self.cancer_type_tree.get(value))
        through = Trial.cancer_types.through.objects.filter(cancertype_id__in=ids)
        return queryset.filter(pk__in=through.values("trial_id"))

    def filter_department(self, queryset, name, value):
        sites = TrialSite.objects.filter(department__slug=value)
        return queryset.filter(pk__in=sites.values("trial_id"))

    def filter_intervention(self, queryset, name, value):
        through = Trial.interventions.through.objects.filter(intervention__slug=value)
        return queryset.filter(pk__in=through.values("trial_id"))

    def active_filters(self):
        """The filters the request sets: label, chosen value (or None if invalid), and key."""
        if not self.is_bound:
            return []
        form = self.form
        form.is_valid()
        active = []
        for key in (*self.FILTER_KEYS, "order"):
            raw = self.data.get(key)
            if not raw or (key == "order" and key not in form.errors):
                continue
            field = form.fields[key]
            value = None
            if key not in form.errors:
                chosen = form.cleaned_data.get(key)
                if key == "cancer_type":
                    value = self.cancer_type_tree.get(chosen).name
                else:
                    value = str(dict(field.choices).get(chosen, ""))
            active.append({"key": key, "label": field.label, "value": value})
        return active


__all__ = ["TrialFilterSet"]
