"""Export and import (django-import-export) for departments and the rows that belong to them.

Rows are matched on the same natural keys as the fixture loader (a department by slug, a staff
count by department and role…), related rows are named by slug, every row is validated with
`full_clean()` so the dry-run preview shows field-level messages per row, and one invalid row
rolls the whole import back.
"""

from functools import cache

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from .models import Department, Person
from .sections import section_for


class SlugWidget(widgets.ForeignKeyWidget):
    """A related row named by its slug; an unknown slug is a clear error on the row's column."""

    def __init__(self, model, field="slug", column=None, **kwargs):
        super().__init__(model, field=field, **kwargs)
        self.column = column or model._meta.model_name

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row=row, **kwargs)
        except self.model.DoesNotExist:
            name = self.model._meta.verbose_name
            message = f"No {name} with {self.field} “{value}”."
            raise ValidationError({self.column: message}) from None


class PersonWidget(widgets.ForeignKeyWidget):
    """A person named by name, within the row's department."""

    def __init__(self, column="person", **kwargs):
        super().__init__(Person, field="name", **kwargs)
        self.column = column

    def get_queryset(self, value, row, *args, **kwargs):
        return Person.objects.filter(department__slug=(row or {}).get("department"))

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row=row, **kwargs)
        except Person.DoesNotExist:
            message = f"No person “{value}” in this department."
            raise ValidationError({self.column: message}) from None


class PortalResource(resources.ModelResource):
    """Validate every row, skip unchanged ones, and import all rows or none."""

    class Meta:
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True


# Not exported: surrogate ids, derived and bookkeeping fields, editor grants.
SKIPPED_FIELDS = {"id", "normalised", "updated_at", "leader", "editors"}


def _field_for(model, field):
    related = field.related_model
    if related is Person:
        widget = PersonWidget(column=field.name)
    elif related is not None and hasattr(related, "slug"):
        widget = SlugWidget(related, column=field.name)
    else:
        return None
    if field.many_to_many:
        widget = widgets.ManyToManyWidget(related, field="slug", separator="|")
    return fields.Field(attribute=field.name, column_name=field.name, widget=widget)


def resource_for(model, *, key_fields):
    """A resource for `model`, matched on `key_fields`, related rows named by slug."""
    attrs, names = {"__module__": __name__}, []
    for field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
        if field.name in SKIPPED_FIELDS or not field.editable:
            continue
        names.append(field.name)
        if field.is_relation:
            declared = _field_for(model, field)
            if declared is not None:
                attrs[field.name] = declared
    meta = type(
        "Meta",
        (PortalResource.Meta,),
        {
            "model": model,
            "fields": tuple(names),
            "import_id_fields": tuple(key_fields),
            "export_order": (*key_fields, *(name for name in names if name not in key_fields)),
        },
    )
    attrs["Meta"] = meta
    return type(f"{model.__name__}Resource", (PortalResource,), attrs)


DepartmentResource = resource_for(Department, key_fields=["slug"])


@cache
def section_resource(model):
    """The resource for a department section's rows, keyed like the fixture loader."""
    return resource_for(model, key_fields=section_for(model).natural_key)
