"""Deterministic demo data for the Plan's monitoring: initiatives with partners, budgets,
timelines, indicators with targets and measurements, and reports in every state."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
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
from pes.plan.rollup import deferred, indicator_points_refresh, plan_rollup_refresh
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


@dataclass
class _InitiativeDraw:
    """One initiative and every random choice about it."""

    n: int
    action: Action
    title: str
    status: InitiativeStatus
    lead_id: int
    start: dt.date
    end: dt.date
    weight: Decimal
    municipalities: list[Municipality]
    partners: list[tuple[str, int]]  # (role, organisation id)
    budget: list[tuple[str, Decimal, Decimal]]  # (source, committed, spent)
    report_state: str | None  # a report for the first period, in this state

    def initiative(self) -> Initiative:
        """The initiative with its stored totals (``initiative_refresh_totals``)."""
        committed = public_committed = public_spent = Decimal(0)
        for source, line_committed, spent in self.budget:
            committed += line_committed
            if source in PUBLIC_SOURCES:
                public_committed += line_committed
                public_spent += spent
        return Initiative(
            action=self.action,
            title=self.title,
            slug=f"{slugify(self.title)[:200]}-{self.n}",
            description=f"Iniziativa dimostrativa che attua l'azione {self.action.code} del Piano.",
            lead_id=self.lead_id,
            status=self.status,
            start_date=self.start,
            end_date=self.end,
            weight=self.weight,
            external_id=f"demo-{self.n}",
            committed_total=committed,
            public_committed_total=public_committed,
            public_spent_total=public_spent,
        )

    def rows(
        self, initiative: Initiative, period: ReportingPeriod | None
    ) -> tuple[list[Partner], list[BudgetLine], TimelineEntry, Report | None]:
        partners = [
            Partner(initiative=initiative, organization_id=org_id, role=role)
            for role, org_id in self.partners
        ]
        budget = [
            BudgetLine(initiative=initiative, source=source, committed=committed, spent=spent)
            for source, committed, spent in self.budget
        ]
        timeline = TimelineEntry(
            initiative=initiative, date=self.start, text=TIMELINE_TEXT, progress=Decimal(0)
        )
        report = None
        if period is not None and self.report_state is not None:
            report = Report(
                initiative=initiative,
                period=period,
                state=self.report_state,
                status=self.status,
                progress=self.status.default_progress,
                narrative=REPORT_TEXT,
            )
        return partners, budget, timeline, report


TIMELINE_TEXT = "Avvio delle attività."
REPORT_TEXT = "Attività svolte nel semestre secondo il cronoprogramma."
PLAN_BATCH = 1000  # initiatives per round of INSERTs


def _draw_initiative(
    n: int,
    rng: random.Random,
    *,
    actions: list[Action],
    statuses: list[InitiativeStatus],
    org_ids: list[int],
    municipalities: list[Municipality],
    with_periods: bool,
) -> _InitiativeDraw:
    action = actions[n % len(actions)]
    title = f"{TOPICS[n % len(TOPICS)]} — {rng.choice(PLACES)} {n + 1}"
    status = rng.choices(statuses, weights=[3, 4, 6, 3, 2, 1, 1])[0]
    start = dt.date(2025, rng.randint(1, 12), 1)
    lead_id = rng.choice(org_ids)
    end = start + dt.timedelta(days=rng.randint(365, 1000))
    weight = Decimal(rng.randint(1, 3))
    places = rng.sample(municipalities, rng.randint(1, 4))
    roles = rng.sample([r for r, _l in Partner.Role.choices], rng.randint(0, 3))
    partners = [(role, rng.choice(org_ids)) for role in roles]
    budget = []
    for source in rng.sample([s for s, _l in FundingSource.choices], rng.randint(1, 3)):
        committed = Decimal(rng.randrange(5_000, 400_000, 500))
        spent = (committed * Decimal(rng.randint(0, 100)) / 100).quantize(Decimal("0.01"))
        budget.append((source, committed, spent))
    report_state = None
    if with_periods and rng.random() < 0.5:
        report_state = rng.choice(list(Report.State.values))
    return _InitiativeDraw(
        n=n,
        action=action,
        title=title,
        status=status,
        lead_id=lead_id,
        start=start,
        end=end,
        weight=weight,
        municipalities=places,
        partners=partners,
        budget=budget,
        report_state=report_state,
    )


def seed_plan(
    *,
    initiatives: int,
    seed: int,
    measurements_per_indicator: int = 3,
    one_by_one: bool = False,
) -> int:
    """Create ``initiatives`` initiatives (idempotent by external id ``demo-N``) with their
    places, partners, budget, first timeline entry and, for about half, a report; then the
    Plan's demo indicators. Written in bulk, one ``bulk_create`` per table per 1,000
    initiatives, or with ``one_by_one`` row by row through the models' saves and their
    signals (the same rows, far slower: the reference of the tests). Either way the roll-ups
    (``pes.plan.rollup``) are refreshed once, at the end."""
    with transaction.atomic(), deferred():
        return _seed_plan(
            initiatives=initiatives,
            seed=seed,
            measurements_per_indicator=measurements_per_indicator,
            one_by_one=one_by_one,
        )


def _seed_plan(
    *, initiatives: int, seed: int, measurements_per_indicator: int, one_by_one: bool
) -> int:
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
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
    period = ReportingPeriod.objects.order_by("start").first()
    existing = set(
        Initiative.objects.filter(external_id__startswith="demo-").values_list(
            "external_id", flat=True
        )
    )
    draws = [
        _draw_initiative(
            n,
            rng,
            actions=actions,
            statuses=statuses,
            org_ids=org_ids,
            municipalities=municipalities,
            with_periods=period is not None,
        )
        for n in range(initiatives)
        if f"demo-{n}" not in existing
    ]
    if one_by_one:
        for draw in draws:
            _write_one(draw, period)
    else:
        for first in range(0, len(draws), PLAN_BATCH):
            _write_in_bulk(draws[first : first + PLAN_BATCH], period)
        # ``bulk_create`` sends no signal: the roll-ups of every level (and with them the
        # Plan's data version) are refreshed once, when ``deferred`` ends.
        plan_rollup_refresh()
    _seed_indicators(rng, actions, measurements_per_indicator)
    return len(draws)


def _write_one(draw: _InitiativeDraw, period: ReportingPeriod | None) -> None:
    """One initiative with model saves (their signals keep the roll-ups)."""
    initiative = draw.initiative()
    totals = {
        "committed_total": initiative.committed_total,
        "public_committed_total": initiative.public_committed_total,
        "public_spent_total": initiative.public_spent_total,
    }
    for name in totals:
        setattr(initiative, name, Decimal(0))
    initiative.save()
    initiative.municipalities.set(draw.municipalities)
    partners, budget, timeline, report = draw.rows(initiative, period)
    for row in [*partners, *budget]:
        row.save()
    # What ``initiative_refresh_totals`` stores after the budget lines.
    Initiative.objects.filter(pk=initiative.pk).update(**totals)
    timeline.save()
    if report is not None:
        report.save()


def _write_in_bulk(draws: list[_InitiativeDraw], period: ReportingPeriod | None) -> None:
    """What ``_write_one`` writes for ``draws``, one ``bulk_create`` per table."""
    initiatives = [draw.initiative() for draw in draws]
    Initiative.objects.bulk_create(initiatives)
    places = Initiative.municipalities.through
    places.objects.bulk_create(
        [
            places(initiative_id=initiative.pk, municipality_id=municipality.pk)
            for draw, initiative in zip(draws, initiatives, strict=True)
            for municipality in draw.municipalities
        ]
    )
    partners: list[Partner] = []
    budget: list[BudgetLine] = []
    timeline: list[TimelineEntry] = []
    reports: list[Report] = []
    for draw, initiative in zip(draws, initiatives, strict=True):
        its_partners, its_budget, its_timeline, report = draw.rows(initiative, period)
        partners += its_partners
        budget += its_budget
        timeline.append(its_timeline)
        if report is not None:
            reports.append(report)
    Partner.objects.bulk_create(partners)
    BudgetLine.objects.bulk_create(budget)
    TimelineEntry.objects.bulk_create(timeline)
    Report.objects.bulk_create(reports)


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
SOURCE = "Dati dimostrativi"
_MeasurementRow = tuple[int, dt.date, Decimal, int]  # indicator, date, value, municipality


def seed_measurements(*, count: int, seed: int) -> dict[str, int]:
    """Monthly measurements broken down by municipality, ``count`` in all (DESIGN.md: metro
    50,000, national 1,000,000): three indicators on every action, then one on each initiative
    as needed. Each indicator is measured every month of 2025–2026 in a fixed set of 5–20
    municipalities, as a programme reports its figures. Written in one transaction, in
    batches (PostgreSQL's ``COPY``, elsewhere ``bulk_create``); the series points are built
    once at the end."""
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
    with transaction.atomic(), deferred():
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
        batch: list[_MeasurementRow] = []
        for indicator in indicators:
            where = rng.sample(places, k=rng.randint(5, min(20, len(places))))
            level = float(indicator.baseline_value or 10) / len(where)
            for month, date in enumerate(MEASURE_MONTHS):
                for place in where:
                    if written >= count:
                        break
                    value = level * (1 + month / 20) * rng.uniform(0.7, 1.3)
                    batch.append((indicator.pk, date, Decimal(f"{value:.2f}"), place))
                    written += 1
                if len(batch) >= BATCH:
                    _write_measurements(batch)
                    batch = []
        _write_measurements(batch)
        # No signal was sent: the points are built once, when ``deferred`` ends.
        indicator_points_refresh(indicator_ids=[i.pk for i in indicators])
    return {"indicators": len(new), "measurements": written}


def _write_measurements(rows: list[_MeasurementRow]) -> None:
    """Insert demo measurements (no breakdown by gender, no note, report or author), as
    ``bulk_create`` would; on PostgreSQL with ``COPY``, which spares building a model instance
    and an ``INSERT`` parameter per value of a million rows."""
    if not rows:
        return
    now = timezone.now()
    if connection.vendor != "postgresql":
        Measurement.objects.bulk_create(
            Measurement(
                indicator_id=indicator_id,
                date=date,
                value=value,
                municipality_id=place,
                source=SOURCE,
                created_at=now,
            )
            for indicator_id, date, value, place in rows
        )
        return
    # Every column: the model's defaults, the demo's source and time, then each row's values.
    fields = [f for f in Measurement._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields} | {"source": SOURCE, "created_at": now}
    varying = ["indicator_id", "date", "value", "municipality_id"]
    where = [[f.attname for f in fields].index(name) for name in varying]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    sql = f"COPY {quote(Measurement._meta.db_table)} ({columns}) FROM STDIN"
    template = [defaults[f.attname] for f in fields]
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            values = template.copy()
            for position, value in zip(where, row, strict=True):
                values[position] = value
            copy.write_row(values)
