"""Public trial pages: the filterable list and one trial."""

from django.db.models import Prefetch
from django.views.generic import DetailView
from django_filters.views import FilterView

from departments.listing import FilteredListMixin

from .filters import TrialFilterSet
from .models import Intervention, Trial, TrialSite


def _sites():
    return TrialSite.objects.select_related("department__hospital", "source").order_by(
        "sort_order", "department__name", "pk"
    )


class TrialListView(FilteredListMixin, FilterView):
    """/trials/ — trials filtered by cancer type, phase, status, department, drug and sponsor."""

    filterset_class = TrialFilterSet
    template_name = "trials/trial_list.html"
    context_object_name = "trials"
    paginate_by = 20
    page_notice_names_page = False

    def get_queryset(self):
        return Trial.objects.order_by("name", "pk").prefetch_related(
            "cancer_types", Prefetch("sites", queryset=_sites())
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            nav="trials",
            filters_open=bool(context["active_filters"] or context["problems"]),
            filter_summary=", ".join(item["value"] for item in context["active_filters"]),
        )
        return context


class TrialDetailView(DetailView):
    """/trials/<slug>/ — everything the sources state about one trial."""

    template_name = "trials/trial_detail.html"
    context_object_name = "trial"

    def get_queryset(self):
        return Trial.objects.select_related("source").prefetch_related(
            "cancer_types",
            Prefetch("interventions", queryset=Intervention.objects.select_related("source")),
            Prefetch("sites", queryset=_sites()),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        trial = self.object
        kind = f"a {trial.get_phase_display().lower()} trial" if trial.phase else "a clinical trial"
        description = f"{trial.name}"
        if trial.registry_id:
            description += f" ({trial.registry_id})"
        description += f": {kind}"
        if trial.condition:
            description += f" in {trial.condition}"
        description += "."
        sites = list(trial.sites.all())
        if sites:
            description += " Taking part: " + "; ".join(
                f"{site.department.name}, {site.department.hospital.display_name}" for site in sites
            )
            description += "."
        context.update(
            nav="trials",
            sites=sites,
            show_source_wording=bool(trial.source_wording and trial.source_wording != trial.name),
            meta_description=description,
        )
        return context
