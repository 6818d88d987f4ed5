"""Small presentation filters for the portal's templates."""

import re

from django import template
from django.urls import reverse

from departments.localise import chinese_name, is_chinese
from departments.normalise import lower_first

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
    return text if len(text) > 1 and text[1].isupper() else lower_first(text)


def _trail_label(item):
    """A breadcrumb record's label: its Chinese name on Chinese pages where it has one, else
    its short name (FAHZU) or name."""
    if is_chinese() and chinese_name(item):
        return chinese_name(item)
    return getattr(item, "short_name", "") or str(item)


@register.inclusion_tag("includes/breadcrumb.html")
def breadcrumb(section="", url_name="", *, current=False, trail=(), here=""):
    """The breadcrumb every page but the home page shows: Home › section › trail › here.

    `section` links to `url_name` (plain text without one), marked as this page if `current`;
    `trail` is a record or a list of records linked by their get_absolute_url, each named by
    its short name if it has one; `here` names this page, unlinked.
    """
    if hasattr(trail, "get_absolute_url"):
        trail = [trail]
    return {
        "section": section,
        "section_url": reverse(url_name) if url_name else "",
        "current": current,
        "trail": [
            (item.get_absolute_url(), _trail_label(item))
            for item in trail
        ],
        "here": here,
    }
