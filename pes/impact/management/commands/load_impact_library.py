from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from pes.impact.library import load_library


class Command(BaseCommand):
    help = "Load (or update) the curated impact indicators and financial proxies."

    def handle(self, *args: Any, **options: Any) -> None:
        indicators, proxies = load_library()
        self.stdout.write(f"{indicators} indicators, {proxies} proxies loaded.")
