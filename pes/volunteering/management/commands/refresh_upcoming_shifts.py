from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_tasks import TaskResultStatus

from pes.volunteering.tasks import refresh_upcoming_shifts


class Command(BaseCommand):
    help = (
        "Enqueue the task that recomputes every volunteering opportunity's stored next shift "
        "and number of upcoming shifts. Meant for cron, e.g. once a night."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = refresh_upcoming_shifts.enqueue()
        if result.status == TaskResultStatus.SUCCESSFUL:
            self.stdout.write(f"Opportunities refreshed: {result.return_value}.")
        elif result.status == TaskResultStatus.FAILED:
            raise CommandError(f"The refresh task failed (task {result.id}).")
        else:
            self.stdout.write(f"Refresh task enqueued (task {result.id}).")
