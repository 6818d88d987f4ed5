"""Public pages of the directory: home, departments, hospitals, cancer types and sources.

Views stay thin: filtering lives in filters.py, the vocabulary tree in tree.py, and every page
loads its related rows up front (select_related / prefetch_related) so the number of queries
does not grow with the data.
"""

from django.db.models import Count, Prefetch
from django.views.generic import DetailView, ListView, TemplateView

from .filters import primary_focus_first, shorten
from .models import (
    AnnualStatistic,
    Award,
    CancerType,
    Department,
    DepartmentCancerType,
    DepartmentService,
    Designation,
    EducationActivity,
    FundingAward,
    Hospital,
    Person,
    Programme,
    ResearchDirection,
    ResearchOutput,
    Source,
    StaffCount,
)
from .tree import CancerTypeTree

SECTION_TITLES = {
    "contact": "Contact",
    "cancers": "Cancers treated",
    "services": "Therapies and services",
    "trials": "Clinical trials",
    "team": "Team",
    "designations": "Designations",
    "statistics": "Annual statistics",
    "research": "Research directions",
    "funding": "Research funding",
    "outputs": "Publications and other outputs",
    "programmes": "Programmes",
    "education": "Education and training",
    "awards": "Awards",
    "about": "About the department",
}
DEPARTMENTS_PER_HOSPITAL = 6


def _related_model(model, name):
    """The model behind a reverse relation (e.g. Department.trial_sites), without importing it.

    The trials app depends on this one, never the other way round.
    """
    return model._meta.get_field(name).related_model


def _sourced(model, *related):
    """Child rows with their source (the excerpt include names the source's title)."""
    return model.objects.select_related("source", *related)


class ForgivingPaginationMixin:
    """A bad page number (`page=abc`, `page=99999`) shows a real page and says so, never a 404."""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size, allow_empty_first_page=True)
        requested = self.request.GET.get(self.page_kwarg, "")
        page = paginator.get_page(requested)
        self.page_notice = ""
        if requested and requested != str(page.number):
            shown = f"page {page.number} of {paginator.num_pages}"
            try:
                number = int(requested)
            except ValueError:
                self.page_notice = (
                    f"“{shorten(requested, 40)}” is not a page number: showing {shown}."
                )
            else:
                self.page_notice = f"There is no page {number}: showing {shown}."
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_notice"] = getattr(self, "page_notice", "")
        return context


class DepartmentDetailView(DetailView):
    """/departments/<slug>/ — everything the department's source states, each fact sourced."""

    template_name = "departments/department_detail.html"
    context_object_name = "department"

    def get_queryset(self):
        trial_site = _related_model(Department, "trial_sites")
        trial_activity = _related_model(Department, "trial_activities")
        return Department.objects.select_related(
            "hospital", "source", "leader", "leader__source"
        ).prefetch_related(
            Prefetch(
                "cancer_type_links",
                queryset=_sourced(DepartmentCancerType, "cancer_type").order_by(
                    primary_focus_first(), "sort_order", "pk"
                ),
            ),
            Prefetch("service_links", queryset=_sourced(DepartmentService, "service")),
            Prefetch("people", queryset=_sourced(Person)),
            Prefetch("staffcounts", queryset=_sourced(StaffCount)),
            Prefetch("designations", queryset=_sourced(Designation)),
            Prefetch("researchdirections", queryset=_sourced(ResearchDirection)),
            Prefetch("programmes", queryset=_sourced(Programme)),
            Prefetch("education_activities", queryset=_sourced(EducationActivity)),
            Prefetch("awards", queryset=_sourced(Award)),
            Prefetch("annualstatistics", queryset=_sourced(AnnualStatistic)),
            Prefetch("fundingawards", queryset=_sourced(FundingAward)),
            Prefetch("researchoutputs", queryset=_sourced(ResearchOutput, "person")),
            Prefetch("trial_sites", queryset=_sourced(trial_site, "trial")),
            Prefetch(
                "trial_activities",
                queryset=_sourced(trial_activity).prefetch_related("cancer_types", "interventions"),
            ),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        department = self.object
        rows = [
            department,
            department.leader,
            *department.cancer_type_links.all(),
            *department.service_links.all(),
            *department.people.all(),
            *department.staffcounts.all(),
            *department.designations.all(),
            *department.researchdirections.all(),
            *department.programmes.all(),
            *department.education_activities.all(),
            *department.awards.all(),
            *department.annualstatistics.all(),
            *department.fundingawards.all(),
            *department.researchoutputs.all(),
            *department.trial_sites.all(),
            *department.trial_activities.all(),
        ]
        sources = {}
        for row in rows:
            source = getattr(row, "source", None)
            if source is not None:
                sources.setdefault(source.pk, source)
        staff = [p for p in department.people.all() if p.pk != department.leader_id]
        present = {
            "contact": department.phone
            or department.email
            or department.address
            or department.website,
            "cancers": department.cancer_type_links.all(),
            "services": department.service_links.all(),
            "trials": department.trial_sites.all() or department.trial_activities.all(),
            "team": department.leader or staff or department.staffcounts.all(),
            "designations": department.designations.all(),
            "statistics": department.annualstatistics.all(),
            "research": department.researchdirections.all(),
            "funding": department.fundingawards.all(),
            "outputs": department.researchoutputs.all(),
            "programmes": department.programmes.all(),
            "education": department.education_activities.all(),
            "awards": department.awards.all(),
            "about": department.description or department.mission or department.goals,
        }
        context.update(
            on_this_page=[(key, SECTION_TITLES[key]) for key, value in present.items() if value],
            staff=staff,
            sources=sorted(sources.values(), key=lambda s: (s.pk != department.source_id, s.title)),
        )
        return context


class HospitalListView(ForgivingPaginationMixin, ListView):
    """/hospitals/ — every hospital with its departments."""

    template_name = "departments/hospital_list.html"
    context_object_name = "hospitals"
    paginate_by = 20

    def get_queryset(self):
        return (
            Hospital.objects.annotate(department_count=Count("departments"))
            .order_by("name", "slug")
            .prefetch_related(
                Prefetch(
                    "departments",
                    queryset=Department.objects.order_by("name")[:DEPARTMENTS_PER_HOSPITAL],
                    to_attr="first_departments",
                )
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["nav"] = "hospitals"
        return context


class CancerTypeListView(TemplateView):
    """/cancer-types/ — the vocabulary as a nested tree, from one query."""

    template_name = "departments/cancertype_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tree = CancerTypeTree.load(
            CancerType.objects.annotate(
                department_count=Count("department_links__department", distinct=True)
            )
        )
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
