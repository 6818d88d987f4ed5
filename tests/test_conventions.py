"""Project conventions that hold for every model and every page-level asset."""

import pytest
from django.apps import apps
from django.db import models


def portal_models():
    return [
        m
        for m in apps.get_models()
        if m._meta.app_label in ("departments", "trials")
        and not m.__name__.startswith("Historical")
    ]


@pytest.mark.parametrize("model", portal_models(), ids=lambda m: m.__name__)
def test_every_model_has_ordering_str_and_absolute_url(model):
    assert model._meta.ordering, f"{model.__name__} has no Meta.ordering"
    assert model.__str__ is not models.Model.__str__, f"{model.__name__} has no __str__"
    assert callable(getattr(model, "get_absolute_url", None))


@pytest.mark.parametrize("model", portal_models(), ids=lambda m: m.__name__)
def test_every_constraint_is_named_after_its_model_or_purpose(model):
    for constraint in model._meta.constraints:
        assert constraint.name and "%(" not in constraint.name


def test_robots_txt_keeps_crawlers_out_of_admin_and_search(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Disallow: /admin/" in body
    assert "Disallow: /search/" in body
    assert "<html" not in body


def test_favicon_and_stylesheet_are_self_hosted(client, db):
    page = client.get("/").content.decode()
    assert 'href="/static/img/favicon.svg"' in page
    assert 'href="/static/css/portal.css"' in page
    assert "//cdn" not in page and "googleapis" not in page
    assert client.get("/static/img/favicon.svg").status_code == 200


def test_security_headers_on_public_pages(client, db):
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
