"""The API's filters: the pages' own FilterSets, plus `modified_after`, without page sorting.

`departments` filters with the directory's DepartmentFilter (oncology_portal/filters.py: the
cancer type resolved from words as the page does, expanded through the tree; hospital, city,
province, kind, service, designation, runs_trials), `trials` with the trial list's
TrialFilterSet. The API pages by slug (pagination.py), so the pages' sort parameters are left
out. An invalid value is a 400 naming the parameter and the value (the pages' own messages).
"""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from rest_framework.exceptions import ValidationError

from departments.filters import shorten
from departments.models import Hospital
from departments.sections import model_sections
from oncology_portal.filters import DepartmentFilter
from trials.filters import TrialFilterSet
from trials.models import Trial, TrialSite

MODIFIED_AFTER_HELP = (
    "An ISO 8601 date or date-time, e.g. 2026-01-31 or 2026-01-31T08:00:00Z (without a zone: "
    "the portal's time zone)."
)

# What to do about a bad value, added to the page's message.
HINTS = {
    "cancer_type": "Use a slug from /api/v1/cancer-types/ or words such as “HCC”.",
    "service": "Use a slug from /api/v1/services/.",
    "hospital": "Use a hospital's slug from /api/v1/hospitals/ or its name.",
    "department": "Use a department's slug from /api/v1/departments/ or its name.",
    "modified_after": MODIFIED_AFTER_HELP,
}


class ModifiedAfterField(forms.Field):
    """A date (midnight, local time) or a date-time; naive values are in TIME_ZONE."""

    default_error_messages = {"invalid": f"Not a date or date-time. {MODIFIED_AFTER_HELP}"}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        value = str(value).strip()
        try:
            moment = parse_datetime(value)
            if moment is None:
                day = parse_date(value)
                if day is None:
                    raise ValueError(value)
                moment = datetime.datetime.combine(day, datetime.time.min)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment


class ModifiedAfterFilter(django_filters.Filter):
    field_class = ModifiedAfterField


def _changed_departments(moment):
    """Departments whose own record, any of their facts or their hospital changed after
    `moment` (admin edits, imports and loads are recorded by django-simple-history)."""
    condition = Q(updated_at__gt=moment) | Q(
        hospital__in=Hospital.history.filter(history_date__gt=moment).values("id")
    )
    for section in model_sections():
        history = section.model.history.filter(history_date__gt=moment, department__isnull=False)
        condition |= Q(pk__in=history.values("department_id"))
    return condition


class ApiFilterMixin:
    """Drops the page's sort parameter; adds `modified_after`."""

    sort_parameter = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.sort_parameter:
            self.filters.pop(self.sort_parameter, None)


class ApiDepartmentFilter(ApiFilterMixin, DepartmentFilter):
    sort_parameter = "ordering"
    modified_after = ModifiedAfterFilter(
        label="Modified after", method="filter_modified_after", help_text=MODIFIED_AFTER_HELP
    )

    def is_valid(self):
        """The page reads anything but true/false as "any"; the API says it is wrong."""
        valid = super().is_valid()
        if self.data.get("runs_trials", "").lower() not in ("", "true", "false"):
            self.form.add_error("runs_trials", "Use true or false.")
            return False
        return valid

    def filter_modified_after(self, queryset, name, value):
        return queryset.filter(_changed_departments(value))


class ApiTrialFilter(ApiFilterMixin, TrialFilterSet):
    sort_parameter = "order"
    modified_after = ModifiedAfterFilter(
        label="Modified after", method="filter_modified_after", help_text=MODIFIED_AFTER_HELP
    )

    def filter_modified_after(self, queryset, name, value):
        changed = Q(pk__in=Trial.history.filter(history_date__gt=value).values("id")) | Q(
            pk__in=TrialSite.history.filter(history_date__gt=value).values("trial_id")
        )
        return queryset.filter(changed)


class ApiHospitalFilter(django_filters.FilterSet):
    city = django_filters.CharFilter(field_name="city", lookup_expr="iexact", max_length=80)
    province = django_filters.CharFilter(field_name="province", lookup_expr="iexact", max_length=80)
    modified_after = ModifiedAfterFilter(
        label="Modified after", method="filter_modified_after", help_text=MODIFIED_AFTER_HELP
    )

    class Meta:
        model = Hospital
        fields = []

    def filter_modified_after(self, queryset, name, value):
        return queryset.filter(pk__in=Hospital.history.filter(history_date__gt=value).values("id"))


def _messages(filterset):
    """{parameter: [message]}: the page's own wording where it has one, with a hint."""
    problems = getattr(filterset, "problems", None)
    result = {}
    if problems is not None:
        for problem in problems():
            result[problem["name"]] = [problem["message"]]
    for name, errors in filterset.form.errors.items():
        if name not in result:
            raw = shorten(filterset.data.get(name, ""))
            result[name] = [f"{name}: {' '.join(errors)} (given: “{raw}”)"]
    for name, messages in result.items():
        if name in HINTS and HINTS[name] not in messages[-1]:
            messages[-1] = f"{messages[-1]} {HINTS[name]}"
    return result


class PortalFilterBackend:
    """Filters a list view with its `filterset_class`; an invalid parameter is a 400.

    The OpenAPI parameters are declared on each view (views.py), not guessed from the
    FilterSet, whose choices come from the database.
    """

    def get_filterset(self, request, queryset, view):
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is None:
            return None
        filterset = filterset_class(request.query_params, queryset, request=request)
        view.filterset = filterset
        return filterset

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise ValidationError(_messages(filterset))
        return filterset.qs

    def get_schema_operation_parameters(self, view):
        return []
