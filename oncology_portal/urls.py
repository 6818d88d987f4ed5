"""The URL map. Each line names where a page's code lives:

- ``portal:``      oncology_portal/views.py — home, search, the directory, a hospital's
                   departments, a cancer type's departments and trials; compare.py — the
                   comparison of up to three departments (/compare/)
- ``departments:`` departments/views.py — a department, the hospital list, the cancer-type
                   tree, a source document
- ``trials:``      trials/views.py — the trial list and one trial
- ``health:``      oncology_portal/health.py — liveness and readiness
- ``api:``         api/views.py — the read-only open-data API (/api/v1/), its schema and docs
- ``fhir:``        fhir_api/views.py — the same data as FHIR R4 (/fhir/), read-only
- ``sitemap``      oncology_portal/sitemaps.py — /sitemap.xml and its sections

The public pages are in both languages: English unprefixed (today's URLs), Simplified Chinese
under ``/zh-hans/`` (``i18n_patterns``; the middleware in oncology_portal/i18n.py). Admin,
health, robots.txt and the machine-readable URLs stay outside, unprefixed and language-neutral.
"""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.views.generic import TemplateView

from .sitemaps import section as sitemap_section
from .sitemaps import sitemaps

SITEMAPS = sitemaps()

urlpatterns = [
    # DJANGO_ADMIN_PATH, "admin/" by default; robots.txt does not name it.
    path(settings.ADMIN_PATH, admin.site.urls),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
    path("health/", include("oncology_portal.health_urls")),
    # sitemap.xml is an index of paged sections (oncology_portal/sitemaps.py).
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<slug:section>.xml",
        sitemap_section,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    # FHIR R4, read-only (fhir_api/): metadata, Organization, HealthcareService, ResearchStudy.
    path("fhir/", include("fhir_api.urls")),
    path("api/", include("api.urls")),
]

urlpatterns += i18n_patterns(
    path("", include("oncology_portal.site_urls")),
    path("", include("departments.urls")),
    path("trials/", include("trials.urls")),
    prefix_default_language=False,
)

# An uncaught database error (down, hung, locked) answers 503 with Retry-After, not 500.
handler500 = "oncology_portal.faults.server_error"
