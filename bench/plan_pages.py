"""The Plan's monitoring at scale: generated initiatives and measurements, page timings.

Sizes follow DESIGN.md: metro 600 initiatives and 50,000 measurements; national 5,000
initiatives and 1,000,000 measurements. Rows are written with ``bulk_create`` in chunks.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from decimal import Decimal
from typing import Any

PLAN_SIZES = {
    "tiny": (40, 2_000),
    "metro": (600, 50_000),
    "national": (5_000, 1_000_000),
}
INDICATORS_PER_ACTION = 3
CHUNK = 10_000


def seed(*, size: str, seed: int = 2025) -> dict[str, Any]:
    from pes.plan.demo import seed_plan
    from pes.plan.models import Action, Indicator, Measurement
    from pes.territory.models import Municipality

    initiatives, measurements = PLAN_SIZES[size]
    started = time.perf_counter()
    seed_plan(initiatives=initiatives, seed=seed, measurements_per_indicator=0)
    rng = random.Random(seed)
    actions = list(Action.objects.all())
    indicators = []
    for action in actions:
        for k in range(INDICATORS_PER_ACTION):
            indicators.append(
                Indicator(
                    action=action,
                    code=f"bench-{action.pk}-{k}",
                    name=f"Indicatore {action.code}.{k}",
                    unit="persone",
                    baseline_value=Decimal(100),
                    baseline_date=dt.date(2025, 1, 1),
                    by_municipality=True,
                )
            )
    Indicator.objects.bulk_create(indicators)
    indicators = list(Indicator.objects.filter(code__startswith="bench-"))
    municipalities = list(Municipality.objects.values_list("id", flat=True))
    days = (dt.date(2026, 10, 31) - dt.date(2025, 1, 1)).days
    batch: list[Any] = []
    for n in range(measurements):
        batch.append(
            Measurement(
                indicator=indicators[n % len(indicators)],
                date=dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(days)),
                value=Decimal(rng.randint(50, 400)),
                municipality_id=rng.choice(municipalities),
                source="bench",
            )
        )
        if len(batch) >= CHUNK:
            Measurement.objects.bulk_create(batch)
            batch = []
    Measurement.objects.bulk_create(batch)
    return {
        "initiatives": initiatives,
        "measurements": measurements,
        "indicators": len(indicators),
        "seed_seconds": round(time.perf_counter() - started, 1),
    }


def measure(*, repeats: int = 15) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from pes.accounts.models import User
    from pes.plan.models import Action, Initiative

    client = Client()
    governance, _ = User.objects.get_or_create(
        email="bench-governance@pes.example", defaults={"role": User.Role.GOVERNANCE}
    )
    gov = Client()
    gov.force_login(governance)
    action = Action.objects.filter(indicators__isnull=False).first()
    initiative = Initiative.objects.order_by("id").first()
    pages: dict[str, tuple[Client, str]] = {
        "plan_overview": (client, "/piano/"),
        "mission": (client, "/piano/missioni/3/"),
        "action": (client, f"/piano/azioni/{action.pk if action else 1}/"),
        "initiatives": (client, "/piano/iniziative/"),
        "initiatives_filtered": (client, "/piano/iniziative/?mission=3&status=in-progress"),
        "initiative": (client, initiative.get_absolute_url() if initiative else "/piano/"),
        "dashboard": (gov, "/piano/cruscotto/"),
        "api_plan": (client, "/api/v1/plan"),
        "api_initiatives": (client, "/api/v1/plan/initiatives"),
    }
    out: dict[str, Any] = {}
    for name, (who, url) in pages.items():
        for _ in range(2):
            who.get(url)
        times = []
        queries = 0
        status = 0
        for _ in range(repeats):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = who.get(url)
                times.append(time.perf_counter() - started)
            queries = len(ctx)
            status = response.status_code
        ordered = sorted(times)
        out[name] = {
            "url": url,
            "status": status,
            "p50_ms": round(statistics.median(times) * 1000, 1),
            "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000, 1),
            "queries": queries,
        }
    return out
