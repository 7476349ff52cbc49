"""Parse the Plan's seed text (``data/piano-economia-sociale.md``) into missions and actions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.text import slugify

SEED_PATH = Path(__file__).resolve().parent / "data" / "piano-economia-sociale.md"
_MISSION = re.compile(r"^- \*\*Missione (\d+) - (.+?)\*\*\s*$")
THEMATIC_MISSIONS = {1, 2, 3, 4}


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
