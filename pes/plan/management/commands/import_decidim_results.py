from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from pes.accounts.models import User
from pes.lib.validation import clean_codice_fiscale
from pes.plan.decidim import ImportFileError, action_from_code, import_results
from pes.registry.models import Organization


class Command(BaseCommand):
    help = (
        "Import results exported by Decidim's accountability component (CSV, ';') as initiatives. "
        "Atomic: if any row is bad nothing is written and every bad row is listed. "
        "See docs/decidim.md."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--action",
            help="code of the Plan action (e.g. 2.1) for new initiatives whose row names none",
        )
        parser.add_argument(
            "--lead", help="codice fiscale of the organisation leading the new initiatives"
        )
        parser.add_argument("--user", help="e-mail of the user the audit log records")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"File not found: {path}")
        action = None
        if options["action"]:
            action = action_from_code(options["action"])
            if action is None:
                raise CommandError(f"The Plan has no action {options['action']!r}.")
        lead = None
        if options["lead"]:
            try:
                cf = clean_codice_fiscale(options["lead"])
            except ValidationError as exc:
                raise CommandError(f"Invalid codice fiscale {options['lead']!r}.") from exc
            lead = Organization.objects.filter(codice_fiscale=cf).first()
            if lead is None:
                raise CommandError(f"No organisation has codice fiscale {cf}.")
        user = None
        if options["user"]:
            user = User.objects.filter(email__iexact=options["user"]).first()
            if user is None:
                raise CommandError(f"No user has e-mail {options['user']!r}.")
        try:
            with path.open("rb") as fh:
                report = import_results(fh, filename=path.name, action=action, lead=lead, user=user)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        for error in report.errors:
            self.stderr.write(str(error))
        self.stdout.write(report.summary())
        if report.errors:
            raise CommandError(
                f"{len({e.row for e in report.errors})} rows have errors: nothing was written."
            )
        self.stdout.write(self.style.SUCCESS("Import complete."))
