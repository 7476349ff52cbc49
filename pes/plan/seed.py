"""Parse the Plan's seed text (``data/piano-economia-sociale.md``) into missions and actions."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.text import slugify

SEED_PATH = Path(__file__).resolve().parent / "data" / "piano-economia-sociale.md"
_MISSION = re.compile(r"^- \*\*Missione (\d+) - (.+?)\*\*\s*$")
THEMATIC_MISSIONS = {1, 2, 3, 4}

# (key, name, default progress, closed), in display order.
STATUSES: list[tuple[str, str, Decimal | None, bool]] = [
    ("planned", "Programmata", Decimal(0), False),
    ("started", "Avviata", Decimal(10), False),
    ("in-progress", "In corso", Decimal(50), False),
    ("advanced", "In fase avanzata", Decimal(80), False),
    ("completed", "Conclusa", Decimal(100), True),
    ("suspended", "Sospesa", None, False),
    ("cancelled", "Annullata", None, True),
]


@dataclass
class SeedMission:
    number: int
    title: str
    actions: list[str] = field(default_factory=list)


def parse_seed(text: str | None = None) -> list[SeedMission]:
    if text is None:
        text = SEED_PATH.read_text(encoding="utf-8")
    missions: list[SeedMission] = []
    for line in text.splitlines():
        match = _MISSION.match(line.strip())
        if match:
            missions.append(SeedMission(int(match.group(1)), match.group(2).strip()))
        elif line.strip() and missions:
            missions[-1].actions.append(line.strip())
    return missions


def load_plan(apps: Any = None) -> None:
    """Create the Plan, its 7 missions and the seed's actions. Idempotent."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Plan = apps.get_model("plan", "Plan")
    Mission = apps.get_model("plan", "Mission")
    Action = apps.get_model("plan", "Action")
    plan, _ = Plan.objects.get_or_create(
        title="Piano metropolitano dell'economia sociale",
        defaults={
            "start_year": 2025,
            "end_year": 2034,
            "focus_start_year": 2025,
            "focus_end_year": 2027,
        },
    )
    for seed in parse_seed():
        mission, _ = Mission.objects.update_or_create(
            plan=plan,
            number=seed.number,
            defaults={
                "title": seed.title,
                "slug": slugify(seed.title)[:200],
                "kind": "thematic" if seed.number in THEMATIC_MISSIONS else "transversal",
            },
        )
        for index, text in enumerate(seed.actions, start=1):
            Action.objects.update_or_create(mission=mission, number=index, defaults={"text": text})


def load_statuses_and_periods(apps: Any = None) -> None:
    """Create the initiative statuses and, if the Plan exists, a reporting period for each
    half-year of its focus years. Idempotent; used by migration 0004 and by the tests."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Status = apps.get_model("plan", "InitiativeStatus")
    Plan = apps.get_model("plan", "Plan")
    Period = apps.get_model("plan", "ReportingPeriod")
    for order, (key, name, progress, closed) in enumerate(STATUSES):
        Status.objects.update_or_create(
            key=key,
            defaults={
                "name": name,
                "default_progress": progress,
                "order": order,
                "is_closed": closed,
            },
        )
    plan = Plan.objects.first()
    if plan is None:
        return
    for year in range(plan.focus_start_year, plan.focus_end_year + 1):
        for half, (start, end, due) in enumerate(
            [
                (dt.date(year, 1, 1), dt.date(year, 6, 30), dt.date(year, 7, 31)),
                (dt.date(year, 7, 1), dt.date(year, 12, 31), dt.date(year + 1, 1, 31)),
            ],
            start=1,
        ):
            Period.objects.update_or_create(
                plan=plan,
                start=start,
                defaults={"name": f"{half}º semestre {year}", "end": end, "due_date": due},
            )
