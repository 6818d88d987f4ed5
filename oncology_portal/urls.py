"""The URL map. Each line names where a page's code lives:

- ``portal:``      oncology_portal/views.py — home, search, the directory, a hospital's
                   departments, a cancer type's departments and trials
- ``departments:`` departments/views.py — a department, the hospital list, the cancer-type
                   tree, a source document
- ``trials:``      trials/views.py — the trial list and one trial
"""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

urlpatterns = [
    path("admin/", admin.site.urls),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
    path("", include("oncology_portal.site_urls")),
    path("", include("departments.urls")),
    path("trials/", include("trials.urls")),
]
