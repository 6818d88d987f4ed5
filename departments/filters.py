"""Filter building blocks shared by the directory and the trial list (django-filter)."""

import re

import django_filters
from django import forms
from django.db.models import (
    Case,
    F,
    IntegerField,
    Model,
    Q,
    Value,
    When,
)
from django.http import QueryDict
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .localise import local_name
from .models import DepartmentCancerType
from .normalise import CONTROL_CHARACTERS as _CONTROL

CHOOSE_FROM_LIST = gettext_lazy("Not one of the choices: choose one from the list.")
SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,80}$")


def shorten(value, length=60):
    """A user-supplied value made fit for a message: cut short, control characters replaced.

    Templates escape it; this keeps NUL bytes and 5,000-character values off the page.
    """
    return Truncator(_CONTROL.sub("\ufffd", str(value))).chars(length)


class SlugModelChoiceField(django_filters.fields.ModelChoiceField):
    """A model choice by slug that rejects anything not shaped like a slug before querying.

    Keeps NUL bytes and 5,000-character values away from the database (PostgreSQL refuses NUL).
    """

    def label_from_instance(self, obj):
        """A vocabulary term by its name in the reader's language."""
        return local_name(obj)[0]

    def to_python(self, value):
        if value not in self.empty_values and not SLUG_RE.match(str(value)):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class SlugModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = SlugModelChoiceField


class RecordField(forms.CharField):
    """A record named by its slug or by its name: a text box instead of a <select>.

    For vocabularies that grow with the directory (hospitals, departments), where a list of
    every option would weigh more than the page. A slug or a unique name (exact, then partial,
    case-insensitive) selects the record; several partial matches are named so the visitor can
    type more of the name.
    """

    MATCHES_SHOWN = 5

    def __init__(self, *, queryset, name_fields=("name",), describe=str, **kwargs):
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)
        self.queryset = queryset
        self.name_fields = name_fields
        self.describe = describe

    def _matching(self, lookup, value):
        condition = Q()
        for name_field in self.name_fields:
            condition |= Q(**{f"{name_field}__{lookup}": value})
        return list(self.queryset.filter(condition)[: self.MATCHES_SHOWN + 1])

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        if SLUG_RE.match(value):
            record = self.queryset.filter(slug=value).first()
            if record is not None:
                return record
        value = _CONTROL.sub("", value)
        for lookup in ("iexact", "icontains"):
            found = self._matching(lookup, value)
            if len(found) == 1:
                return found[0]
            if found:
                names = "; ".join(self.describe(record) for record in found[: self.MATCHES_SHOWN])
                more = "…" if len(found) > self.MATCHES_SHOWN else ""
                raise forms.ValidationError(
                    _("Several match: %(names)s. Type more of the name.")
                    % {"names": f"{names}{more}"},
                    code="ambiguous",
                )
        message = self.error_messages.get("invalid_choice", CHOOSE_FROM_LIST)
        raise forms.ValidationError(message, code="invalid_choice")


class RecordFilter(django_filters.Filter):
    """Filters on a record typed by slug or name (see RecordField)."""

    field_class = RecordField


class StableOrderingFilter(django_filters.OrderingFilter):
    """Whitelisted sorts, blanks last, with ties broken by name so pages never overlap."""

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


class FilterNoticesMixin:
    """What a list page says about its FilterSet (built with the request, as FilterView does).

    active_filters(): the valid filters set, each with the URL that removes it; problems():
    one message per invalid parameter, with the URL that drops it. Both drop the page number.
    Sorts are never listed as active filters. The page shows them with
    templates/includes/active_filters.html.
    """

    #: What an invalid value of each parameter is called: "No hospital “x”." names the value.
    #: A parameter not listed gets its label and its form error, without repeating the value.
    NOUNS = {}
    #: Parameters that "Clear all filters" keeps (besides any that are not filters).
    KEPT_ON_CLEAR = ()
    #: A filter that, set alone, gives a list whose size moves only with the data: its count
    #: is kept per data version (departments.listing.FilteredListMixin).
    COUNT_KEPT_FOR = ("cancer_type",)

    def count_key(self):
        """"cancer_type=liver-cancer" when that filter alone is set (and valid), else None."""
        active = self.active_filters()
        if len(active) != 1 or active[0]["name"] not in self.COUNT_KEPT_FOR:
            return None
        name = active[0]["name"]
        return f"{name}={self.form.cleaned_data[name]}"

    def url_without(self, *names):
        """This page's URL without the given parameters and the page number."""
        query = QueryDict(mutable=True)
        for key, values in self.data.lists() if self.is_bound else ():
            if key not in names and key != "page":
                query.setlist(key, values)
        path = self.request.path if self.request is not None else ""
        encoded = query.urlencode()
        return f"{path}?{encoded}" if encoded else path

    def clear_url(self):
        return self.url_without(*(name for name in self.filters if name not in self.KEPT_ON_CLEAR))

    def value_label(self, name, value):
        """How a valid value reads on the page: a choice's label, a record's name."""
        field = self.form.fields[name]
        if isinstance(value, Model) or not hasattr(field, "choices"):
            return str(value)
        # Tree choices are indented by depth (non-breaking spaces): the label without them.
        return str(dict(field.choices).get(value, value)).strip()

    def active_filters(self):
        """Valid, non-empty filters: label, value and the URL that removes it."""
        if not self.is_bound:
            return []
        form = self.form
        form.is_valid()
        result = []
        for name, field in form.fields.items():
            if name in form.errors or isinstance(self.filters[name], django_filters.OrderingFilter):
                continue
            value = form.cleaned_data.get(name)
            if value in (None, "", []):
                continue
            result.append(
                {
                    "name": name,
                    "label": field.label,
                    "value": self.value_label(name, value),
                    "remove_url": self.url_without(name),
                }
            )
        return result

    def problems(self):
        """One clear message per invalid parameter, with the URL that drops it.

        `raw` (the value as given, shortened) is set only where NOUNS names the parameter.
        """
        if not self.is_bound or self.form.is_valid():
            return []
        result = []
        for name, errors in self.form.errors.as_data().items():
            field = self.form.fields.get(name)
            raw = shorten(self.data.get(name, "")) if name in self.NOUNS else ""
            codes = {error.code for error in errors}
            if "invalid_choice" in codes and name in self.NOUNS:
                message = _("No %(noun)s “%(value)s”.") % {"noun": self.NOUNS[name], "value": raw}
            else:
                label = field.label if field else name
                details = " ".join(str(message) for error in errors for message in error)
                message = _("%(label)s: %(details)s") % {"label": label, "details": details}
            result.append(
                {"name": name, "message": message, "raw": raw, "remove_url": self.url_without(name)}
            )
        return result


def primary_focus_first():
    """An ordering expression: a department's stated focus before the other types it lists."""
    return Case(
        When(relation=DepartmentCancerType.Relation.PRIMARY_FOCUS, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
