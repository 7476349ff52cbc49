from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from pes.inclusion import stats


class Command(BaseCommand):
    help = (
        "Recompute the statistics roll-up of work inclusion (the dashboard's counts) from "
        "the cases. The services keep it up to date; run this after loading or changing "
        "cases by other means (imports, the admin, the demo data). With --check, only "
        "report whether the stored counts match the cases."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--check", action="store_true", help="compare only; exit with status 1 if different"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        if options["check"]:
            computed, stored = stats.computed(), stats.stored()
            if computed != stored:
                wrong = sorted(
                    k for k in computed.keys() | stored.keys() if computed[k] != stored[k]
                )
                self.stderr.write(f"{len(wrong)} counts out of date, e.g. {wrong[:5]}.")
                raise SystemExit(1)
            self.stdout.write(f"The {len(stored)} counts are up to date.")
            return
        rows = stats.rebuild()
        self.stdout.write(
            f"Statistics rebuilt: {rows} counts in {time.perf_counter() - started:.1f} s."
        )
