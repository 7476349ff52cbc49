from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("volunteering", "0002_skills")]

    operations = [
        migrations.AddField(
            model_name="opportunity",
            name="next_shift_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="next shift"
            ),
        ),
        migrations.AddField(
            model_name="opportunity",
            name="upcoming_shifts",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="upcoming shifts"
            ),
        ),
        migrations.AddIndex(
            model_name="opportunity",
            index=models.Index(
                fields=["next_shift_at", "title", "id"], name="opp_next_shift_order"
            ),
        ),
        migrations.AddIndex(
            model_name="shift",
            index=models.Index(
                fields=["opportunity", "status", "starts_at"], name="shift_opp_status_start"
            ),
        ),
    ]
