from django.db import migrations


def load(apps, schema_editor):
    from pes.impact.library import load_library

    load_library(apps)


class Migration(migrations.Migration):
    dependencies = [("impact", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
