from django.db import migrations


def load(apps, schema_editor):
    from pes.plan.seed import load_plan

    load_plan(apps)


class Migration(migrations.Migration):
    dependencies = [("plan", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
