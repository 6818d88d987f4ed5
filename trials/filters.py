"""The trials app's FilterSet: the filters on /trials/.

Every filter takes a slug or a choice value and validates it against choices built from one
query per vocabulary (the department, from 50,000, and the drug, from hundreds, are typed and
resolved by RecordField), so an
unknown or malformed value is a form error (shown on the page) and never reaches the database.
"""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from departments.filters import FilterNoticesMixin, RecordFilter, StableOrderingFilter
from departments.models import CancerType, Department
from departments.tree import CancerTypeTree

from .models import Intervention, Trial, TrialSite


class TrialFilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def full_clean(self):
        """The page never repeats a value it could not use, not even in a text box."""
        super().full_clean()
        if self.is_bound and self._errors:
            self.data = self.data.copy()
            for name in self._errors:
                if name in self.fields:
                    self.data[name] = ""


def _department_label(department):
    hospital = department.hospital
    return f"{department.name} — {hospital.short_name or hospital.display_name}"


def _invalid(what):
    def message():
        text = gettext("We don't know that %(what)s. Choose one from the list.")
        return text % {"what": what}

    return {"invalid_choice": lazy(message, str)()}


class TrialFilterSet(FilterNoticesMixin, django_filters.FilterSet):
    KEPT_ON_CLEAR = ("order",)

    cancer_type = django_filters.ChoiceFilter(
        label=_("Cancer type"),
        method="filter_cancer_type",
        empty_label=_("Any cancer type"),
        error_messages=_invalid(_("cancer type")),
        help_text=_("Includes narrower types: liver cancer includes HCC."),
    )
    phase = django_filters.ChoiceFilter(
        label=_("Phase"),
        field_name="phase",
        lookup_expr="exact",
        choices=Trial.Phase.choices,
        empty_label=_("Any phase"),
        error_messages=_invalid(_("phase")),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        field_name="status",
        lookup_expr="exact",
        choices=Trial.Status.choices,
        empty_label=_("Any status"),
        error_messages=_invalid(_("status")),
    )
    department = RecordFilter(
        label=_("Department"),
        method="filter_department",
        queryset=Department.objects.with_hospital(),
        describe=_department_label,
        error_messages=_invalid(_("department")),
        help_text=_("Its name, or part of it."),
    )
    intervention = RecordFilter(
        label=_("Drug studied"),
        method="filter_intervention",
        # Hundreds of drugs at national scale: typed (slug, name, brand or Chinese name).
        queryset=Intervention.objects.order_by("name").distinct(),
        name_fields=("name", "aliases__text"),
        error_messages=_invalid(_("drug")),
        help_text=_("Its name, brand or Chinese name: “pertuzumab”, “Keytruda”, “贝伐珠单抗”."),
    )
    sponsor_type = django_filters.ChoiceFilter(
        label=_("Sponsor"),
        field_name="sponsor_type",
        lookup_expr="exact",
        choices=Trial.SponsorType.choices,
        empty_label=_("Any sponsor"),
        error_messages=_invalid(_("sponsor type")),
    )
    order = StableOrderingFilter(
        label=_("Sort by"),
        fields=(("name", "name"), ("phase", "phase")),
        choices=(
            ("name", _("Name (A–Z)")),
            ("-name", _("Name (Z–A)")),
            ("phase", _("Phase (earliest first)")),
            ("-phase", _("Phase (latest first)")),
        ),
        empty_label=None,
        error_messages=_invalid(_("sort order")),
    )

    class Meta:
        model = Trial
        form = TrialFilterForm
        fields = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cancer_type_tree = CancerTypeTree.load(
            CancerType.objects.only("pk", "parent", "name", "slug", "name_zh")
        )
        self.filters["cancer_type"].extra["choices"] = self.cancer_type_tree.choices()

    def filter_cancer_type(self, queryset, name, value):
        return queryset.for_cancer_types(
            self.cancer_type_tree.subtree_ids(self.cancer_type_tree.get(value))
        )

    def filter_department(self, queryset, name, value):
        sites = TrialSite.objects.filter(trial=OuterRef("pk"), department=value)
        return queryset.filter(Exists(sites))

    def filter_intervention(self, queryset, name, value):
        links = Trial.interventions.through.objects.filter(trial=OuterRef("pk"), intervention=value)
        return queryset.filter(Exists(links))


__all__ = ["TrialFilterSet"]
