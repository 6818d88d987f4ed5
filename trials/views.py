"""Public trial pages: the filterable list and one trial."""

from django.db.models import Prefetch
from django.views.generic import DetailView
from django_filters.views import FilterView

from .filters import TrialFilterSet
from .models import Intervention, Trial, TrialSite


def _sites():
    return TrialSite.objects.select_related("department__hospital", "source").order_by(
        "sort_order", "department__name", "pk"
    )


class TrialListView(FilterView):
    """/trials/ — trials filtered by cancer type, phase, status, department, drug and sponsor."""

    filterset_class = TrialFilterSet
    template_name = "trials/trial_list.html"
    context_object_name = "trials"
    paginate_by = 20

    def get_queryset(self):
        return Trial.objects.order_by("name", "pk").prefetch_related(
            "cancer_types", Prefetch("sites", queryset=_sites())
        )

    def paginate_queryset(self, queryset, page_size):
        """Like ListView's, but a bad or out-of-range page shows a real page instead of a 404."""
        paginator = self.get_paginator(queryset, page_size, allow_empty_first_page=True)
        requested = self.request.GET.get(self.page_kwarg) or "1"
        page = paginator.get_page(requested)
        self.page_adjusted = requested != str(page.number)
        return paginator, page, page.object_list, page.has_other_pages()

    def _remove_url(self, *keys):
        params = self.request.GET.copy()
        for key in (*keys, self.page_kwarg):
            params.pop(key, None)
        query = params.urlencode()
        return f"{self.request.path}?{query}" if query else self.request.path

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset
        active = filterset.active_filters()
        for item in active:
            item["remove_url"] = self._remove_url(item["key"])
        known = [item for item in active if item["value"] is not None]
        errors = filterset.form.errors if filterset.is_bound else {}
        problems = [
            {
                "label": item["label"],
                "message": " ".join(errors[item["key"]]),
                "remove_url": item["remove_url"],
            }
            for item in active
            if item["key"] in errors
        ]
        context.update(
            nav="trials",
            active_filters=active,
            problems=problems,
            filters_open=bool(active),
            clear_url=self._remove_url(*TrialFilterSet.FILTER_KEYS),
            filter_summary=", ".join(item["value"] for item in known),
            page_adjusted=getattr(self, "page_adjusted", False),
            result_count=context["paginator"].count if context.get("paginator") else 0,
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
