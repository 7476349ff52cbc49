"""Demo data for every module: organisations and users in every role."""

from __future__ import annotations

import csv
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction

from pes.accounts.models import User
from pes.registry.demo import PES_COLUMNS_FOR_CSV, as_csv_row, generate
from pes.registry.importer import import_organizations
from pes.registry.models import Membership, Organization
from pes.territory.models import Municipality

# The sizes of DESIGN.md ("Targets"): metro and national.
SIZES = {"tiny": 200, "metro": 8000, "national": 150_000}
INITIATIVES = {"tiny": 20, "metro": 600, "national": 5000}
MEASUREMENTS = {"tiny": 2_000, "metro": 50_000, "national": 1_000_000}
VOLUNTEERS = {"tiny": 30, "metro": 10_000, "national": 100_000}
TENDERS = {"tiny": 5, "metro": 600, "national": 10_000}
MODULE_ROWS = {"tiny": 20, "metro": 200, "national": 2000}
DEMO_PASSWORD = "pes-demo-2025"  # noqa: S105 - printed to the developer on purpose


@dataclass
class DemoLogin:
    email: str
    role: str
    note: str


DEMO_USERS = [
    DemoLogin("admin@pes.example", User.Role.ADMIN, "Django admin, everything"),
    DemoLogin("governance@pes.example", User.Role.GOVERNANCE, "Plan office: edits all, imports"),
    DemoLogin("operator@pes.example", User.Role.OPERATOR, "programme operator"),
    DemoLogin("member@pes.example", User.Role.MEMBER, "edits one organisation"),
    DemoLogin("visitor@pes.example", User.Role.VISITOR, "signed-up citizen"),
]


def seed_organizations(*, count: int, seed: int) -> tuple[int, float]:
    """Generate ``count`` organisations through the importer (streamed through a temp file)."""
    started = time.perf_counter()
    municipalities = list(Municipality.objects.values_list("istat_code", "population"))
    with tempfile.TemporaryFile("w+b") as raw:
        with open(raw.fileno(), "w", encoding="utf-8", newline="", closefd=False) as text:
            writer = csv.writer(text, delimiter=";")
            writer.writerow(PES_COLUMNS_FOR_CSV)
            for org in generate(count, seed=seed, municipalities=municipalities):
                writer.writerow(as_csv_row(org))
        raw.seek(0)
        report = import_organizations(raw, filename="demo.csv", layout="pes")
    if report.errors:
        raise RuntimeError("demo data failed validation: " + "; ".join(map(str, report.errors[:5])))
    return report.created + report.updated, time.perf_counter() - started


def seed_modules(
    *, size: str, seed: int, log: Callable[[str], None] | None = None
) -> dict[str, dict[str, float]]:
    """Every module's demo data at ``size`` on the organisations already there; returns what
    each seeder made and its time. A new module adds its seeder to ``SEEDERS``."""
    from django.test.utils import override_settings

    out: dict[str, dict[str, float]] = {}
    # Demo bookings and invitations would e-mail demo people: keep them in memory.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        for name, seeder in SEEDERS:
            started = time.perf_counter()
            made = seeder(size, seed)
            seconds = round(time.perf_counter() - started, 1)
            out[name] = {"rows": made, "seconds": seconds}
            if log:
                log(f"{name}: {made} in {seconds:.1f} s.")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh planner statistics after a bulk load
    return out


def _plan(size: str, seed: int) -> int:
    from pes.plan.demo import seed_measurements, seed_plan
    from pes.plan.models import Measurement

    created = seed_plan(initiatives=INITIATIVES[size], seed=seed)
    # Up to the size's count in all (the Plan's own demo indicators have a few already).
    seed_measurements(count=MEASUREMENTS[size] - Measurement.objects.count(), seed=seed)
    return created


def _measurements(size: str, seed: int) -> int:
    from pes.plan.models import Measurement

    return Measurement.objects.count()


def _volunteering(size: str, seed: int) -> int:
    from pes.volunteering.demo import seed_volunteering

    return seed_volunteering(volunteers=VOLUNTEERS[size], seed=seed)


def _procurement(size: str, seed: int) -> int:
    from pes.procurement.demo import seed_procurement

    return seed_procurement(tenders=TENDERS[size], seed=seed)


def _services(size: str, seed: int) -> int:
    from pes.services.demo import seed_services

    return seed_services(services=MODULE_ROWS[size], seed=seed)


def _learning(size: str, seed: int) -> int:
    from pes.learning.demo import seed_learning

    return seed_learning(courses=MODULE_ROWS[size] // 2, seed=seed)


def _collaboration(size: str, seed: int) -> int:
    from pes.collaboration.demo import seed_collaboration

    return seed_collaboration(tables=MODULE_ROWS[size] // 10, seed=seed)


def _finance(size: str, seed: int) -> int:
    from pes.finance.demo import seed_finance

    return seed_finance(calls=MODULE_ROWS[size] // 5, seed=seed)


def _inclusion(size: str, seed: int) -> int:
    from pes.inclusion.demo import seed_inclusion

    return int(seed_inclusion(size=size, seed=seed)["people"])


def _incubation(size: str, seed: int) -> int:
    from pes.incubation.demo import seed_incubation

    return int(seed_incubation(size=size, seed=seed)["applications"])


def _impact(size: str, seed: int) -> int:
    from pes.impact.demo import seed_impact

    return int(seed_impact(size=size, seed=seed)["theories"])


SEEDERS: list[tuple[str, Callable[[str, int], int]]] = [
    ("initiatives", _plan),
    ("measurements", _measurements),
    ("volunteers", _volunteering),
    ("tenders", _procurement),
    ("services", _services),
    ("courses", _learning),
    ("working tables", _collaboration),
    ("calls for funding", _finance),
    ("people in work inclusion", _inclusion),
    ("incubation applications", _incubation),
    ("theories of change", _impact),
]


@transaction.atomic
def seed_users() -> list[DemoLogin]:
    for login in DEMO_USERS:
        user, created = User.objects.get_or_create(
            email=login.email,
            defaults={"username": login.email, "role": login.role},
        )
        user.role = login.role
        user.is_staff = login.role == User.Role.ADMIN
        user.is_superuser = login.role == User.Role.ADMIN
        user.first_name = login.role.capitalize()
        user.last_name = "Demo"
        user.set_password(DEMO_PASSWORD)
        user.save()
    member = User.objects.get(email="member@pes.example")
    org = Organization.objects.filter(is_published=True).order_by("id").first()
    if org is not None:
        Membership.objects.get_or_create(
            user=member, organization=org, defaults={"role": Membership.Role.MANAGER}
        )
    return DEMO_USERS
