"""The open-data API (namespace ``api``): api/views.py; the schema and docs: api/docs.py.

Record URLs take any text as the slug (``path``) so that a malformed one is answered by the
API, as JSON, like an unknown one: 404 with a message."""

from django.urls import path, re_path

from . import views
from .docs import DocsView, SchemaView

app_name = "api"

urlpatterns = [
    path("v1/", views.RootView.as_view(), name="root"),
    path("v1/departments/", views.DepartmentList.as_view(), name="department-list"),
    path("v1/departments/<path:slug>/", views.DepartmentDetail.as_view(), name="department-detail"),
    path("v1/hospitals/", views.HospitalList.as_view(), name="hospital-list"),
    path("v1/hospitals/<path:slug>/", views.HospitalDetail.as_view(), name="hospital-detail"),
    path("v1/cancer-types/", views.CancerTypeList.as_view(), name="cancertype-list"),
    path(
        "v1/cancer-types/<path:slug>/", views.CancerTypeDetail.as_view(), name="cancertype-detail"
    ),
    path("v1/services/", views.ServiceList.as_view(), name="service-list"),
    path("v1/trials/", views.TrialList.as_view(), name="trial-list"),
    path("v1/trials/<path:slug>/", views.TrialDetail.as_view(), name="trial-detail"),
    path("v1/search/", views.SearchView.as_view(), name="search"),
    path("v1/schema/", SchemaView.as_view(), name="schema"),
    path("v1/docs/", DocsView.as_view(), name="docs"),
    # Anything else under /api/ is a JSON 404, never the site's HTML page.
    re_path(r"^.*$", views.NotFoundView.as_view(), name="not-found"),
]
