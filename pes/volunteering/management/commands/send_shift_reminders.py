from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_tasks import TaskResultStatus

from pes.volunteering.tasks import send_shift_reminders


class Command(BaseCommand):
    help = (
        "Enqueue the task that reminds everyone confirmed on a shift starting within 48 hours "
        "(once per booking). Meant for cron, e.g. every hour."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = send_shift_reminders.enqueue()
        if result.status == TaskResultStatus.SUCCESSFUL:
            self.stdout.write(f"Shift reminders sent: {result.return_value}.")
        elif result.status == TaskResultStatus.FAILED:
            raise CommandError(f"The reminder task failed (task {result.id}).")
        else:
            self.stdout.write(f"Reminder task enqueued (task {result.id}).")
