"""Health URLs (namespace ``health``): outside i18n_patterns, language-neutral, never cached."""

from django.urls import path

from . import health

app_name = "health"

urlpatterns = [
    path("live/", health.live, name="live"),
    path("ready/", health.ready, name="ready"),
]
