"""The directory's FilterSet (/departments/): departments filtered by what they treat and offer,
where they are, and whether they run trials — the last is why it lives in the site layer."""

import django_filters
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import QueryDict
from django_filters.widgets import BooleanWidget

from departments.filters import (
    _CONTROL,
    CHOOSE_FROM_LIST,
    DirectoryOrderingFilter,
    SlugModelChoiceFilter,
    primary_focus_first,
    shorten,
)
from departments.models import CancerType, Department, DepartmentCancerType, Hospital, Service
from departments.search import resolve_cancer_type
from departments.tree import CancerTypeTree


class RunsTrialsWidget(BooleanWidget):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [
            ("", "Any"),
            ("true", "Yes: runs named trials or states trial activity"),
            ("false", "No trial activity stated"),
        ]


def directory_queryset():
    """Departments as the directory lists them: hospital, cancer types and trial counts."""
    return (
        Department.objects.with_hospital()
        .annotate(
            named_trial_count=Count("trial_sites", distinct=True),
            trial_activity_count=Count("trial_activities", distinct=True),
        )
        .prefetch_related(
            Prefetch(
                "cancer_type_links",
                queryset=DepartmentCancerType.objects.select_related("cancer_type").order_by(
                    primary_focus_first(), "sort_order", "pk"
                ),
            )
        )
        .order_by("name", "pk")
    )


class DepartmentFilter(django_filters.FilterSet):
    cancer_type = django_filters.ChoiceFilter(
        label="Cancer type",
        empty_label="Any cancer type",
        method="filter_cancer_type",
        help_text="Includes narrower types: “Digestive system cancers” finds stomach cancer.",
    )
    hospital = SlugModelChoiceFilter(
        label="Hospital",
        field_name="hospital",
        to_field_name="slug",
        queryset=Hospital.objects.all(),
        empty_label="Any hospital",
    )
    province = django_filters.ChoiceFilter(
        label="Province", field_name="hospital__province", empty_label="Any province"
    )
    city = django_filters.ChoiceFilter(
        label="City", field_name="hospital__city", empty_label="Any city"
    )
    kind = django_filters.ChoiceFilter(
        label="Kind of department",
        field_name="kind",
        choices=Department.Kind.choices,
        empty_label="Any kind",
    )
    service = SlugModelChoiceFilter(
        label="Therapy or service",
        field_name="service_links__service",
        to_field_name="slug",
        queryset=Service.objects.all(),
        empty_label="Any therapy or service",
        distinct=True,
    )
    designation = django_filters.CharFilter(
        label="Designation contains",
        field_name="designations__name",
        lookup_expr="icontains",
        distinct=True,
        max_length=100,
        help_text="e.g. “National Key Clinical Specialty”.",
    )
    runs_trials = django_filters.BooleanFilter(
        label="Runs clinical trials", method="filter_runs_trials", widget=RunsTrialsWidget
    )
    ordering = DirectoryOrderingFilter(
        label="Sort by",
        empty_label="Name (A–Z)",
        fields=(("name", "name"), ("hospital__name", "hospital"), ("founded_date", "founded")),
        field_labels={
            "name": "Name (A–Z)",
            "-name": "Name (Z–A)",
            "hospital__name": "Hospital (A–Z)",
            "-hospital__name": "Hospital (Z–A)",
            "founded_date": "Founded (oldest first)",
            "-founded_date": "Founded (newest first)",
        },
    )

    # What an invalid value of each parameter is called in messages ("No cancer type 'x'").
    NOUNS = {
        "cancer_type": "cancer type",
        "hospital": "hospital",
        "province": "province",
        "city": "city",
        "kind": "department kind",
        "service": "therapy or service",
        "ordering": "sort order",
    }

    class Meta:
        model = Department
        fields = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if data is not None:
            # Control characters (NUL from "%00") are never valid here; keep them off the page.
            data = data.copy()
            for key, values in list(data.lists()):
                data.setlist(key, [_CONTROL.sub("\ufffd", value) for value in values])
        super().__init__(data, queryset, request=request, prefix=prefix)
        for name in self.NOUNS:
            # The page names the bad value itself (see problems()), shortened and escaped.
            self.filters[name].extra["error_messages"] = {"invalid_choice": CHOOSE_FROM_LIST}
        self.tree = CancerTypeTree.load(CancerType.objects.only("pk", "parent", "name", "slug"))
        self.filters["cancer_type"].extra["choices"] = self.tree.choices()
        self.understood_cancer_type = self._resolve_cancer_type_words()
        provinces, cities = set(), set()
        for province, city in Hospital.objects.values_list("province", "city").distinct():
            provinces.add(province)
            cities.add(city)
        self.filters["province"].extra["choices"] = [(p, p) for p in sorted(provinces) if p]
        self.filters["city"].extra["choices"] = [(c, c) for c in sorted(cities) if c]

    def _resolve_cancer_type_words(self):
        """Accept what a referrer types ("HCC", "bile duct", 肝癌, a typo) as well as a slug.

        The search page's resolver turns the words into a vocabulary term; the filter then
        uses that term's slug. Returns (typed text, CancerType node) when it did so.
        """
        if not self.is_bound:
            return None
        raw = self.data.get("cancer_type", "")
        if not raw or self.tree.get(raw) is not None:
            return None
        term = resolve_cancer_type(raw).cancer_type
        node = self.tree.get(term.slug) if term is not None else None
        if node is None:
            return None
        self.data = self.data.copy()
        self.data["cancer_type"] = node.slug
        return {"typed": shorten(raw), "cancer_type": node}

    def filter_cancer_type(self, queryset, name, value):
        """The type and every narrower type ("digestive" finds stomach-cancer departments).

        Departments whose stated focus is among them come first (unless a sort is chosen).
        """
        node = self.tree.get(value)
        if node is None:
            return queryset.none()
        ids = self.tree.subtree_ids(node)
        focus = DepartmentCancerType.objects.filter(
            department=OuterRef("pk"),
            cancer_type__in=ids,
            relation=DepartmentCancerType.Relation.PRIMARY_FOCUS,
        )
        return (
            queryset.treating(ids)
            .annotate(focus_match=Exists(focus))
            .order_by("-focus_match", "name", "pk")
        )

    def filter_runs_trials(self, queryset, name, value):
        has_trials = Q(trial_sites__isnull=False) | Q(trial_activities__isnull=False)
        if value:
            return queryset.filter(has_trials).distinct()
        return queryset.filter(trial_sites__isnull=True, trial_activities__isnull=True)

    # --- what the page says about the filters -------------------------------------------

    @property
    def broader_cancer_type(self):
        """The next broader type of the selected one, to suggest when nothing matches."""
        selected = self.selected_cancer_type
        ancestors = self.tree.ancestors(selected) if selected else []
        return ancestors[0] if ancestors else None

    @property
    def selected_cancer_type(self):
        """The valid cancer type being filtered on, or None."""
        if not self.is_bound or "cancer_type" in self.form.errors:
            return None
        return self.tree.get(self.form.cleaned_data.get("cancer_type") or "")

    def _without(self, name):
        query = QueryDict(mutable=True)
        for key, values in (self.data or {}).lists():
            if key not in (name, "page"):
                query.setlist(key, values)
        return query

    def _value_label(self, name, value):
        if name == "cancer_type":
            node = self.tree.get(value)
            return node.name if node else value
        if name in ("hospital", "service"):
            return str(value)
        if name == "runs_trials":
            return "runs trials" if value else "no trial activity stated"
        if name == "ordering":
            labels = dict(self.filters["ordering"].extra["choices"])
            return ", ".join(str(labels.get(v, v)) for v in value)
        if name == "kind":
            return Department.Kind(value).label
        return value

    def active_filters(self):
        """Valid, non-empty filters: label, value and the query string that removes it."""
        if not self.is_bound:
            return []
        form = self.form
        if not hasattr(form, "cleaned_data"):
            form.is_valid()
        result = []
        for name, field in form.fields.items():
            if name in form.errors or name == "ordering":
                continue
            value = form.cleaned_data.get(name)
            if value in (None, "", []):
                continue
            result.append(
                {
                    "name": name,
                    "label": field.label,
                    "value": self._value_label(name, value),
                    "remove_query": self._without(name),
                }
            )
        return result

    def problems(self):
        """One clear message per invalid parameter, with the query string that drops it."""
        if not self.is_bound or self.form.is_valid():
            return []
        result = []
        for name, errors in self.form.errors.as_data().items():
            field = self.form.fields.get(name)
            raw = shorten(self.data.get(name, ""))
            codes = {error.code for error in errors}
            if "invalid_choice" in codes and name in self.NOUNS:
                message = f"No {self.NOUNS[name]} “{raw}”."
            else:
                label = field.label if field else name
                details = " ".join(str(message) for error in errors for message in error)
                message = f"{label}: {details}"
            result.append(
                {
                    "name": name,
                    "message": message,
                    "raw": raw,
                    "remove_query": self._without(name),
                }
            )
        return result
