"""Deterministic demo data for the Plan's monitoring: initiatives with partners, budgets,
timelines, indicators with targets and measurements, and reports in every state."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils.text import slugify

from pes.plan.models import (
    PUBLIC_SOURCES,
    Action,
    BudgetLine,
    FundingSource,
    Indicator,
    IndicatorTarget,
    Initiative,
    InitiativeStatus,
    Measurement,
    Partner,
    Report,
    ReportingPeriod,
    TimelineEntry,
)
from pes.plan.rollup import deferred, indicator_points_refresh
from pes.registry.models import Organization
from pes.territory.models import Municipality

TOPICS = [
    "Rete metropolitana per l'abitare collaborativo",
    "Percorsi di inserimento lavorativo",
    "Comunità educanti di quartiere",
    "Scuole aperte il pomeriggio",
    "Volontariato di prossimità",
    "Welfare culturale nelle biblioteche",
    "Cammini lenti dell'Appennino",
    "Formazione congiunta sull'amministrazione condivisa",
    "Appalti a impatto sociale",
    "Valutazione di impatto nei piccoli Comuni",
    "Corsi di imprenditorialità sociale",
    "Fondo di garanzia per le imprese sociali",
]
PLACES = ["Pianura Est", "Appennino", "Imolese", "Bologna", "Reno e Samoggia", "Savena Idice"]
INDICATORS = [
    ("persone-inserite", "Persone inserite al lavoro", "persone", "increase", 0, 300),
    ("volontari-attivi", "Volontari attivi", "persone", "increase", 1200, 2000),
    ("alloggi-collaborativi", "Alloggi in abitare collaborativo", "alloggi", "increase", 40, 120),
    ("tempo-attesa-servizi", "Tempo medio di attesa per i servizi", "giorni", "decrease", 45, 20),
    ("appalti-clausole", "Appalti con clausole sociali", "%", "increase", 10, 40),
]


@transaction.atomic
def seed_plan(*, initiatives: int, seed: int, measurements_per_indicator: int = 3) -> int:
    """Create ``initiatives`` initiatives (idempotent by external id ``demo-N``); the
    roll-ups are refreshed once at the end."""
    with deferred():
        return _seed_plan(
            initiatives=initiatives,
            seed=seed,
            measurements_per_indicator=measurements_per_indicator,
        )


def _seed_plan(*, initiatives: int, seed: int, measurements_per_indicator: int) -> int:
    rng = random.Random(seed)
    actions = list(Action.objects.select_related("mission"))
    statuses = list(InitiativeStatus.objects.all())
    org_ids = list(
        Organization.objects.filter(is_published=True)
        .order_by("id")
        .values_list("id", flat=True)[:5000]
    )
    if not org_ids or not actions:
        return 0
    municipalities = list(Municipality.objects.all())
    periods = list(ReportingPeriod.objects.order_by("start"))
    existing = set(
        Initiative.objects.filter(external_id__startswith="demo-").values_list(
            "external_id", flat=True
        )
    )
    created = 0
    for n in range(initiatives):
        external_id = f"demo-{n}"
        if external_id in existing:
            continue
        action = actions[n % len(actions)]
        topic = TOPICS[n % len(TOPICS)]
        title = f"{topic} — {rng.choice(PLACES)} {n + 1}"
        status = rng.choices(statuses, weights=[3, 4, 6, 3, 2, 1, 1])[0]
        start = dt.date(2025, rng.randint(1, 12), 1)
        initiative = Initiative.objects.create(
            action=action,
            title=title,
            slug=f"{slugify(title)[:200]}-{n}",
            description=f"Iniziativa dimostrativa che attua l'azione {action.code} del Piano.",
            lead_id=rng.choice(org_ids),
            status=status,
            start_date=start,
            end_date=start + dt.timedelta(days=rng.randint(365, 1000)),
            weight=Decimal(rng.randint(1, 3)),
            external_id=external_id,
        )
        initiative.municipalities.set(rng.sample(municipalities, rng.randint(1, 4)))
        for role in rng.sample([r for r, _l in Partner.Role.choices], rng.randint(0, 3)):
            Partner.objects.get_or_create(
                initiative=initiative, organization_id=rng.choice(org_ids), role=role
            )
        committed_total = public_committed = public_spent = Decimal(0)
        for source in rng.sample([s for s, _l in FundingSource.choices], rng.randint(1, 3)):
            committed = Decimal(rng.randrange(5_000, 400_000, 500))
            spent = (committed * Decimal(rng.randint(0, 100)) / 100).quantize(Decimal("0.01"))
            BudgetLine.objects.create(
                initiative=initiative, source=source, committed=committed, spent=spent
            )
            committed_total += committed
            if source in PUBLIC_SOURCES:
                public_committed += committed
                public_spent += spent
        Initiative.objects.filter(pk=initiative.pk).update(
            committed_total=committed_total,
            public_committed_total=public_committed,
            public_spent_total=public_spent,
        )
        TimelineEntry.objects.create(
            initiative=initiative, date=start, text="Avvio delle attività.", progress=Decimal(0)
        )
        if periods and rng.random() < 0.5:
            period = periods[0]
            state = rng.choice(list(Report.State.values))
            Report.objects.create(
                initiative=initiative,
                period=period,
                state=state,
                status=status,
                progress=status.default_progress,
                narrative="Attività svolte nel semestre secondo il cronoprogramma.",
            )
        created += 1
    _seed_indicators(rng, actions, measurements_per_indicator)
    return created


def _seed_indicators(rng: random.Random, actions: list[Action], per_indicator: int) -> None:
    for index, (code, name, unit, direction, base, target) in enumerate(INDICATORS):
        action = actions[(index * 4) % len(actions)]
        indicator, created = Indicator.objects.get_or_create(
            code=code,
            defaults={
                "action": action,
                "name": name,
                "unit": unit,
                "direction": direction,
                "baseline_value": Decimal(base),
                "baseline_date": dt.date(2025, 1, 1),
                "by_municipality": code == "persone-inserite",
            },
        )
        if not created:
            continue
        IndicatorTarget.objects.create(indicator=indicator, year=2027, value=Decimal(target))
        IndicatorTarget.objects.create(
            indicator=indicator, year=2034, value=Decimal(target) * Decimal("1.5")
        )
        value = Decimal(base)
        step = (Decimal(target) - Decimal(base)) / Decimal(max(per_indicator, 1) * 2)
        for k in range(per_indicator):
            value += step * Decimal(rng.uniform(0.4, 1.6))
            Measurement.objects.create(
                indicator=indicator,
                date=dt.date(2025, 6, 30) + dt.timedelta(days=182 * k),
                value=value.quantize(Decimal("0.01")),
                source="Dati dimostrativi",
            )


MEASURE_MONTHS = [
    dt.date(2025 + (m + 1) // 12, (m + 1) % 12 + 1, 1) - dt.timedelta(days=1) for m in range(22)
]  # month ends, January 2025 to October 2026
MEASURED = [
    ("partecipanti", "Partecipanti alle attività", "persone", 40, 400),
    ("ore-servizio", "Ore di servizio erogate", "ore", 100, 1500),
    ("nuclei-raggiunti", "Nuclei familiari raggiunti", "nuclei", 10, 120),
]
BATCH = 10_000


def seed_measurements(*, count: int, seed: int) -> dict[str, int]:
    """Monthly measurements broken down by municipality, ``count`` in all (DESIGN.md: metro
    50,000, national 1,000,000): three indicators on every action, then one on each initiative
    as needed. Each indicator is measured every month of 2025–2026 in a fixed set of 5–20
    municipalities, as a programme reports its figures. Written with ``bulk_create`` in
    batches; the series points are built once at the end."""
    rng = random.Random(seed + 7)  # noqa: S311 - demo data, not secrets
    places = list(Municipality.objects.order_by("istat_code").values_list("id", flat=True))
    if not places or count <= 0:
        return {"indicators": 0, "measurements": 0}
    existing = set(Indicator.objects.filter(code__startswith="mis-").values_list("code", flat=True))
    owners: list[tuple[str, Action | None, Initiative | None]] = []
    action: Action | None
    for action in Action.objects.select_related("mission").order_by("mission__number", "number"):
        for code, *_rest in MEASURED:
            owners.append((f"mis-{action.pk}-{code}", action, None))
    per_indicator = len(MEASURE_MONTHS) * 12  # on average
    wanted = count // per_indicator + 1
    if wanted > len(owners):
        initiatives = Initiative.objects.order_by("id")[: wanted - len(owners)]
        owners += [(f"mis-i{i.pk}", None, i) for i in initiatives]
    written = 0
    with deferred():
        new = []
        for n, (code, action, initiative) in enumerate(owners):
            if code in existing:
                continue
            _key, name, unit, base, _target = MEASURED[n % len(MEASURED)]
            new.append(
                Indicator(
                    code=code,
                    action=action,
                    initiative=initiative,
                    name=name,
                    unit=unit,
                    baseline_value=Decimal(base),
                    baseline_date=dt.date(2025, 1, 1),
                    frequency=Indicator.Frequency.MONTHLY,
                    by_municipality=True,
                )
            )
        Indicator.objects.bulk_create(new, batch_size=BATCH)
        if not new:
            return {"indicators": 0, "measurements": 0}
        indicators = list(Indicator.objects.filter(code__in=[i.code for i in new]).order_by("id"))
        IndicatorTarget.objects.bulk_create(
            [
                IndicatorTarget(indicator=i, year=2027, value=(i.baseline_value or Decimal(0)) * 3)
                for i in indicators
            ],
            batch_size=BATCH,
        )
        batch: list[Measurement] = []
        for indicator in indicators:
            where = rng.sample(places, k=rng.randint(5, min(20, len(places))))
            level = float(indicator.baseline_value or 10) / len(where)
            for month, date in enumerate(MEASURE_MONTHS):
                for place in where:
                    if written >= count:
                        break
                    value = level * (1 + month / 20) * rng.uniform(0.7, 1.3)
                    batch.append(
                        Measurement(
                            indicator=indicator,
                            date=date,
                            value=Decimal(f"{value:.2f}"),
                            municipality_id=place,
                            source="Dati dimostrativi",
                        )
                    )
                    written += 1
                if len(batch) >= BATCH:
                    Measurement.objects.bulk_create(batch)
                    batch = []
        Measurement.objects.bulk_create(batch)
        # ``bulk_create`` sends no signal: the points are built once, when ``deferred`` ends.
        indicator_points_refresh(indicator_ids=[i.pk for i in indicators])
    return {"indicators": len(new), "measurements": written}
