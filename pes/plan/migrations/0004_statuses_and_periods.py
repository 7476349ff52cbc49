import datetime as dt
from decimal import Decimal

from django.db import migrations

STATUSES = [
    ("planned", "Programmata", Decimal(0), False),
    ("started", "Avviata", Decimal(10), False),
    ("in-progress", "In corso", Decimal(50), False),
    ("advanced", "In fase avanzata", Decimal(80), False),
    ("completed", "Conclusa", Decimal(100), True),
    ("suspended", "Sospesa", None, False),
    ("cancelled", "Annullata", None, True),
]


def load(apps, schema_editor):
    Status = apps.get_model("plan", "InitiativeStatus")
    Plan = apps.get_model("plan", "Plan")
    Period = apps.get_model("plan", "ReportingPeriod")
    for order, (key, name, progress, closed) in enumerate(STATUSES):
        Status.objects.update_or_create(
            key=key,
            defaults={"name": name, "default_progress": progress, "order": order, "is_closed": closed},
        )
    plan = Plan.objects.first()
    if plan is None:
        return
    for year in range(plan.focus_start_year, plan.focus_end_year + 1):
        for half, (start, end, due) in enumerate(
            [
                (dt.date(year, 1, 1), dt.date(year, 6, 30), dt.date(year, 7, 31)),
                (dt.date(year, 7, 1), dt.date(year, 12, 31), dt.date(year + 1, 1, 31)),
            ],
            start=1,
        ):
            Period.objects.update_or_create(
                plan=plan,
                start=start,
                defaults={"name": f"{half}º semestre {year}", "end": end, "due_date": due},
            )


class Migration(migrations.Migration):
    dependencies = [("plan", "0003_monitoring")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
