from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from pes.registry.importer import export_rows, write_csv, write_xlsx


class Command(BaseCommand):
    help = "Export organisations in the import layout (CSV by default, XLSX by file name)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", nargs="?", type=Path, help="output file; '-' or none: stdout")
        parser.add_argument("--layout", choices=["pes", "runts"], default="pes")
        parser.add_argument("--delimiter", default=";")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path | None = options["file"]
        rows = export_rows(layout=options["layout"])
        if path is None or str(path) == "-":
            count = write_csv(sys.stdout, rows, delimiter=options["delimiter"])
        elif path.suffix.lower() == ".xlsx":
            count = write_xlsx(path, rows)
        else:
            with path.open("w", encoding="utf-8", newline="") as fh:
                count = write_csv(fh, rows, delimiter=options["delimiter"])
        self.stderr.write(f"{count} organisations exported.")
