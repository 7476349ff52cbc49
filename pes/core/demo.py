"""Demo data for every module: organisations and users in every role."""

from __future__ import annotations

import csv
import tempfile
import time
from dataclasses import dataclass

from django.db import transaction

from pes.accounts.models import User
from pes.registry.demo import PES_COLUMNS_FOR_CSV, as_csv_row, generate
from pes.registry.importer import import_organizations
from pes.registry.models import Membership, Organization
from pes.territory.models import Municipality

SIZES = {"tiny": 200, "metro": 8000, "national": 150_000}
INITIATIVES = {"tiny": 20, "metro": 600, "national": 5000}
VOLUNTEERS = {"tiny": 30, "metro": 500, "national": 5000}
TENDERS = {"tiny": 5, "metro": 60, "national": 500}
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
