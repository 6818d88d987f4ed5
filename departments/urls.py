from django.urls import path

from . import views

app_name = "departments"

urlpatterns = [
    path(
        "departments/<slug:slug>/", views.DepartmentDetailView.as_view(), name="department-detail"
    ),
    path("hospitals/", views.HospitalListView.as_view(), name="hospital-list"),
    path("cancer-types/", views.CancerTypeListView.as_view(), name="cancertype-list"),
    path("sources/<slug:slug>/", views.SourceDetailView.as_view(), name="source-detail"),
]
