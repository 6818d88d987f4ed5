from django.urls import path

from . import views

app_name = "trials"

urlpatterns = [
    path("", views.TrialListView.as_view(), name="trial-list"),
    path("<slug:slug>/", views.TrialDetailView.as_view(), name="trial-detail"),
]
