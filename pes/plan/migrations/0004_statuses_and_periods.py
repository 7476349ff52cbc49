from django.db import migrations


def load(apps, schema_editor):
    from pes.plan.seed import load_statuses_and_periods

    load_statuses_and_periods(apps)


class Migration(migrations.Migration):
    dependencies = [("plan", "0003_monitoring")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
