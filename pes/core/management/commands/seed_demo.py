from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from pes.collaboration.demo import seed_collaboration
from pes.core.demo import (
    DEMO_PASSWORD,
    INITIATIVES,
    MODULE_ROWS,
    SIZES,
    TENDERS,
    VOLUNTEERS,
    seed_organizations,
    seed_users,
)
from pes.finance.demo import seed_finance
from pes.learning.demo import seed_learning
from pes.plan.demo import seed_plan
from pes.procurement.demo import seed_procurement
from pes.registry.models import Membership, Organization
from pes.services.demo import seed_services
from pes.volunteering.demo import seed_volunteering


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
            created = seed_plan(initiatives=INITIATIVES[size], seed=seed)
            self.stdout.write(f"{created} initiatives of the Plan.")
            # Demo bookings and invitations would e-mail demo people: keep them in memory.
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                volunteers = seed_volunteering(volunteers=VOLUNTEERS[size], seed=seed)
                self.stdout.write(f"{volunteers} volunteers.")
                tenders = seed_procurement(tenders=TENDERS[size], seed=seed)
                services = seed_services(services=MODULE_ROWS[size], seed=seed)
                courses = seed_learning(courses=MODULE_ROWS[size] // 2, seed=seed)
                tables = seed_collaboration(tables=MODULE_ROWS[size] // 10, seed=seed)
                calls = seed_finance(calls=MODULE_ROWS[size] // 5, seed=seed)
            self.stdout.write(
                f"{tenders} tenders, {services} services, {courses} courses, "
                f"{tables} working tables, {calls} calls for funding."
            )
            self.stdout.write(f"Demo data in {time.perf_counter() - started:.1f} s.")
        logins = seed_users()
        member_org = Membership.objects.filter(user__email="member@pes.example").first()
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}):")
        for login in logins:
            note = login.note
            if login.email.startswith("member@") and member_org:
                note += f" ({member_org.organization.name})"
            self.stdout.write(f"  {login.email:<26} {login.role:<11} {note}")
