from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pes.registry.importer import ImportFileError, import_organizations


class Command(BaseCommand):
    help = (
        "Import organisations from a CSV (UTF-8 or Latin-1, ';' or ',') or XLSX file. "
        "Atomic by default: if any row is bad nothing is written and every bad row is listed."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--layout",
            choices=["pes", "runts"],
            default="pes",
            help="pes: named columns (docs/registry.md); runts: the RUNTS bulk export by position",
        )
        parser.add_argument(
            "--skip-invalid", action="store_true", help="write the valid rows, skip the bad ones"
        )
        parser.add_argument("--encoding", help="force the CSV encoding (default: detect)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"File not found: {path}")
        try:
            with path.open("rb") as fh:
                report = import_organizations(
                    fh,
                    filename=path.name,
                    layout=options["layout"],
                    skip_invalid=options["skip_invalid"],
                    encoding=options["encoding"],
                )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        for error in report.errors:
            self.stderr.write(str(error))
        self.stdout.write(report.summary())
        if report.errors and not options["skip_invalid"]:
            raise CommandError(
                f"{len({e.row for e in report.errors})} rows have errors: nothing was written."
            )
        if report.errors:
            self.stdout.write(self.style.WARNING("Rows with errors were skipped."))
        else:
            self.stdout.write(self.style.SUCCESS("Import complete."))
