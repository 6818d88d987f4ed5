"""Quantities that keep their wording.

The seeds say "more than 100", "about 12,000", "dozens", "1-2 every year". A figure is stored as a
qualifier with a value (and an upper bound for ranges) and rendered back faithfully by one helper.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy


class Qualifier(models.TextChoices):
    EXACT = "exact", _("exactly")
    AT_LEAST = "at_least", _("at least / more than")
    ABOUT = "about", _("about")
    RANGE = "range", _("range")
    UNQUANTIFIED = "unquantified", _("unquantified (dozens, several…)")


def _fmt(value):
    return f"{value:,}"


# Source wordings of unquantified figures, said naturally in the reader's language: "dozens" is
# 数十 in Chinese, never a number. A wording not listed here stays as the source says it.
UNQUANTIFIED_WORDINGS = {
    "dozens": pgettext_lazy("unquantified figure", "dozens"),
    "several": pgettext_lazy("unquantified figure", "several"),
    "a number of": pgettext_lazy("unquantified figure", "a number of"),
    "multiple": pgettext_lazy("unquantified figure", "multiple"),
    "many": pgettext_lazy("unquantified figure", "many"),
    "numerous": pgettext_lazy("unquantified figure", "numerous"),
}
UNITS = {"years": pgettext_lazy("unit of a figure", "years")}


def render_quantity(qualifier, value=None, value_max=None, wording="", unit=""):
    """Render a stored quantity the way the source meant it, in the active language.

    >>> render_quantity("at_least", 100)
    '100+'
    >>> render_quantity("about", 12000)
    'about 12,000'
    >>> render_quantity("unquantified", wording="dozens")
    'dozens'

    On Chinese pages: "100 余", "约 12,000", "数十".
    """
    if qualifier == Qualifier.UNQUANTIFIED:
        if not wording:
            return str(_("not quantified"))
        return str(UNQUANTIFIED_WORDINGS.get(wording.strip().lower(), wording))
    if value is None:
        return ""
    unit = str(UNITS.get(unit, unit))
    suffix = unit if unit == "%" else (f" {unit}" if unit else "")
    shown = f"{_fmt(value)}{suffix}" if unit == "%" else _fmt(value)
    after = "" if unit == "%" else suffix
    if qualifier == Qualifier.AT_LEAST:
        if unit == "%":
            return pgettext("figure: more than, a percentage", "%(value)s+") % {"value": shown}
        return pgettext("figure: more than", "%(value)s+") % {"value": shown} + after
    if qualifier == Qualifier.ABOUT:
        return pgettext("figure: approximately", "about %(value)s") % {"value": shown} + after
    if qualifier == Qualifier.RANGE and value_max is not None:
        return f"{_fmt(value)}–{_fmt(value_max)}{suffix}"
    return f"{_fmt(value)}{suffix}"


class Quantity(models.Model):
    """Abstract: a figure with its qualifier, its source wording and the period it covers."""

    qualifier = models.CharField(max_length=16, choices=Qualifier, default=Qualifier.EXACT)
    value = models.PositiveBigIntegerField(null=True, blank=True)
    value_max = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Upper bound, for a range such as '1-2'."
    )
    unit = models.CharField(max_length=40, blank=True, help_text="e.g. % — blank for a count.")
    wording = models.CharField(
        max_length=200, blank=True, help_text="The source's own words, e.g. 'more than 100'."
    )
    period = models.CharField(
        max_length=120,
        blank=True,
        help_text="e.g. 'per year', 'since 2004', 'in the recent 5 years'.",
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_quantity_coherent",
                condition=(
                    Q(
                        qualifier__in=[Qualifier.EXACT, Qualifier.AT_LEAST, Qualifier.ABOUT],
                        value__isnull=False,
                        value_max__isnull=True,
                    )
                    | Q(
                        qualifier=Qualifier.RANGE,
                        value__isnull=False,
                        value_max__isnull=False,
                        value_max__gt=models.F("value"),
                    )
                    | Q(
                        qualifier=Qualifier.UNQUANTIFIED,
                        value__isnull=True,
                        value_max__isnull=True,
                    )
                    & ~Q(wording="")
                ),
            ),
        ]

    @property
    def display(self):
        return render_quantity(self.qualifier, self.value, self.value_max, self.wording, self.unit)

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        errors = {}
        if self.qualifier == Qualifier.UNQUANTIFIED:
            if self.value is not None:
                errors["value"] = _("An unquantified figure ('dozens', 'several') has no value.")
            if self.value_max is not None:
                errors["value_max"] = _("An unquantified figure has no upper bound.")
            if not self.wording:
                errors["wording"] = _("Give the source's wording, e.g. 'dozens'.")
        else:
            if self.value is None:
                errors["value"] = _("A figure qualified as '%(q)s' needs a value.") % {
                    "q": self.get_qualifier_display()
                }
            if self.qualifier == Qualifier.RANGE:
                if self.value_max is None:
                    errors["value_max"] = _("A range needs an upper bound.")
                elif self.value is not None and self.value_max <= self.value:
                    errors["value_max"] = _("The upper bound must be greater than the value.")
            elif self.value_max is not None:
                errors["value_max"] = _("Only a range has an upper bound.")
        if errors:
            raise ValidationError(errors)
