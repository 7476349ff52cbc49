"""Load the clause library (Italian labels) and the social-value proxy table."""

from django.db import migrations


def load(apps, schema_editor):
    from pes.procurement.library import load_library

    load_library(apps)


class Migration(migrations.Migration):
    dependencies = [("procurement", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
