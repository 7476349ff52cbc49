from django.db import migrations


def load(apps, schema_editor):
    from pes.territory.loader import load_territory

    load_territory(apps)


class Migration(migrations.Migration):
    dependencies = [("territory", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
