from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tasks import TaskResultStatus

from pes.finance.tasks import send_deadline_alerts


class Command(BaseCommand):
    help = (
        "Enqueue the task that e-mails each organisation the calls that fit it and close within "
        "the given days (once per call and organisation). Meant for cron, e.g. daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["days"] < 1:
            raise CommandError("--days must be at least 1.")
        result = send_deadline_alerts.enqueue(options["days"])
        if result.status == TaskResultStatus.SUCCESSFUL:
            self.stdout.write(f"Deadline alerts sent: {result.return_value}.")
        elif result.status == TaskResultStatus.FAILED:
            raise CommandError(f"The alert task failed (task {result.id}).")
        else:
            self.stdout.write(f"Alert task enqueued (task {result.id}).")
