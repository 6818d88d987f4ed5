"""The site layer's pages: those that show departments and trials together.

Home, search, the directory (it filters on trial activity), a hospital's departments and a
cancer type's departments and trials. Each app's own pages live in its views.py.
"""

from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView, TemplateView
from django_filters.views import FilterView

from departments.counts import departments_covering_each_type, largest_hospitals
from departments.listing import FilteredListMixin, FirstThenRest, ForgivingPaginationMixin
from departments.models import (
    CancerType,
    CancerTypeAlias,
    DepartmentCancerType,
    Hospital,
)
from departments.tree import CancerTypeTree, best_departments_by_reach
from departments.views import first_departments
from trials.models import Trial

from .filters import DepartmentFilter, attach_trial_counts, directory_queryset
from .models import DepartmentRank, TrialRank
from .ranking import NARROWER
from .search import search

HOME_HOSPITALS = 12


def _tree_nodes():
    """The cancer types' fields a tree page shows: names in both languages."""
    return CancerType.objects.only("pk", "parent", "name", "slug", "name_zh")
# A cancer type's page shows this many departments per reach (direct, broader, narrower) and
# this many trials, each with a link to the full filtered list.
CANCER_TYPE_DEPARTMENTS = 10
CANCER_TYPE_TRIALS = 20


class HomeView(TemplateView):
    """Search box, browse by cancer-type group, hospitals and departments at a glance."""

    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tree = CancerTypeTree.load(_tree_nodes())
        counts = departments_covering_each_type(tree)
        for node in tree.nodes:
            node.department_count = counts.get(node.pk, 0)
        hospitals = list(
            Hospital.objects.filter(pk__in=largest_hospitals(HOME_HOSPITALS))
            .annotate(department_count=Count("departments"))
            .order_by("-department_count", "name", "slug")
            .prefetch_related(first_departments())
        )
        context.update(
            groups=tree.roots,
            hospitals=hospitals,
        )
        return context


class SearchView(TemplateView):
    """`/search/?q=…`: departments (ranked, each with its reason) and trials for a query."""

    template_name = "portal/search.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        results = search(self.request.GET.get("q", ""), page=self.request.GET.get("page"))
        context.update(
            results=results,
            resolution=results.resolution,
            query=results.query,
            page_obj=results.page_obj,
            nav="search",
        )
        return context


class DepartmentListView(FilteredListMixin, FilterView):
    """/departments/ — the directory, filtered by django-filter (see filters.py)."""

    filterset_class = DepartmentFilter
    template_name = "portal/department_list.html"
    context_object_name = "departments"
    paginate_by = 20

    def get_queryset(self):
        return directory_queryset()

    def ids_to_page(self, queryset):
        """Filtered by a cancer type (and no sort chosen): the departments stating their focus
        among its types first, then the others, each by name, as two index-ordered parts."""
        filterset = self.filterset
        ordering = filterset.form.cleaned_data.get("ordering") if filterset.is_valid() else None
        if filterset.focus_first is None or ordering:
            return super().ids_to_page(queryset)
        return FirstThenRest(queryset, filterset.focus_first, ("name", "pk"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset
        departments = attach_trial_counts(context["object_list"])
        context.update(
            departments=departments,
            object_list=departments,
            nav="departments",
            selected_cancer_type=filterset.selected_cancer_type,
            understood_cancer_type=filterset.understood_cancer_type,
            broader_type=filterset.broader_cancer_type,
            # Closed unless something needs fixing: on a phone the results come first.
            filters_open=bool(filterset.is_bound and filterset.form.errors),
        )
        return context


class HospitalDetailView(ForgivingPaginationMixin, ListView):
    """/hospitals/<slug>/ — the hospital's facts and its departments, a page at a time."""

    template_name = "portal/hospital_detail.html"
    context_object_name = "departments"
    paginate_by = 20

    def get_queryset(self):
        self.hospital = get_object_or_404(
            Hospital.objects.select_related("source"), slug=self.kwargs["slug"]
        )
        return directory_queryset().filter(hospital=self.hospital)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        departments = attach_trial_counts(context["object_list"])
        context.update(hospital=self.hospital, departments=departments, object_list=departments)
        return context


class CancerTypeDetailView(DetailView):
    """/cancer-types/<slug>/ — names, codes, aliases, departments treating it, its trials."""

    template_name = "portal/cancertype_detail.html"
    context_object_name = "cancer_type"

    def get_queryset(self):
        return CancerType.objects.prefetch_related(
            Prefetch("aliases", queryset=CancerTypeAlias.objects.order_by("kind", "text"))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tree = CancerTypeTree.load(_tree_nodes())
        node = tree.by_id[self.object.pk]
        broader = tree.ancestors(node)
        related = tree.subtree_ids(node) | {n.pk for n in broader}
        shown = best_departments_by_reach(node, tree, limit=CANCER_TYPE_DEPARTMENTS)
        links = (
            DepartmentCancerType.objects.filter(
                department__in=[pk for reach in shown for pk in reach.department_ids],
                cancer_type__in=related,
            )
            .select_related("department__hospital", "source")
            .order_by("department__name", "department__pk", "sort_order", "pk")
        )
        sections = tree.group_department_links(node, links)
        for section, reach in zip(sections, shown, strict=True):
            section["more"] = reach.more
        trials = Trial.objects.for_cancer_types(related)
        shown_trials = list(
            trials.prefetch_related("cancer_types").order_by("name", "pk")[:CANCER_TYPE_TRIALS]
        )
        for trial in shown_trials:
            trial.matched_types = [t for t in trial.cancer_types.all() if t.pk in related]
        context.update(
            broader=list(reversed(broader)),
            narrower_children=node.tree_children,
            sections=sections,
            # From the search index: the same sets (departments listing a type of the branch,
            # trials for one), counted over one type's index entries instead of every link.
            department_count=DepartmentRank.objects.filter(
                cancer_type=node.pk, band__lte=NARROWER
            ).count(),
            trials=shown_trials,
            trial_count=TrialRank.objects.filter(cancer_type=node.pk).count(),
        )
        return context
