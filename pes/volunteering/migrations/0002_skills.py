from django.db import migrations


def load(apps, schema_editor):
    from pes.volunteering.reference import load_skills

    load_skills(apps.get_model("volunteering", "Skill"))


class Migration(migrations.Migration):
    dependencies = [("volunteering", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
