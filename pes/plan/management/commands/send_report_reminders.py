from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_tasks import TaskResultStatus

from pes.plan.tasks import send_report_reminders


class Command(BaseCommand):
    help = (
        "Enqueue the task that e-mails the leads of initiatives with an overdue report "
        "(once per initiative and period). Meant for cron."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = send_report_reminders.enqueue()
        if result.status == TaskResultStatus.SUCCESSFUL:
            self.stdout.write(f"Reminders sent for {result.return_value} overdue reports.")
        elif result.status == TaskResultStatus.FAILED:
            raise CommandError(f"The reminder task failed (task {result.id}).")
        else:
            self.stdout.write(f"Reminder task enqueued (task {result.id}).")
