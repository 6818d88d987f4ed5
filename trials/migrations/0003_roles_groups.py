"""Give the "Curator" and "Department editor" groups their permissions in the trials app.

Curators edit trials, interventions, trial sites and trial activity; department editors add,
change, delete and view their own departments' trial sites and trial activity only.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATOR = "Curator"
EDITOR = "Department editor"
EDITOR_CODENAMES = [
    f"{action}_{model}"
    for model in ("trialsite", "trialactivity")
    for action in ("add", "change", "delete", "view")
]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("trials")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    app_perms = Permission.objects.filter(content_type__app_label="trials").exclude(
        content_type__model__startswith="historical"
    )
    curator, _ = Group.objects.get_or_create(name=CURATOR)
    curator.permissions.add(*app_perms)
    editor, _ = Group.objects.get_or_create(name=EDITOR)
    editor.permissions.add(*app_perms.filter(codename__in=EDITOR_CODENAMES))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label="trials")
    for group in Group.objects.filter(name__in=[CURATOR, EDITOR]):
        group.permissions.remove(*perms)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("departments", "0003_roles_groups"),
        ("trials", "0002_history"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
