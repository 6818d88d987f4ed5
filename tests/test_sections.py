"""The sections registry: one declaration per department section, complete and consistent."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.template.loader import get_template

from departments.models import Department, DepartmentEditor
from departments.permissions import EDITOR_GROUP, editor_permissions
from departments.sections import model_sections, sections


def test_every_department_owned_model_is_one_section():
    owned = {
        model
        for model in apps.get_models()
        if model._meta.app_label in ("departments", "trials")
        and not model.__name__.startswith("Historical")
        and any(
            f.name == "department" and f.related_model is Department for f in model._meta.fields
        )
    }
    registered = [section.model for section in model_sections()]
    assert len(registered) == len(set(registered))
    assert set(registered) == owned - {DepartmentEditor}


def test_sections_sharing_an_anchor_are_one_frame():
    anchors = [section.anchor for section in sections()]
    frames = [a for i, a in enumerate(anchors) if i == 0 or anchors[i - 1] != a]
    assert len(frames) == len(set(frames)), f"an anchor's sections are not adjacent: {anchors}"


def test_page_anchors_and_order_are_the_public_ones():
    """The page's ids are bookmarked: a section's key may change, its anchor may not."""
    assert list(dict.fromkeys(section.anchor for section in sections())) == [
        "contact",
        "cancers",
        "services",
        "trials",
        "team",
        "designations",
        "statistics",
        "research",
        "funding",
        "outputs",
        "programmes",
        "education",
        "awards",
        "about",
    ]


@pytest.mark.parametrize("section", sections(), ids=lambda s: s.key)
def test_each_section_has_its_row_template_and_inline(section):
    get_template(section.template)
    if section.model is not None:
        assert section.related_name and "department" in section.natural_key
        assert section.inline_class().model is section.model


@pytest.mark.django_db
def test_editor_group_from_the_migrations_matches_the_registry():
    """A new editor-owned section needs a data migration granting its permissions."""
    group = Group.objects.get(name=EDITOR_GROUP)
    assert set(group.permissions.all()) == set(editor_permissions())
