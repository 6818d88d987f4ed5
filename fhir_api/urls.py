"""FHIR R4 endpoints (namespace ``fhir``): /fhir/metadata, /fhir/<type>, /fhir/<type>/<id>.

FHIR URLs have no trailing slash; one is tolerated. Anything else under /fhir/ answers 404
with an OperationOutcome, never the site's HTML page.
"""

from django.urls import path, re_path

from . import views

app_name = "fhir"

urlpatterns = [
    re_path(r"^metadata/?$", views.metadata, name="metadata"),
    re_path(r"^(?P<resource_type>[A-Za-z]{1,64})/?$", views.search, name="search"),
    re_path(
        r"^(?P<resource_type>[A-Za-z]{1,64})/(?P<resource_id>[^/]{1,200})/?$",
        views.read,
        name="read",
    ),
    path("", views.not_found, name="base"),
    re_path(r"^.*$", views.not_found),
]
