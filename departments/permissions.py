"""Who may edit what in admin: curators edit everything, department editors their departments.

A *curator* holds `departments.edit_all_departments` (the "Curator" group, or a superuser).
A *department editor* is a staff user with DepartmentEditor rows; the "Department editor" group
gives the model permissions, the rows decide which departments. `DepartmentScopedMixin` applies
that scope to every admin list, form, choice, history page, autocomplete and export.
"""

from django.contrib.admin.utils import unquote
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404

from .models import CURATE_PERMISSION, Department, DepartmentEditor, Person, Source
from .sections import model_sections

CURATOR_GROUP = "Curator"
EDITOR_GROUP = "Department editor"

ACTIONS = ("add", "change", "delete", "view")


def editor_permissions():
    """The editor group's permissions: view and change a department, and the rows of its
    editor-owned sections (the roles data migrations grant the same; a test compares them)."""
    wanted = [("departments", "view_department"), ("departments", "change_department")]
    for section in model_sections():
        if section.editor_owned:
            opts = section.model._meta
            wanted += [(opts.app_label, f"{action}_{opts.model_name}") for action in ACTIONS]
    perms = Permission.objects.none()
    for app, codename in wanted:
        perms |= Permission.objects.filter(content_type__app_label=app, codename=codename)
    return perms


def is_curator(user):
    return bool(user and user.is_active and user.has_perm(CURATE_PERMISSION))


def is_department_editor(user):
    return bool(
        user
        and user.is_active
        and user.is_staff
        and DepartmentEditor.objects.filter(user_id=user.pk).exists()
    )


def editable_department_ids(request):
    """None for curators (no limit), else the set of department ids the user edits.

    Cached on the request: every admin check in one request sees the same answer.
    """
    if not hasattr(request, "_editable_department_ids"):
        user = request.user
        if is_curator(user):
            ids = None
        else:
            ids = frozenset(
                DepartmentEditor.objects.filter(user_id=user.pk).values_list(
                    "department_id", flat=True
                )
            )
        request._editable_department_ids = ids
    return request._editable_department_ids


@transaction.atomic
def grant_department_editor(*, user, department):
    """Make `user` an editor of `department`: staff, in the editor group, linked. Idempotent.

    Returns (link, created).
    """
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    group, group_created = Group.objects.get_or_create(name=EDITOR_GROUP)
    if group_created:  # recreated after a deletion or a flushed test database
        group.permissions.set(editor_permissions())
    user.groups.add(group)
    link, created = DepartmentEditor.objects.get_or_create(user=user, department=department)
    return link, created


def _is_autocomplete(request):
    match = getattr(request, "resolver_match", None)
    return bool(match and match.url_name == "autocomplete" and "admin" in match.namespaces)


class AutocompleteForEditorsMixin:
    """A curators-only admin whose rows department editors may still *pick* via autocomplete.

    Editors choose cancer types, services, trials and interventions in their department's
    inlines; Django's autocomplete view asks the chosen model's admin for view permission.
    Editors get it for that JSON view only: the list and change pages stay closed to them.
    """

    def has_view_permission(self, request, obj=None):
        if super().has_view_permission(request, obj):
            return True
        return obj is None and _is_autocomplete(request) and is_department_editor(request.user)


class DepartmentScopedMixin:
    """Limit an admin to the departments the user edits (curators are not limited).

    `department_lookup` is the path from the model to its department's id ("pk" for
    Department itself). Out-of-scope rows are absent from lists, exports and autocomplete,
    and their change, delete, history and revert pages answer 404, GET or POST alike.
    """

    department_lookup = "department"

    # -- scope -----------------------------------------------------------------------------
    def department_id_of(self, obj):
        if self.department_lookup == "pk":
            return obj.pk
        return getattr(obj, f"{self.department_lookup}_id")

    def in_scope(self, request, obj):
        ids = editable_department_ids(request)
        return obj is None or ids is None or self.department_id_of(obj) in ids

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        ids = editable_department_ids(request)
        if ids is None:
            return qs
        return qs.filter(**{f"{self.department_lookup}__in": ids})

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None and editable_department_ids(request) is not None:
            # The same answer for "does not exist" and "not yours": no existence oracle.
            raise Http404("No such record among the departments you edit.")
        return obj

    def _require_in_scope(self, request, object_id):
        """404 when the object exists but lies outside the user's departments."""
        if editable_department_ids(request) is None:
            return
        try:
            pk = unquote(object_id)
            exists = self.model._default_manager.filter(pk=pk).exists()
            mine = self.get_queryset(request).filter(pk=pk).exists()
        except (ValueError, ValidationError) as exc:
            raise Http404 from exc
        if exists and not mine:
            raise Http404("No such record among the departments you edit.")

    # -- permissions -------------------------------------------------------------------------
    def has_add_permission(self, request, *args):
        if not super().has_add_permission(request, *args):
            return False
        ids = editable_department_ids(request)
        return ids is None or bool(ids)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.in_scope(request, obj)

    def has_import_permission(self, request):
        """Imports may touch any department: curators only."""
        return is_curator(request.user) and super().has_import_permission(request)

    def has_export_permission(self, request):
        """Exports follow the (scoped) list."""
        return self.has_view_permission(request)

    # -- choices -------------------------------------------------------------------------------
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        limit_department_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # -- saving ----------------------------------------------------------------------------------
    def save_model(self, request, obj, form, change):
        if change and editable_department_ids(request) is not None:
            keep_readonly_values(self, request, obj)
        super().save_model(request, obj, form, change)

    # -- history ---------------------------------------------------------------------------------
    def history_view(self, request, object_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """The revert page: only for rows in scope, and POST needs change (or add) permission."""
        self._require_in_scope(request, object_id)
        if request.method == "POST":
            current = self.get_queryset(request).filter(pk=unquote(object_id)).first()
            allowed = (
                self.has_change_permission(request, current)
                if current is not None
                else self.has_add_permission(request)
            )
            if not allowed:
                raise PermissionDenied
        with transaction.atomic():
            return super().history_form_view(request, object_id, version_id, extra_context)


def limit_department_choices(db_field, request, kwargs):
    """Department (and person) choices offer only the user's departments."""
    if db_field.related_model is Source:
        kwargs.setdefault("queryset", Source.objects.defer("text"))  # not the full seed texts
    ids = editable_department_ids(request)
    if ids is None:
        return
    if db_field.related_model is Department:
        kwargs["queryset"] = Department.objects.filter(pk__in=ids)
        kwargs["required"] = True  # a row without a department would be nobody's to edit
    elif db_field.related_model is Person:
        kwargs["queryset"] = Person.objects.filter(department__in=ids)


def keep_readonly_values(model_admin, request, obj):
    """A revert must not restore fields the user may not edit (e.g. a department's slug)."""
    names = [
        field.attname
        for name in model_admin.get_readonly_fields(request, obj)
        for field in obj._meta.concrete_fields
        if field.name == name
    ]
    if not names:
        return
    current = type(obj)._default_manager.filter(pk=obj.pk).values(*names).first()
    for name, value in (current or {}).items():
        setattr(obj, name, value)


class ScopedInlineMixin:
    """Inline rows: person and department choices limited like the parent admin's.

    A department page shows dozens of inline rows. Their choices over other tables are
    autocompletes (`departments.admin.ChildInline`), whose chosen option each row names from
    its already-loaded related objects: the rows are read with every foreign key joined (a
    source without its full text) and every many-to-many prefetched, so the page's queries
    do not grow with its rows.
    """

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        limit_department_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        opts = self.model._meta
        joined = [f for f in opts.concrete_fields if f.many_to_one]
        deferred = [f"{f.name}__text" for f in joined if f.related_model is Source]
        queryset = (
            super().get_queryset(request).select_related(*(f.name for f in joined)).defer(*deferred)
        )
        many = [f.name for f in opts.many_to_many]
        return queryset.prefetch_related(*many) if many else queryset
