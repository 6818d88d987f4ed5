"""Public trial pages: the filterable list and one trial."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.views.generic import DetailView
from django_filters.views import FilterView

from departments.listing import FilteredListMixin
from departments.localise import local_name

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


def _meta_description(trial, sites):
    """One sentence for search engines: the trial, its registry number, phase, condition and
    the departments taking part (names in the reader's language where the data has them)."""
    name = f"{trial.name} ({trial.registry_id})" if trial.registry_id else trial.name
    if trial.phase:
        kind = _("a %(phase)s trial") % {"phase": trial.get_phase_display().lower()}
    else:
        kind = _("a clinical trial")
    if trial.condition:
        text = _("%(name)s: %(kind)s in %(condition)s.") % {
            "name": name,
            "kind": kind,
            "condition": trial.condition,
        }
    else:
        text = _("%(name)s: %(kind)s.") % {"name": name, "kind": kind}
    if sites:
        taking_part = _("; ").join(
            f"{local_name(site.department)[0]}{_(', ')}{local_name(site.department.hospital)[0]}"
            for site in sites
        )
        text += " " + _("Taking part: %(sites)s.") % {"sites": taking_part}
    return text


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
        sites = list(trial.sites.all())
        context.update(
            nav="trials",
            sites=sites,
            show_source_wording=bool(trial.source_wording and trial.source_wording != trial.name),
            meta_description=_meta_description(trial, sites),
        )
        return context
