from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from pes.core.demo import DEMO_PASSWORD, SIZES, seed_modules, seed_organizations, seed_users
from pes.registry.models import Membership, Organization


class Command(BaseCommand):
    help = "Fill PES with realistic Italian demo data; deterministic for a given --seed."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--size", choices=sorted(SIZES), default="metro")
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing if organisations already exist"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        size, seed = options["size"], options["seed"]
        if options["if_empty"] and Organization.objects.exists():
            self.stdout.write("Demo data already present: nothing to do.")
        else:
            started = time.perf_counter()
            count, seconds = seed_organizations(count=SIZES[size], seed=seed)
            self.stdout.write(f"{count} organisations in {seconds:.1f} s.")
            seed_users()  # the modules' demo data reuse the demo people
            seed_modules(size=size, seed=seed, log=self.stdout.write)
            self.stdout.write(f"Demo data in {time.perf_counter() - started:.1f} s.")
        logins = seed_users()
        member_org = Membership.objects.filter(user__email="member@pes.example").first()
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}):")
        for login in logins:
            note = login.note
            if login.email.startswith("member@") and member_org:
                note += f" ({member_org.organization.name})"
            self.stdout.write(f"  {login.email:<26} {login.role:<11} {note}")
