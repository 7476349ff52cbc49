from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from pes.plan.decidim import export_results


class _Out:
    def __init__(self, command: BaseCommand) -> None:
        self.command = command

    def write(self, value: str) -> None:
        self.command.stdout.write(value, ending="")


class Command(BaseCommand):
    help = (
        "Export the initiatives as results of Decidim's accountability component "
        "(CSV, UTF-8, ';'). See docs/decidim.md."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", nargs="?", type=Path, help="output file; '-' or none: stdout")
        parser.add_argument(
            "--layout",
            choices=["new", "old"],
            default="new",
            help="new: taxonomies (Decidim 0.28 and later); old: categories and scopes",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path | None = options["file"]
        rows = export_results(layout=options["layout"])
        count = -1
        if path is None or str(path) == "-":
            writer = csv.writer(_Out(self), delimiter=";")
            for row in rows:
                writer.writerow(row)
                count += 1
        else:
            with path.open("w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh, delimiter=";")
                for row in rows:
                    writer.writerow(row)
                    count += 1
        self.stderr.write(f"{max(count, 0)} results exported.")
