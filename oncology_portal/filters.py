"""The directory's FilterSet (/departments/): departments filtered by what they treat and offer,
where they are, and whether they run trials — the last is why it lives in the site layer."""

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget

from departments.counts import count_by
from departments.filters import (
    _CONTROL,
    CHOOSE_FROM_LIST,
    FilterNoticesMixin,
    RecordFilter,
    SlugModelChoiceFilter,
    StableOrderingFilter,
    primary_focus_first,
    shorten,
)
from departments.models import (
    CancerType,
    Department,
    DepartmentCancerType,
    Designation,
    Hospital,
    Service,
)
from departments.search import resolve_cancer_type
from departments.search.places import find_places, known_places
from departments.tree import CancerTypeTree
from trials.models import TrialActivity, TrialSite


class RunsTrialsWidget(BooleanWidget):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [
            ("", _("Any")),
            ("true", _("Yes: runs named trials or states trial activity")),
            ("false", _("No trial activity stated")),
        ]


def attach_trial_counts(departments):
    """Set `named_trial_count` and `trial_activity_count` on one page of departments.

    Two grouped queries over the page's ids, so the cost does not grow with the directory.
    """
    departments = list(departments)
    ids = [department.pk for department in departments]
    named = count_by(TrialSite.objects.filter(department__in=ids), "department")
    activities = count_by(TrialActivity.objects.filter(department__in=ids), "department")
    for department in departments:
        department.named_trial_count = named.get(department.pk, 0)
        department.trial_activity_count = activities.get(department.pk, 0)
    return departments


def directory_queryset():
    """Departments as the directory lists them: hospital and cancer types (see also
    attach_trial_counts for the page shown)."""
    return (
        Department.objects.with_hospital()
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


def validate_place(value):
    """A place or hospital the directory knows; else a message naming the places it has."""
    if value and not find_places(value).found:
        raise ValidationError(
            _("No hospital in the directory is in or named “%(place)s”. Places: %(places)s."),
            params={"place": shorten(value), "places": ", ".join(known_places()) or "—"},
            code="unknown_place",
        )


def validate_city(value):
    """A city some hospital gives (any letter case); else "No city “x”." (see NOUNS)."""
    if value and not Hospital.objects.filter(city__iexact=value).exists():
        raise ValidationError(CHOOSE_FROM_LIST, code="invalid_choice")


class DepartmentFilter(FilterNoticesMixin, django_filters.FilterSet):
    cancer_type = django_filters.ChoiceFilter(
        label=_("Cancer type"),
        empty_label=_("Any cancer type"),
        method="filter_cancer_type",
        help_text=_("Includes narrower types: “Digestive system cancers” finds stomach cancer."),
    )
    hospital = RecordFilter(
        label=_("Hospital"),
        field_name="hospital",
        queryset=Hospital.objects.all(),
        name_fields=("name", "short_name", "name_zh"),
        help_text=_("Its name, short name (FAHZU) or Chinese name."),
    )
    place = django_filters.CharFilter(
        label=_("Place or hospital"),
        method="filter_place",
        max_length=100,
        validators=[validate_place],
        help_text=_(
            "A city, province or hospital, in English or Chinese: “Hangzhou”, “吉林”, “FAHZU”. "
            "Read as the search box reads it."
        ),
    )
    province = django_filters.ChoiceFilter(
        label=_("Province"), field_name="hospital__province", empty_label=_("Any province")
    )
    # Hundreds of cities at national scale: typed, not a <select> of every one.
    city = django_filters.CharFilter(
        label=_("City"),
        field_name="hospital__city",
        lookup_expr="iexact",
        max_length=100,
        validators=[validate_city],
        help_text=_("As the hospital gives it: “Hangzhou”."),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind of department"),
        field_name="kind",
        choices=Department.Kind.choices,
        empty_label=_("Any kind"),
    )
    service = SlugModelChoiceFilter(
        label=_("Therapy or service"),
        method="filter_service",
        to_field_name="slug",
        queryset=Service.objects.all(),
        empty_label=_("Any therapy or service"),
    )
    designation = django_filters.CharFilter(
        label=_("Designation contains"),
        method="filter_designation",
        max_length=100,
        help_text=_("e.g. “National Key Clinical Specialty”."),
    )
    runs_trials = django_filters.BooleanFilter(
        label=_("Runs clinical trials"), method="filter_runs_trials", widget=RunsTrialsWidget
    )
    ordering = StableOrderingFilter(
        label=_("Sort by"),
        empty_label=_("Name (A–Z)"),
        fields=(("name", "name"), ("hospital__name", "hospital"), ("founded_date", "founded")),
        field_labels={
            "name": _("Name (A–Z)"),
            "-name": _("Name (Z–A)"),
            "hospital__name": _("Hospital (A–Z)"),
            "-hospital__name": _("Hospital (Z–A)"),
            "founded_date": _("Founded (oldest first)"),
            "-founded_date": _("Founded (newest first)"),
        },
    )

    #: Set by the cancer-type filter: the condition "states its focus among the types", whose
    #: rows the directory lists first (None: no such order).
    focus_first = None

    # What an invalid value of each parameter is called in messages ("No cancer type 'x'").
    NOUNS = {
        "cancer_type": _("cancer type"),
        "hospital": _("hospital"),
        "province": _("province"),
        "city": _("city"),
        "kind": _("department kind"),
        "service": _("therapy or service"),
        "ordering": _("sort order"),
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
        self.tree = CancerTypeTree.load(
            CancerType.objects.only("pk", "parent", "name", "slug", "name_zh")
        )
        self.filters["cancer_type"].extra["choices"] = self.tree.choices()
        self.understood_cancer_type = self._resolve_cancer_type_words()
        provinces = Hospital.objects.order_by("province").values_list("province", flat=True)
        self.filters["province"].extra["choices"] = [(p, p) for p in provinces.distinct() if p]

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
        self.focus_first = Exists(
            DepartmentCancerType.objects.filter(
                department=OuterRef("pk"),
                cancer_type__in=ids,
                relation=DepartmentCancerType.Relation.PRIMARY_FOCUS,
            )
        )
        # The directory reads this order as two index-ordered parts (FirstThenRest).
        return (
            queryset.treating(ids)
            .annotate(focus_match=self.focus_first)
            .order_by("-focus_match", "name", "pk")
        )

    def filter_service(self, queryset, name, value):
        return queryset.offering([value])

    def filter_place(self, queryset, name, value):
        """The departments of the hospitals named, or in the places named (never one whose
        hospital states no location)."""
        places = find_places(value)
        if not places.found:
            return queryset.none()
        return queryset.filter(hospital_id__in=places.hospital_ids)

    def filter_designation(self, queryset, name, value):
        designations = Designation.objects.filter(department=OuterRef("pk"), name__icontains=value)
        return queryset.filter(Exists(designations))

    def filter_runs_trials(self, queryset, name, value):
        has_trials = Q(Exists(TrialSite.objects.filter(department=OuterRef("pk")))) | Q(
            Exists(TrialActivity.objects.filter(department=OuterRef("pk")))
        )
        return queryset.filter(has_trials if value else ~has_trials)

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

    def value_label(self, name, value):
        if name == "runs_trials":
            return _("runs trials") if value else _("no trial activity stated")
        return super().value_label(name, value)
