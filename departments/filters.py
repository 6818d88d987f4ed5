"""Filter building blocks shared by the directory and the trial list (django-filter)."""

import re

import django_filters
from django import forms
from django.db.models import (
    Case,
    F,
    IntegerField,
    Value,
    When,
)
from django.utils.text import Truncator

from .models import DepartmentCancerType

CHOOSE_FROM_LIST = "Not one of the choices: choose one from the list."
SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,80}$")


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def shorten(value, length=60):
    """A user-supplied value made fit for a message: cut short, control characters replaced.

    Templates escape it; this keeps NUL bytes and 5,000-character values off the page.
    """
    return Truncator(_CONTROL.sub("\ufffd", str(value))).chars(length)


class SlugModelChoiceField(django_filters.fields.ModelChoiceField):
    """A model choice by slug that rejects anything not shaped like a slug before querying.

    Keeps NUL bytes and 5,000-character values away from the database (PostgreSQL refuses NUL).
    """

    def to_python(self, value):
        if value not in self.empty_values and not SLUG_RE.match(str(value)):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class SlugModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = SlugModelChoiceField


class DirectoryOrderingFilter(django_filters.OrderingFilter):
    """Whitelisted sorts, with ties broken by name so pages never overlap."""

    def filter(self, qs, value):
        if value in django_filters.constants.EMPTY_VALUES:
            return qs
        ordering = []
        for param in value:
            if not param:
                continue
            field_name = self.get_ordering_value(param)
            descending = field_name.startswith("-")
            expression = F(field_name.lstrip("-"))
            ordering.append(
                expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
            )
        return qs.order_by(*ordering, "name", "pk")


def primary_focus_first():
    """An ordering expression: a department's stated focus before the other types it lists."""
    return Case(
        When(relation=DepartmentCancerType.Relation.PRIMARY_FOCUS, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
