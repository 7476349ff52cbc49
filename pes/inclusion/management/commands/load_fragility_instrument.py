from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from pes.inclusion.instrument import DEFAULT_INSTRUMENT
from pes.inclusion.services import instrument_load


class Command(BaseCommand):
    help = (
        "Load a version of the fragility-assessment instrument from a JSON file (items with "
        "dimension and weight, the answer scale and the band thresholds); it becomes the one "
        "in use. Without a file, loads the bundled example."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default=str(DEFAULT_INSTRUMENT))

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        try:
            definition = json.loads(path.read_text(encoding="utf-8"))
            loaded = instrument_load(definition=definition)
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"Loaded {loaded} ({len(definition['items'])} items).")
