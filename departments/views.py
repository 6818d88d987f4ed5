"""Public pages of the directory: home, departments, hospitals, cancer types and sources.

Views stay thin: filtering lives in filters.py, the vocabulary tree in tree.py, and every page
loads its related rows up front (select_related / prefetch_related) so the number of queries
does not grow with the data.
"""

from django.db.models import Prefetch
from django.views.generic import DetailView, ListView, TemplateView

from .counts import count_by, departments_listing_each_type
from .listing import ForgivingPaginationMixin
from .models import CancerType, Department, Hospital, Source
from .sections import model_sections, page_frames
from .tree import CancerTypeTree

DEPARTMENTS_PER_HOSPITAL = 6


def first_departments():
    """A hospital's first departments by name, as a list of links (names and slugs only: a
    department's long texts stay in the database)."""
    return Prefetch(
        "departments",
        queryset=Department.objects.only("slug", "name", "name_zh_hans", "hospital_id").order_by(
            "name"
        )[:DEPARTMENTS_PER_HOSPITAL],
        to_attr="first_departments",
    )


class DepartmentDetailView(DetailView):
    """/departments/<slug>/ — everything the department's source states, each fact sourced.

    The sections, their order, prefetching and templates come from `departments.sections`.
    """

    template_name = "departments/department_detail.html"
    context_object_name = "department"

    def get_queryset(self):
        return Department.objects.select_related(
            "hospital", "source", "leader", "leader__source"
        ).prefetch_related(*(section.prefetch() for section in model_sections()))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        department = self.object
        frames = page_frames(department)
        sources = {}
        rows = [row for frame in frames for _section, rows, _more in frame.parts for row in rows]
        for row in [department, *rows]:
            source = getattr(row, "source", None)
            if source is not None:
                sources.setdefault(source.pk, source)
        context.update(
            sections=frames,
            on_this_page=[(frame.anchor, frame.title) for frame in frames],
            sources=sorted(sources.values(), key=lambda s: (s.pk != department.source_id, s.title)),
        )
        return context


class HospitalListView(ForgivingPaginationMixin, ListView):
    """/hospitals/ — every hospital with its departments."""

    template_name = "departments/hospital_list.html"
    context_object_name = "hospitals"
    paginate_by = 20

    def get_queryset(self):
        return Hospital.objects.order_by("name", "slug").prefetch_related(first_departments())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        hospitals = list(context["object_list"])
        # Counted for the page shown only: one grouped query over at most 20 ids.
        counts = count_by(Department.objects.filter(hospital__in=hospitals), "hospital")
        for hospital in hospitals:
            hospital.department_count = counts.get(hospital.pk, 0)
        context.update(nav="hospitals", hospitals=hospitals, object_list=hospitals)
        return context


class CancerTypeListView(TemplateView):
    """/cancer-types/ — the vocabulary as a nested tree, from one query (and cached counts)."""

    template_name = "departments/cancertype_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tree = CancerTypeTree.load(CancerType.objects.all())
        counts = departments_listing_each_type()
        for node in tree.nodes:
            node.department_count = counts.get(node.pk, 0)
        context.update(nav="cancer-types", roots=tree.roots, type_count=len(tree.nodes))
        return context


class SourceDetailView(DetailView):
    """/sources/<slug>/ — a source document in full, and the records that cite it."""

    template_name = "departments/source_detail.html"
    context_object_name = "source"
    model = Source

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["departments"] = Department.objects.with_hospital().filter(source=self.object)
        return context
