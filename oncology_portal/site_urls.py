"""The site layer's pages (namespace ``portal``): they show departments and trials together."""

from django.urls import path

from . import compare, views

app_name = "portal"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("departments/", views.DepartmentListView.as_view(), name="department-list"),
    path("compare/", compare.CompareView.as_view(), name="compare"),
    path("hospitals/<slug:slug>/", views.HospitalDetailView.as_view(), name="hospital-detail"),
    path(
        "cancer-types/<slug:slug>/", views.CancerTypeDetailView.as_view(), name="cancertype-detail"
    ),
]
