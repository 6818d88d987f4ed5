from django.views.generic import TemplateView

from .models import Hospital


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["hospitals"] = Hospital.objects.prefetch_related("departments")
        return context
