from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from pes.collaboration.tasks import send_overdue_reminders


class Command(BaseCommand):
    help = "E-mail the owners and coordinators of overdue action items (once per item)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = send_overdue_reminders.enqueue()
        self.stdout.write(f"queued: {result.id}")
