"""Staff editing: curators edit everything, department editors only their own departments.

Every admin here keeps history with revert (django-simple-history) and refuses lost updates
(`concurrency.ConcurrencyGuardForm`). Admins of department-owned rows apply the editor scope
(`permissions.DepartmentScopedMixin`) and export/import CSV and JSON (`resources`).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import (
    AutocompleteSelect,
    AutocompleteSelectMultiple,
    RelatedFieldWidgetWrapper,
)
from django.core.exceptions import FieldError, ValidationError
from django.db.models import IntegerField
from django.forms.renderers import DjangoTemplates
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.results import RowResult
from simple_history.admin import SimpleHistoryAdmin

from . import models
from .concurrency import TOKEN_FIELD, ConcurrencyGuardForm, touch_department
from .normalise import is_database_integer
from .permissions import (
    AutocompleteForEditorsMixin,
    DepartmentScopedMixin,
    ScopedInlineMixin,
    editable_department_ids,
    grant_department_editor,
)
from .resources import DepartmentResource, section_resource
from .sections import model_sections
from .translation import side_by_side


# -- list filters over large tables ---------------------------------------------------------------
class ChosenRowFilter(admin.SimpleListFilter):
    """A filter by a row of a large table (a department, a hospital) with no link per row.

    A list filter's links are rendered on every page of the list: one per department would be
    50,000. This one offers an editor's own departments' rows, and a curator only the row
    already chosen (the parameter arrives from a link; the list's search finds rows by name).
    An editor is never shown a row outside their departments, even for a crafted parameter.
    """

    related_model = None
    field_path = ""  # from the listed model to the related row's id
    MAX_CHOICES = 50

    def editor_rows(self, department_ids):
        raise NotImplementedError

    def chosen(self):
        value = self.value()
        if value is None:
            return None
        if not is_database_integer(value):
            raise IncorrectLookupParameters(f"{self.parameter_name}={value!r}")
        return int(value)

    def lookups(self, request, model_admin):
        ids = editable_department_ids(request)
        chosen = self.chosen()
        if ids is not None:
            rows = self.editor_rows(ids)
        elif chosen is not None:
            rows = self.related_model.objects.filter(pk=chosen)
        else:
            return []
        return [(str(row.pk), str(row)) for row in rows[: self.MAX_CHOICES]]

    def queryset(self, request, queryset):
        chosen = self.chosen()
        if chosen is None:
            return queryset
        return queryset.filter(**{self.field_path: chosen})


class DepartmentFilter(ChosenRowFilter):
    title = "department"
    parameter_name = "department__id__exact"
    related_model = models.Department
    field_path = "department_id"

    def editor_rows(self, department_ids):
        return models.Department.objects.filter(pk__in=department_ids).only("name")


class HospitalFilter(ChosenRowFilter):
    title = "hospital"
    parameter_name = "hospital__id__exact"
    related_model = models.Hospital
    field_path = "hospital_id"

    def editor_rows(self, department_ids):
        return models.Hospital.objects.filter(departments__in=department_ids).distinct()


class ProvinceFilter(admin.SimpleListFilter):
    """The hospitals' provinces (a few dozen), read from the hospitals, not the departments."""

    title = "province"
    parameter_name = "hospital__province"

    def lookups(self, request, model_admin):
        ids = editable_department_ids(request)
        hospitals = models.Hospital.objects.all()
        if ids is not None:
            hospitals = hospitals.filter(departments__in=ids)
        provinces = (
            hospitals.exclude(province="")
            .order_by("province")
            .values_list("province", flat=True)
            .distinct()
        )
        return [(province, province) for province in provinces]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(hospital__province=self.value())
        return queryset


DEPARTMENT_FILTER = DepartmentFilter


# -- bases ----------------------------------------------------------------------------------------
class TrackedAdmin(SimpleHistoryAdmin):
    """History and revert on every object; change forms carry their version (no lost updates)."""

    form = ConcurrencyGuardForm
    # The paginator's count is enough; a second COUNT(*) of the whole table is not.
    show_full_result_count = False

    # -- ids typed into history URLs: a 404, not django-simple-history's 500 -----------------
    def _require_id(self, value, what):
        value = unquote(str(value))
        if isinstance(self.model._meta.pk, IntegerField):
            valid = is_database_integer(value)
        else:
            try:
                self.model._meta.pk.to_python(value)
                valid = True
            except ValidationError:
                valid = False
        if not valid:
            raise Http404(f"No {self.model._meta.verbose_name} {what} “{value[:40]}”.")

    def history_view(self, request, object_id, extra_context=None):
        self._require_id(object_id, "with id")
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._require_id(object_id, "with id")
        if not is_database_integer(unquote(str(version_id))):
            raise Http404(f"No version “{str(version_id)[:40]}” of this record.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_fieldsets(self, request, obj=None):
        # Each Chinese version (departments.translation) on one line beside its English field.
        fieldsets = [
            (
                name,
                {
                    **options,
                    "fields": side_by_side(
                        self.model, [f for f in options["fields"] if f != TOKEN_FIELD]
                    ),
                },
            )
            for name, options in super().get_fieldsets(request, obj)
        ]
        if obj is not None and not self.has_change_permission(request, obj):
            return fieldsets  # view only: nothing to guard
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], TOKEN_FIELD]}), *rest]


class ScopedAdmin(DepartmentScopedMixin, ImportExportMixin, TrackedAdmin):
    """A department or a row that belongs to one: scoped to the user's departments."""

    formats = [base_formats.CSV, base_formats.JSON]

    def export_action(self, request):
        """The export page with the list's filters. A filter the list does not offer
        (`?nonexistent=1`, `?id__in=abc`) is refused with a message, as the list itself does,
        instead of django-import-export's 500."""
        try:
            return super().export_action(request)
        except (IncorrectLookupParameters, FieldError, ValidationError, ValueError) as exc:
            self.message_user(
                request,
                f"The export was not made: its filters are not valid ({exc}). Choose the rows "
                "with the list's own filters and search, then export again.",
                messages.ERROR,
            )
            opts = self.model._meta
            changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            return HttpResponseRedirect(changelist)

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        # An import with any invalid row writes nothing (the default keeps the valid rows).
        kwargs.setdefault("rollback_on_validation_errors", True)
        return kwargs

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            self.message_user(
                request,
                "The import was not applied because some rows are invalid; nothing was written. "
                "Correct the file and import it again to see the rows' errors.",
                messages.ERROR,
            )
            opts = self.model._meta
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_import"))
        return super().process_result(result, request)


class ChildAdmin(ScopedAdmin):
    """A row of a department section, on its own page (it is also inline on the department).

    Its import/export resource comes from the section (`departments.sections`).

    Saving or deleting one here also notes the change on its department (a history row and a new
    `updated_at`), so an open department form cannot overwrite it and the public page's "last
    updated" date moves.
    """

    autocomplete_fields = ["department", "source"]
    list_select_related = ["department"]

    def get_resource_classes(self, request):
        return [section_resource(self.model)]

    def _touch(self, department_ids, verb, obj_label):
        for department_id in {*department_ids} - {None}:
            touch_department(department_id, reason=f"{verb} {obj_label}")

    def save_model(self, request, obj, form, change):
        previous = None
        if change:
            previous = (
                type(obj)
                ._default_manager.filter(pk=obj.pk)
                .values_list("department_id", flat=True)
                .first()
            )
        super().save_model(request, obj, form, change)
        label = f"{obj._meta.verbose_name} “{obj}”"
        self._touch([obj.department_id, previous], "Changed" if change else "Added", label)

    def delete_model(self, request, obj):
        department_id, label = obj.department_id, f"{obj._meta.verbose_name} “{obj}”"
        super().delete_model(request, obj)
        self._touch([department_id], "Deleted", label)

    def delete_queryset(self, request, queryset):
        department_ids = set(queryset.values_list("department_id", flat=True))
        super().delete_queryset(request, queryset)
        self._touch(department_ids, "Deleted", str(self.model._meta.verbose_name_plural))

    def process_result(self, result, request):
        response = super().process_result(result, request)
        if not (result.has_errors() or result.has_validation_errors()):
            written = {RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE}
            department_ids = {
                row.instance.department_id
                for row in result.rows
                if row.import_type in written and row.instance is not None
            }
            label = f"{self.model._meta.verbose_name_plural} (import)"
            self._touch(department_ids, "Imported", label)
        return response


# -- department inlines ---------------------------------------------------------------------------
def _attrs_html(attrs):
    """As django/forms/widgets/attrs.html writes them."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


def _input_html(widget):
    value = "" if widget["value"] is None else format_html(' value="{}"', widget["value"])
    return format_html(
        '<input type="{}" name="{}"{}{}>',
        widget["type"],
        widget["name"],
        value,
        _attrs_html(widget["attrs"]),
    )


def _textarea_html(widget):
    return format_html(
        '<textarea name="{}"{}>\n{}</textarea>',
        widget["name"],
        _attrs_html(widget["attrs"]),
        widget["value"] or "",
    )


def _option_html(option):
    return format_html(
        '\n  <option value="{}"{}>{}</option>\n',
        option["value"],
        _attrs_html(option["attrs"]),
        option["label"],
    )


def _optgroup_html(group_name, options):
    html = format_html_join("", "{}", ((_option_html(option),) for option in options))
    if group_name:
        return format_html('\n  <optgroup label="{}">{}\n  </optgroup>', group_name, html)
    return html


def _select_html(widget):
    groups = format_html_join(
        "", "{}", ((_optgroup_html(name, options),) for name, options, _ in widget["optgroups"])
    )
    return format_html(
        '<select name="{}"{}>{}\n</select>', widget["name"], _attrs_html(widget["attrs"]), groups
    )


class DirectWidgetRenderer(DjangoTemplates):
    """Writes the common widgets as Django's own templates do, without rendering them.

    A department's change page holds some 700 widgets in its inline rows; rendering each
    through its templates (an include per attribute list and per <option>) was most of the
    page's time. Any other template renders as usual.
    """

    WRITERS = {
        **{
            f"django/forms/widgets/{kind}.html": _input_html
            for kind in ("input", "text", "number", "hidden", "email", "checkbox")
        },
        "django/forms/widgets/textarea.html": _textarea_html,
        "django/forms/widgets/select.html": _select_html,
    }

    def render(self, template_name, context, request=None):
        writer = self.WRITERS.get(template_name)
        if writer is None or "widget" not in context:
            return super().render(template_name, context, request)
        return writer(context["widget"]).strip()


class PreloadedChoiceMixin:
    """An autocomplete that names its chosen options from objects loaded with its row.

    Django's autocomplete reads its chosen option's label with one query per widget: one per
    inline row and field on a department's page. `PreloadedChoicesForm` hands the widget the
    related objects its row was read with (`preloaded`, keyed by pk); any other value (a
    re-rendered POST) is read as usual, from the field's scoped queryset.
    """

    preloaded = None

    def optgroups(self, name, value, attr=None):
        empty = self.choices.field.empty_values
        chosen = list(dict.fromkeys(str(v) for v in value if str(v) not in empty))
        preloaded = self.preloaded or {}
        if not chosen or not set(chosen) <= preloaded.keys():
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required and not self.allow_multiple_selected:
            options.append(self.create_option(name, "", "", False, 0))
        label = self.choices.field.label_from_instance
        for key in chosen:
            options.append(self.create_option(name, key, label(preloaded[key]), True, len(options)))
        return [(None, options, 0)]


class PreloadedAutocompleteSelect(PreloadedChoiceMixin, AutocompleteSelect):
    pass


class PreloadedAutocompleteSelectMultiple(PreloadedChoiceMixin, AutocompleteSelectMultiple):
    pass


class PreloadedChoicesForm(forms.ModelForm):
    """An inline row's form: widgets written directly (`DirectWidgetRenderer`), and each
    preloading autocomplete given the related objects its row was read with
    (`permissions.ScopedInlineMixin.get_queryset` joins and prefetches them)."""

    default_renderer = DirectWidgetRenderer()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        prefetched = getattr(instance, "_prefetched_objects_cache", {})
        for name, formfield in self.fields.items():
            widget = formfield.widget
            if isinstance(widget, RelatedFieldWidgetWrapper):
                widget = widget.widget
            if not isinstance(widget, PreloadedChoiceMixin):
                continue
            field = instance._meta.get_field(name)
            if field.many_to_many:
                if name not in prefetched:
                    continue
                objs = prefetched[name]
            elif field.is_cached(instance):
                objs = [field.get_cached_value(instance)]
            else:
                continue
            widget.preloaded = {str(obj.pk): obj for obj in objs if obj is not None}


class ChildInline(ScopedInlineMixin, admin.TabularInline):
    """A section's rows on the department's change page.

    Every choice over another table is an autocomplete (`autocomplete_fields`: the source, and
    the vocabulary, trial or person a row names); each names its chosen option from the row's
    preloaded objects.
    """

    extra = 0
    show_change_link = True
    classes = ["collapse"]
    form = PreloadedChoicesForm
    autocomplete_fields = ["source"]

    def get_fields(self, request, obj=None):
        # Each Chinese version (departments.translation) in the column after its English one.
        return side_by_side(self.model, super().get_fields(request, obj), flat=True)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget",
                PreloadedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using")),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget",
                PreloadedAutocompleteSelectMultiple(
                    db_field, self.admin_site, using=kwargs.get("using")
                ),
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(formfield.widget, RelatedFieldWidgetWrapper):
            # No add/change/delete/view links beside each row's choices: dozens of rows, and
            # each row links to its own page; the vocabulary is kept on its own pages.
            formfield.widget = formfield.widget.widget
        return formfield


class CancerTypeLinkInline(ChildInline):
    model = models.DepartmentCancerType
    autocomplete_fields = ["cancer_type", "source"]
    fields = ["cancer_type", "relation", "wording", "sort_order", "source", "excerpt"]


class ServiceLinkInline(ChildInline):
    model = models.DepartmentService
    autocomplete_fields = ["service", "source"]
    fields = ["service", "wording", "detail", "sort_order", "source", "excerpt"]


QUANTITY_FIELDS = ["qualifier", "value", "value_max", "unit", "wording", "period"]


class StaffCountInline(ChildInline):
    model = models.StaffCount
    fields = ["role", *QUANTITY_FIELDS, "sort_order", "source", "excerpt"]


class DesignationInline(ChildInline):
    model = models.Designation
    fields = ["name", "level", "awarded_by", "year", "sort_order", "source", "excerpt"]


class ResearchDirectionInline(ChildInline):
    model = models.ResearchDirection
    fields = ["name", "kind", "sort_order", "source", "excerpt"]


class ProgrammeInline(ChildInline):
    model = models.Programme
    fields = ["name", "description", "started_year", "sort_order", "source", "excerpt"]


class EducationInline(ChildInline):
    model = models.EducationActivity
    fields = ["name", "kind", "description", *QUANTITY_FIELDS, "sort_order", "source", "excerpt"]


class AwardInline(ChildInline):
    model = models.Award
    fields = ["name", "level", "year", *QUANTITY_FIELDS, "sort_order", "source", "excerpt"]


class StatisticInline(ChildInline):
    model = models.AnnualStatistic
    fields = ["metric", *QUANTITY_FIELDS, "sort_order", "source", "excerpt"]


class FundingInline(ChildInline):
    model = models.FundingAward
    fields = [
        "funder",
        "programme",
        "level",
        *QUANTITY_FIELDS,
        "sort_order",
        "source",
        "excerpt",
    ]


class OutputInline(ChildInline):
    model = models.ResearchOutput
    autocomplete_fields = ["person", "source"]
    fields = [
        "kind",
        "role",
        "title",
        "publisher",
        "person",
        *QUANTITY_FIELDS,
        "sort_order",
        "source",
        "excerpt",
    ]


class PersonInline(ChildInline):
    model = models.Person
    fields = ["name", "honorific", "role", "bio", "source", "excerpt"]


class DepartmentEditorInline(admin.TabularInline):
    """Who may edit this department (curators only: editors have no permission on grants)."""

    model = models.DepartmentEditor
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "created_at"]
    readonly_fields = ["created_at"]
    verbose_name = "editor"
    verbose_name_plural = "editors (staff users who keep this department current)"


# -- departments ----------------------------------------------------------------------------------
class VerificationFilter(admin.SimpleListFilter):
    title = "verification"
    parameter_name = "verification"

    def lookups(self, request, model_admin):
        return [
            ("stale", "Stale: not verified for 12 months"),
            ("current", "Verified in the last 12 months"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "stale":
            return queryset.stale()
        if self.value() == "current":
            return queryset.exclude(pk__in=models.Department.objects.stale().values("pk"))
        return queryset


@admin.register(models.Department)
class DepartmentAdmin(ScopedAdmin):
    department_lookup = "pk"
    resource_classes = [DepartmentResource]
    list_display = [
        "name",
        "hospital",
        "kind",
        "founded_date",
        "phone",
        "verification",
        "updated_at",
    ]
    list_filter = [VerificationFilter, "kind", HospitalFilter, ProvinceFilter]
    search_fields = ["name", "slug", "summary", "hospital__name", "hospital__short_name"]
    list_select_related = ["hospital"]
    autocomplete_fields = ["hospital", "leader", "source"]
    actions = ["mark_verified"]
    fieldsets = [
        (None, {"fields": ["hospital", "name", "slug", "kind", "founded_date", "leader"]}),
        ("About", {"fields": ["summary", "description", "mission", "goals"]}),
        ("Contact", {"fields": ["phone", "email", "address", "website"]}),
        (
            "Source and currency",
            {
                "fields": [
                    "source",
                    "excerpt",
                    "source_last_updated",
                    "source_last_updated_text",
                    "last_verified",
                    "verification",
                    "updated_at",
                ]
            },
        ),
    ]
    # Editors keep their department current; moving it or changing its public URL is curators'.
    EDITOR_READONLY = ["hospital", "slug"]

    def get_inlines(self, request, obj):
        """Each section's inline (other apps' sections too), in page order, then the editors."""
        sections = [section for section in model_sections() if section.inline]
        return [*(section.inline_class() for section in sections), DepartmentEditorInline]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["verification", "updated_at"]
        if editable_department_ids(request) is not None:
            readonly = [*self.EDITOR_READONLY, *readonly]
        return readonly

    def get_prepopulated_fields(self, request, obj=None):
        # Not a class attribute: simple-history's revert form reads that directly, and editors
        # have no slug field to fill.
        if editable_department_ids(request) is not None:
            return {}
        return {"slug": ["name"]}

    @admin.display(description="verification", ordering="last_verified")
    def verification(self, obj):
        verified = formats.date_format(obj.last_verified) if obj.last_verified else None
        if obj.is_stale:
            since = f"last verified {verified}" if verified else "never verified"
            return format_html('<strong class="stale-flag">Stale</strong> ({})', since)
        return format_html("Verified {}", verified)

    @admin.action(description="Mark verified today", permissions=["change"])
    def mark_verified(self, request, queryset):
        today = timezone.localdate()
        count = 0
        for department in queryset:
            if not self.has_change_permission(request, department):
                continue
            department.last_verified = today
            department._change_reason = "Marked verified"
            department.save(update_fields=["last_verified", "updated_at"])
            count += 1
        self.message_user(
            request, f"Marked {count} department{'s' if count != 1 else ''} verified today."
        )

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is models.DepartmentEditor:
            # A grant made here works like `add_department_editor`: staff, editor group.
            for link in [*formset.new_objects, *(obj for obj, _ in formset.changed_objects)]:
                grant_department_editor(user=link.user, department=link.department)


@admin.register(models.DepartmentEditor)
class DepartmentEditorAdmin(TrackedAdmin):
    list_display = ["user", "department", "created_at"]
    list_filter = [DEPARTMENT_FILTER]
    search_fields = ["user__username", "user__email", "department__name", "department__slug"]
    list_select_related = ["user", "department"]
    autocomplete_fields = ["user", "department"]
    readonly_fields = ["created_at"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        grant_department_editor(user=obj.user, department=obj.department)


# -- rows that belong to a department -------------------------------------------------------------
@admin.register(models.Person)
class PersonAdmin(ChildAdmin):
    list_display = ["__str__", "role", "department"]
    list_filter = [DEPARTMENT_FILTER]
    search_fields = ["name", "role", "department__name"]


@admin.register(models.DepartmentCancerType)
class DepartmentCancerTypeAdmin(ChildAdmin):
    list_display = ["cancer_type", "department", "relation", "wording"]
    list_filter = ["relation", DEPARTMENT_FILTER]
    search_fields = ["cancer_type__name", "wording", "department__name"]
    list_select_related = ["department", "cancer_type"]
    autocomplete_fields = ["department", "cancer_type", "source"]


@admin.register(models.DepartmentService)
class DepartmentServiceAdmin(ChildAdmin):
    list_display = ["service", "department", "wording"]
    list_filter = ["service__category", DEPARTMENT_FILTER]
    search_fields = ["service__name", "wording", "detail", "department__name"]
    list_select_related = ["department", "service"]
    autocomplete_fields = ["department", "service", "source"]


QUANTITY_COLUMNS = ["display_figure", "qualifier", "period"]


class QuantityColumns:
    @admin.display(description="figure")
    def display_figure(self, obj):
        return obj.display or "—"


@admin.register(models.StaffCount)
class StaffCountAdmin(QuantityColumns, ChildAdmin):
    list_display = ["role", "department", *QUANTITY_COLUMNS]
    list_filter = ["qualifier", DEPARTMENT_FILTER]
    search_fields = ["role", "wording", "department__name"]


@admin.register(models.Designation)
class DesignationAdmin(ChildAdmin):
    list_display = ["name", "department", "level", "awarded_by", "year"]
    list_filter = ["level", DEPARTMENT_FILTER]
    search_fields = ["name", "awarded_by", "department__name"]


@admin.register(models.ResearchDirection)
class ResearchDirectionAdmin(ChildAdmin):
    list_display = ["name", "department", "kind"]
    list_filter = ["kind", DEPARTMENT_FILTER]
    search_fields = ["name", "department__name"]


@admin.register(models.Programme)
class ProgrammeAdmin(ChildAdmin):
    list_display = ["name", "department", "started_year"]
    list_filter = [DEPARTMENT_FILTER]
    search_fields = ["name", "description", "department__name"]


@admin.register(models.EducationActivity)
class EducationActivityAdmin(QuantityColumns, ChildAdmin):
    list_display = ["name", "department", "kind", *QUANTITY_COLUMNS]
    list_filter = ["kind", DEPARTMENT_FILTER]
    search_fields = ["name", "description", "wording", "department__name"]


@admin.register(models.Award)
class AwardAdmin(QuantityColumns, ChildAdmin):
    list_display = ["name", "department", "level", "year", *QUANTITY_COLUMNS]
    list_filter = ["level", DEPARTMENT_FILTER]
    search_fields = ["name", "department__name"]


@admin.register(models.AnnualStatistic)
class AnnualStatisticAdmin(QuantityColumns, ChildAdmin):
    list_display = ["metric", "department", *QUANTITY_COLUMNS]
    list_filter = ["qualifier", DEPARTMENT_FILTER]
    search_fields = ["metric", "wording", "department__name"]


@admin.register(models.FundingAward)
class FundingAwardAdmin(QuantityColumns, ChildAdmin):
    list_display = ["programme", "funder", "department", "level", *QUANTITY_COLUMNS]
    list_filter = ["level", DEPARTMENT_FILTER]
    search_fields = ["funder", "programme", "wording", "department__name"]


@admin.register(models.ResearchOutput)
class ResearchOutputAdmin(QuantityColumns, ChildAdmin):
    list_display = ["__str__", "department", "kind", "role", *QUANTITY_COLUMNS]
    list_filter = ["kind", "role", DEPARTMENT_FILTER]
    search_fields = ["title", "publisher", "wording", "department__name"]
    list_select_related = ["department", "person"]
    autocomplete_fields = ["department", "person", "source"]


# -- curators only: hospitals, vocabulary, sources ------------------------------------------------
@admin.register(models.Hospital)
class HospitalAdmin(TrackedAdmin):
    list_display = ["display_name", "short_name", "city", "province", "founded_year", "beds"]
    list_filter = ["province"]  # a few dozen; cities grow with hospitals (search finds them)
    search_fields = ["name", "short_name", "name_zh", "city", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["source"]


class CancerTypeAliasInline(admin.TabularInline):
    model = models.CancerTypeAlias
    extra = 0
    fields = ["text", "kind"]


@admin.register(models.CancerType)
class CancerTypeAdmin(AutocompleteForEditorsMixin, TrackedAdmin):
    list_display = ["name", "name_zh", "parent", "icd10", "sort_order"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "name_zh", "slug", "icd10", "aliases__text"]
    list_select_related = ["parent"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    inlines = [CancerTypeAliasInline]


@admin.register(models.CancerTypeAlias)
class CancerTypeAliasAdmin(TrackedAdmin):
    list_display = ["text", "kind", "cancer_type", "normalised"]
    list_filter = ["kind"]
    search_fields = ["text", "normalised", "cancer_type__name"]
    list_select_related = ["cancer_type"]
    autocomplete_fields = ["cancer_type"]


class ServiceAliasInline(admin.TabularInline):
    model = models.ServiceAlias
    extra = 0
    fields = ["text", "kind"]


@admin.register(models.Service)
class ServiceAdmin(AutocompleteForEditorsMixin, TrackedAdmin):
    list_display = ["name", "name_zh", "category"]
    list_filter = ["category"]
    search_fields = ["name", "name_zh", "slug", "aliases__text"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ServiceAliasInline]


@admin.register(models.ServiceAlias)
class ServiceAliasAdmin(TrackedAdmin):
    list_display = ["text", "kind", "service", "normalised"]
    list_filter = ["kind", "service__category"]
    search_fields = ["text", "normalised", "service__name"]
    list_select_related = ["service"]
    autocomplete_fields = ["service"]


@admin.register(models.Source)
class SourceAdmin(AutocompleteForEditorsMixin, TrackedAdmin):
    list_display = ["title", "kind", "file_name", "last_updated_text"]
    list_filter = ["kind"]
    search_fields = ["title", "file_name", "slug"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        match = getattr(request, "resolver_match", None)
        if match and match.url_name in ("autocomplete", "departments_source_changelist"):
            return queryset.defer("text")  # a source's full text: only its own page shows it
        return queryset
