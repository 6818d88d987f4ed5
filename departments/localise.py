"""Names and texts in the reader's language, and which language a shown text is really in.

Chinese pages (``/zh-hans/…``) show a record's Chinese name or Chinese version where the data
has one. Where it has none, the English text is shown and marked ``lang="en"``: nothing is
machine-translated, and English is never passed off as Chinese.
"""

from django.utils.translation import get_language

CHINESE = "zh-hans"


def is_chinese():
    """Whether the active language is Simplified Chinese."""
    return (get_language() or "").lower().startswith("zh")


def chinese_name(record):
    """The record's Chinese name, if the data has one (hospitals, cancer types, services…)."""
    for field in ("name_zh", "name_zh_hans"):  # vocabulary and hospitals; staff (translation.py)
        value = getattr(record, field, "") or ""
        if value.strip():
            return value.strip()
    return ""


def local_name(record):
    """(text, lang): the name to show and, when it is English on a Chinese page, "en"."""
    english = getattr(record, "display_name", None) or getattr(record, "name", "") or str(record)
    if not is_chinese():
        return english, ""
    chinese = chinese_name(record)
    if chinese:
        return chinese, ""
    if getattr(record, "name", None) == "" and hasattr(record, "display_name"):
        return english, ""  # an interface phrase ("name not stated in source"), translated
    return english, "en"


def local_text(record, field):
    """(text, lang) for a free-text field: its Chinese version on a Chinese page, if any.

    A field with a Chinese version has a ``<field>_zh_hans`` column, written by staff in admin
    (departments/translation.py); any other field holds English (the sources are English), so a
    Chinese page marks it "en".
    """
    value = getattr(record, field, "") or ""
    if not is_chinese() or not value:
        return value, ""
    chinese = getattr(record, f"{field}_zh_hans", None)
    if chinese:
        return chinese, ""
    english = getattr(record, f"{field}_en", None) or value
    return english, "en"
