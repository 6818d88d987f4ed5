"""Project conventions that hold for every model and every page-level asset."""

import re
from collections import Counter

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


CONSTRAINT_NAME = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)+")


def constraint_name_problem(model, name):
    """Why `name` does not name a constraint of `model` after the model and its purpose, or None.

    `{model}_{purpose}` (the model's name may be split at words, `department_cancertype_…`),
    or `{app}_{model}_{purpose}` as `%(app_label)s_%(class)s_…` gives in an abstract base.
    """
    if not CONSTRAINT_NAME.fullmatch(name):
        return f"{name!r} is not lower_snake_case"
    words = name.removeprefix(f"{model._meta.app_label}_").split("_")
    for i in range(1, len(words)):
        if "".join(words[:i]) == model._meta.model_name:
            return None  # words[i:] name the purpose
    return f"{name!r} does not start with {model._meta.model_name!r} and then name a purpose"


@pytest.mark.parametrize("model", portal_models(), ids=lambda m: m.__name__)
def test_every_constraint_is_named_after_its_model_and_purpose(model):
    problems = [
        constraint_name_problem(model, constraint.name) for constraint in model._meta.constraints
    ]
    assert not [p for p in problems if p], f"{model.__name__}: {problems}"


def test_constraint_names_are_unique_across_the_project():
    """The database needs them unique; a copied Meta (or a base without %(class)s) repeats one."""
    names = [c.name for m in portal_models() for c in m._meta.constraints]
    assert names, "no constraints found"
    assert not [n for n, count in Counter(names).items() if count > 1]


@pytest.mark.parametrize(
    ("model_name", "name"),
    [
        ("Hospital", "slug_unique"),  # not after its model
        ("Hospital", "hospital"),  # no purpose
        ("Hospital", "department_slug_unique"),  # another model's name
        ("Hospital", "Hospital_slug_unique"),  # not lower case
        ("Hospital", "%(class)s_slug_unique"),  # an uninterpolated template
        ("StaffCount", "trials_staffcount_quantity_coherent"),  # another app's prefix
    ],
)
def test_the_constraint_name_check_refuses_bad_names(model_name, name):
    model = apps.get_model("departments", model_name)
    assert constraint_name_problem(model, name)


def test_robots_txt_keeps_crawlers_out_of_search_and_does_not_advertise_admin(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Disallow: /search/" in body
    assert "admin" not in body.lower()
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
