"""Chinese versions of the texts staff write, kept beside the English in the same row.

A translated text field ``summary`` has a second column ``summary_zh_hans``, declared in the
model right after it::

    summary = models.TextField(blank=True)
    summary_zh_hans = chinese_version(summary, "summary")

The English column stays what it always was (the sources' English, the loader's, the API's, the
search index's); the Chinese column is blank until a department's staff write a Chinese version
in admin, where the two stand side by side (`side_by_side`). Chinese pages show the Chinese
version where there is one and the English, marked ``lang="en"``, where there is none
(`departments.localise.local_text`); English pages never read the Chinese column. Nothing is
machine-translated and the fixtures stay English.

Why plain columns and not django-modeltranslation (which stores the same ``<field>_zh_hans``
columns): modeltranslation adds its fields when apps are ready, after django-simple-history has
built each historical model from the fields declared on the class, so history would not record
the Chinese versions and a revert would leave them as they were (simple-history's way round is
to give up ``HistoricalRecords()`` on the models and register them after translation, for some
twenty models and their inherited history). It also turns ``name`` into the active language's
value and rewrites ``order_by("name")``, filters and ``search_fields`` to the Chinese column on
Chinese pages: the directory's order and its name index, search, slugs, ``str()`` and the
English-only API would all change with the page's language unless every queryset opted out.
Declared columns are ordinary fields: history, migrations, backups, import/export and the
edit-token check pick them up with no special case.
"""

from django.db import models

SUFFIX = "_zh_hans"  # the language code zh-hans, as modeltranslation would name the column too
LANGUAGE_LABEL = "Chinese (简体中文)"

HELP_TEXT = (
    "Simplified Chinese version, shown on Chinese pages; written by people, never a machine "
    "translation. Leave blank to show the English there, marked as English."
)


def chinese_version(field, label):
    """A column for the Chinese version of the English text field `field` (named `label`).

    Always optional (the English is the fallback), the same kind and length as the English.
    """
    if not isinstance(field, models.CharField | models.TextField):
        raise TypeError(f"only text fields have Chinese versions, not {type(field).__name__}")
    options = {"blank": True, "help_text": HELP_TEXT}
    verbose_name = f"{field.verbose_name or label} — {LANGUAGE_LABEL}"
    if isinstance(field, models.CharField):
        return models.CharField(verbose_name, max_length=field.max_length, **options)
    return models.TextField(verbose_name, **options)


def chinese_name(field_name):
    """The column holding `field_name`'s Chinese version."""
    return f"{field_name}{SUFFIX}"


def translated_fields(model):
    """The names of `model`'s fields that have a Chinese version, in declaration order."""
    names = {field.name for field in model._meta.concrete_fields}
    return [
        field.name
        for field in model._meta.concrete_fields
        if not field.name.endswith(SUFFIX) and chinese_name(field.name) in names
    ]


def is_chinese_version(model, field_name):
    """Whether `field_name` is the Chinese version of another of `model`'s fields."""
    if not field_name.endswith(SUFFIX):
        return False
    english = field_name.removesuffix(SUFFIX)
    return english in translated_fields(model)


def side_by_side(model, fields, *, flat=False):
    """Admin `fields` with each Chinese version beside its English field.

    In a fieldset the pair is one line, English then Chinese (`flat=False`); in a tabular
    inline (`flat=True`) the Chinese column follows the English one. A Chinese version listed
    on its own elsewhere (as in an admin's default field list) moves beside its English.
    """
    listed = {entry for entry in fields if isinstance(entry, str)}
    translated = set(translated_fields(model)) & listed
    versions = {chinese_name(name) for name in translated}
    paired = []
    for entry in fields:
        if entry in versions:
            continue  # placed beside its English field
        if entry not in translated:
            paired.append(entry)
        elif flat:
            paired += [entry, chinese_name(entry)]
        else:
            paired.append((entry, chinese_name(entry)))
    return paired
