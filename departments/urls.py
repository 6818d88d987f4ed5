from django.urls import path

from . import search_views, views

app_name = "departments"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("search/", search_views.SearchView.as_view(), name="search"),
    path("departments/", views.DepartmentListView.as_view(), name="department-list"),
    path(
        "departments/<slug:slug>/", views.DepartmentDetailView.as_view(), name="department-detail"
    ),
    path("hospitals/", views.HospitalListView.as_view(), name="hospital-list"),
    path("hospitals/<slug:slug>/", views.HospitalDetailView.as_view(), name="hospital-detail"),
    path("cancer-types/", views.CancerTypeListView.as_view(), name="cancertype-list"),
    path(
        "cancer-types/<slug:slug>/", views.CancerTypeDetailView.as_view(), name="cancertype-detail"
    ),
    path("sources/<slug:slug>/", views.SourceDetailView.as_view(), name="source-detail"),
]
