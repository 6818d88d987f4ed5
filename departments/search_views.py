"""The search page: a thin view over departments.search (resolution, ranking, reasons)."""

from django.views.generic import TemplateView

from .search import search


class SearchView(TemplateView):
    """`/search/?q=…`: departments (ranked, each with its reason) and trials for a query."""

    template_name = "departments/search.html"

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
