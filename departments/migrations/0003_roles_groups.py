"""Create the two admin roles as groups: "Curator" and "Department editor".

Curators may add, change, delete and view everything in the departments app (the vocabulary,
hospitals, sources, every department and the editor grants) and hold
`edit_all_departments`, which lifts the per-department scoping in admin.
Department editors may view and change a department and add, change, delete and view what
belongs to one; *which* departments is decided by their DepartmentEditor rows, not by the group.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATOR = "Curator"
EDITOR = "Department editor"

# What a department editor may touch (the models that belong to one department).
EDITOR_OWNED = [
    "person",
    "departmentcancertype",
    "departmentservice",
    "staffcount",
    "designation",
    "researchdirection",
    "programme",
    "educationactivity",
    "award",
    "annualstatistic",
    "fundingaward",
    "researchoutput",
]
EDITOR_CODENAMES = ["view_department", "change_department"] + [
    f"{action}_{model}" for model in EDITOR_OWNED for action in ("add", "change", "delete", "view")
]


def ensure_permissions(apps, label):
    """Permissions are normally created after migrating; this data migration needs them now."""
    app_config = apps.get_app_config(label)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None


def create_groups(apps, schema_editor):
    ensure_permissions(apps, "departments")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    app_perms = Permission.objects.filter(content_type__app_label="departments").exclude(
        content_type__model__startswith="historical"
    )
    curator, _ = Group.objects.get_or_create(name=CURATOR)
    curator.permissions.add(*app_perms)
    editor, _ = Group.objects.get_or_create(name=EDITOR)
    editor.permissions.add(*app_perms.filter(codename__in=EDITOR_CODENAMES))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[CURATOR, EDITOR]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("departments", "0002_history_and_editors"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
