"""Store every opportunity's next upcoming open shift and their number (the same computation
as ``services.upcoming_shifts_refresh``, on the historical models)."""

from django.db import migrations
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone


def backfill(apps, schema_editor):
    Opportunity = apps.get_model("volunteering", "Opportunity")
    Shift = apps.get_model("volunteering", "Shift")
    upcoming = Shift.objects.filter(
        opportunity=OuterRef("pk"), status="open", starts_at__gt=timezone.now()
    )
    Opportunity.objects.update(
        next_shift_at=Subquery(upcoming.order_by("starts_at").values("starts_at")[:1]),
        upcoming_shifts=Coalesce(
            Subquery(
                upcoming.order_by().values("opportunity").annotate(n=Count("pk")).values("n")
            ),
            0,
        ),
    )


class Migration(migrations.Migration):
    dependencies = [("volunteering", "0003_opportunity_next_shift")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
