"""Fill the search index from the records already in the database (rankindex.rebuild_all)."""

from django.db import migrations


def build(apps, schema_editor):
    from oncology_portal.rankindex import rebuild_all

    if schema_editor.connection.alias == "default":
        rebuild_all()


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_search_index")]

    operations = [migrations.RunPython(build, migrations.RunPython.noop, elidable=True)]
