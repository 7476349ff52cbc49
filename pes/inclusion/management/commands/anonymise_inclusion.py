from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_tasks import TaskResultStatus

from pes.inclusion.tasks import anonymise_expired


class Command(BaseCommand):
    help = (
        "Enqueue the retention task of work inclusion: people who asked for erasure, and "
        "those whose cases have been closed longer than INCLUSION_RETENTION_DAYS, are "
        "anonymised. Meant for cron, e.g. daily."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = anonymise_expired.enqueue()
        if result.status == TaskResultStatus.SUCCESSFUL:
            self.stdout.write(f"People anonymised: {result.return_value}.")
        elif result.status == TaskResultStatus.FAILED:
            raise CommandError(f"The retention task failed (task {result.id}).")
        else:
            self.stdout.write(f"Retention task enqueued (task {result.id}).")
