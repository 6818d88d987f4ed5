"""Small presentation filters for the portal's templates."""

import re

from django import template

register = template.Library()

_NOT_DIALLABLE = re.compile(r"[^0-9+]")


@register.filter
def tel_href(phone):
    """A tel: URL for a phone number as the source writes it ('+86-0571-88122072')."""
    return "tel:" + _NOT_DIALLABLE.sub("", str(phone or ""))


@register.filter
def thousands(value):
    """1994 → '1,994' whatever the locale (figures read the same on every page)."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return value


@register.filter
def lowerfirst(text):
    """'Monographs' → 'monographs', but 'SCI-indexed articles' keeps its acronym."""
    text = str(text or "")
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]
