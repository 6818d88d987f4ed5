"""No lost updates in admin: a change form remembers which version of the record it showed.

The version is the id of the record's latest history row (django-simple-history writes one on
every save), carried in a hidden `edit_token` field. On save the form locks the row, compares,
and refuses with a message naming who changed what since the form was opened; nothing is
written. History ids only grow, so a revert to old values still counts as a new version.
"""

from django import forms
from django.db import router, transaction
from django.utils import formats, timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from .normalise import is_database_integer

TOKEN_FIELD = "edit_token"  # noqa: S105 (a form field name, not a secret)


def history_manager(model):
    name = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, name) if name else None


def current_version(model, pk):
    """The id of the latest history row for `pk`, or None if it has none."""
    history = history_manager(model)
    return (
        history.filter(**{model._meta.pk.attname: pk})
        .order_by("-history_id")
        .values_list("history_id", flat=True)
        .first()
    )


def _user_label(record):
    user = record.history_user
    if user is None:
        return _("an automated update (data load)")
    return user.get_full_name() or user.get_username()


def conflict_message(model, pk, opened):
    """Who changed the record, when and which fields, since version `opened`."""
    history = history_manager(model).filter(**{model._meta.pk.attname: pk})
    if is_database_integer(opened):
        history = history.filter(history_id__gt=int(opened))
    records = list(history.select_related("history_user").order_by("history_id"))
    opts = model._meta
    if not records:
        return _(
            "This %(name)s changed since you opened it. Your changes have not been saved. "
            "Reload the page to see the current version, then make your changes again."
        ) % {"name": opts.verbose_name}
    users = list(dict.fromkeys(_user_label(record) for record in records))
    changed, notes = [], []
    for record in records:
        previous = record.prev_record
        if previous is not None:
            for change in record.diff_against(previous, foreign_keys_are_objs=False).changes:
                field = opts.get_field(change.field)
                label = str(field.verbose_name)
                if field.editable and label not in changed:
                    changed.append(label)
        if record.history_change_reason and record.history_change_reason not in notes:
            notes.append(record.history_change_reason)
    when = formats.date_format(timezone.localtime(records[-1].history_date), "DATETIME_FORMAT")
    what = []
    if changed:
        what.append(_("fields changed: %s") % ", ".join(changed))
    if notes:
        what.append("; ".join(notes))
    details = f" ({'; '.join(what)})" if what else ""
    return _(
        "Conflict: this %(name)s was changed by %(users)s on %(when)s since you opened it"
        "%(details)s. Your changes have not been saved, so nothing was overwritten. "
        "Reload the page to see the current version, then make your changes again."
    ) % {
        "name": opts.verbose_name,
        "users": get_text_list(users, _("and")),
        "when": when,
        "details": details,
    }


class ConcurrencyGuardForm(forms.ModelForm):
    """An admin ModelForm that refuses to overwrite a record changed since it was opened."""

    edit_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self._guarded():
            self.fields[TOKEN_FIELD].initial = current_version(
                type(self.instance), self.instance.pk
            )

    def _guarded(self):
        instance = self.instance
        return (
            instance.pk is not None
            and not instance._state.adding
            and history_manager(type(instance)) is not None
        )

    def clean(self):
        cleaned_data = super().clean()
        if self._guarded():
            self._check_version(cleaned_data.get(TOKEN_FIELD) or "")
        return cleaned_data

    def _check_version(self, opened):
        model, pk = type(self.instance), self.instance.pk
        using = router.db_for_write(model)
        if transaction.get_connection(using).in_atomic_block:
            # Serialise concurrent saves of this row (PostgreSQL): the second waits, then sees
            # the first one's history row.
            list(
                model._default_manager.using(using)
                .select_for_update()
                .filter(pk=pk)
                .values_list("pk")
            )
        current = current_version(model, pk)
        if str(current or "") != opened:
            raise forms.ValidationError(conflict_message(model, pk, opened), code="conflict")


def touch_department(department_id, *, reason):
    """Note on a department that something it owns changed: a history row and `updated_at`.

    Child rows edited on their own admin pages thus move the department's version (so an open
    department form cannot overwrite them) and its public "Last updated" date.
    """
    from .models import Department

    department = Department.objects.filter(pk=department_id).first()
    if department is None:
        return
    department._change_reason = reason[:100]
    department.save(update_fields=["updated_at"])
