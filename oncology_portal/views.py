"""The site layer's pages: those that show departments and trials together.

Home, search, the directory (it filters on trial activity), a hospital's departments and a
cancer type's departments and trials. Each app's own pages live in its views.py.
"""

from django.db.models import Count, Prefetch
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView

from departments.models import (
    CancerType,
    CancerTypeAlias,
    Department,
    DepartmentCancerType,
    Hospital,
)
from departments.tree import CancerTypeTree
from departments.views import DEPARTMENTS_PER_HOSPITAL, ForgivingPaginationMixin
from trials.models import Trial

from .filters import DepartmentFilter, directory_queryset
from .search import search

HOME_HOSPITALS = 12


class HomeView(TemplateView):
    """Search box, browse by cancer-type group, hospitals and departments at a glance."""

    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tree = CancerTypeTree.load(CancerType.objects.only("pk", "parent", "name", "slug"))
        counts = tree.subtree_counts(
            DepartmentCancerType.objects.values_list("department_id", "cancer_type_id")
        )
        for node in tree.nodes:
            node.department_count = counts.get(node.pk, 0)
        hospitals = list(
            Hospital.objects.annotate(department_count=Count("departments"))
            .filter(department_count__gt=0)
            .order_by("-department_count", "name", "slug")
            .prefetch_related(
                Prefetch(
                    "departments",
                    queryset=Department.objects.order_by("name")[:DEPARTMENTS_PER_HOSPITAL],
                    to_attr="first_departments",
                )
            )[:HOME_HOSPITALS]
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


class DepartmentListView(ForgivingPaginationMixin, FilterView):
    """/departments/ — the directory, filtered by django-filter (see filters.py)."""

    filterset_class = DepartmentFilter
    template_name = "portal/department_list.html"
    context_object_name = "departments"
    paginate_by = 20

    def get_queryset(self):
        return directory_queryset()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset
        context.update(
            nav="departments",
            active_filters=filterset.active_filters(),
            problems=filterset.problems(),
            selected_cancer_type=filterset.selected_cancer_type,
            understood_cancer_type=filterset.understood_cancer_type,
            broader_type=filterset.broader_cancer_type,
            result_count=context["paginator"].count,
            # Closed unless something needs fixing: on a phone the results come first.
            filters_open=bool(filterset.is_bound and filterset.form.errors),
        )
        return context


class HospitalDetailView(DetailView):
    """/hospitals/<slug>/ — the hospital's facts and its departments."""

    template_name = "portal/hospital_detail.html"
    context_object_name = "hospital"

    def get_queryset(self):
        return Hospital.objects.select_related("source").prefetch_related(
            Prefetch(
                "departments",
                queryset=directory_queryset(),
                to_attr="department_list",
            )
        )


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
        cancer_type = self.object
        tree = CancerTypeTree.load(CancerType.objects.only("pk", "parent", "name", "slug"))
        node = tree.by_id[cancer_type.pk]
        broader = tree.ancestors(node)
        narrower = tree.descendants(node)
        related = {n.pk for n in (node, *broader, *narrower)}
        links = (
            DepartmentCancerType.objects.filter(cancer_type__in=related)
            .select_related("department__hospital", "source")
            .order_by("department__name", "department__pk", "sort_order", "pk")
        )
        sections = tree.group_department_links(node, links)
        trials = list(
            Trial.objects.filter(cancer_types__in=related)
            .distinct()
            .prefetch_related("cancer_types")
            .order_by("name")
        )
        for trial in trials:
            trial.matched_types = [t for t in trial.cancer_types.all() if t.pk in related]
        context.update(
            broader=list(reversed(broader)),
            narrower_children=node.tree_children,
            sections=sections,
            department_count=sum(len(section["entries"]) for section in sections),
            trials=trials,
        )
        return context
