"""Reads from the Plan's monitoring. Query counts stay bounded whatever the data size."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet, Sum

from pes.plan.models import (
    BudgetLine,
    FundingSource,
    Indicator,
    IndicatorTarget,
    Initiative,
    Measurement,
    Partner,
    Report,
    ReportingPeriod,
)
from pes.plan.progress import STATUS_LABELS, Status, achievement, indicator_status


@dataclass(frozen=True)
class InitiativeFilters:
    q: str = ""
    mission: int | None = None
    action: int | None = None
    status: str = ""
    municipality: str = ""
    district: str = ""
    organization: str = ""

    def active(self) -> bool:
        return any(
            [
                self.q,
                self.mission,
                self.action,
                self.status,
                self.municipality,
                self.district,
                self.organization,
            ]
        )


def initiative_list(*, filters: InitiativeFilters) -> QuerySet[Initiative]:
    qs = Initiative.objects.select_related("action__mission", "lead", "status")
    if filters.q:
        for word in filters.q.split():
            qs = qs.filter(Q(title__icontains=word) | Q(description__icontains=word))
    if filters.mission:
        qs = qs.filter(action__mission__number=filters.mission)
    if filters.action:
        qs = qs.filter(action_id=filters.action)
    if filters.status:
        qs = qs.filter(status__key=filters.status)
    if filters.municipality:
        qs = qs.filter(municipalities__istat_code=filters.municipality)
    if filters.district:
        qs = qs.filter(municipalities__district__slug=filters.district).distinct()
    if filters.organization:
        qs = qs.filter(
            Q(lead__slug=filters.organization)
            | Q(partners__organization__slug=filters.organization)
        ).distinct()
    return qs.order_by("title", "id")


def initiative_detail(*, slug: str) -> Initiative | None:
    return (
        Initiative.objects.select_related("action__mission", "lead", "status", "parent")
        .prefetch_related(
            "municipalities",
            Prefetch("partners", queryset=Partner.objects.select_related("organization")),
            "budget",
            "timeline",
        )
        .filter(slug=slug)
        .first()
    )


@dataclass
class IndicatorView:
    indicator: Indicator
    latest_value: Decimal | None
    latest_date: dt.date | None
    target_value: Decimal | None
    target_year: int | None
    status: Status
    achievement: Decimal | None
    series: list[tuple[dt.date, Decimal]]

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


def _headline_series(
    rows: list[tuple[dt.date, Decimal | None, Decimal | None]],
) -> list[tuple[dt.date, Decimal]]:
    """The indicator's total per date: the row with no breakdown, else the sum of breakdowns."""
    series = []
    for date, headline, parts in rows:
        value = headline if headline is not None else parts
        if value is not None:
            series.append((date, value))
    return sorted(series)


def indicator_views(indicators: list[Indicator]) -> list[IndicatorView]:
    """Status, latest value and series for each indicator: two queries for any number."""
    ids = [i.pk for i in indicators]
    # One row per indicator and date, aggregated in the database however many values there are.
    no_breakdown = Q(municipality__isnull=True, gender="")
    by_indicator: dict[int, list[tuple[dt.date, Decimal | None, Decimal | None]]] = defaultdict(
        list
    )
    rows = (
        Measurement.objects.filter(indicator_id__in=ids)
        .values("indicator_id", "date")
        .annotate(
            headline=Max("value", filter=no_breakdown),
            parts=Sum("value", filter=~no_breakdown),
        )
        .order_by()
    )
    for row in rows:
        by_indicator[row["indicator_id"]].append((row["date"], row["headline"], row["parts"]))
    targets: dict[int, list[IndicatorTarget]] = defaultdict(list)
    for t in IndicatorTarget.objects.filter(indicator_id__in=ids).order_by("year"):
        targets[t.indicator_id].append(t)
    views = []
    for indicator in indicators:
        series = _headline_series(by_indicator[indicator.pk])
        latest_date, latest_value = series[-1] if series else (None, None)
        target = None
        if targets[indicator.pk]:
            year = latest_date.year if latest_date else 0
            target = next((t for t in targets[indicator.pk] if t.year >= year), None)
            target = target or targets[indicator.pk][-1]
        increase = indicator.direction == Indicator.Direction.INCREASE
        status = indicator_status(
            increase=increase,
            baseline=indicator.baseline_value,
            baseline_date=indicator.baseline_date,
            latest=latest_value,
            latest_date=latest_date,
            target=target.value if target else None,
            target_date=dt.date(target.year, 12, 31) if target else None,
        )
        views.append(
            IndicatorView(
                indicator=indicator,
                latest_value=latest_value,
                latest_date=latest_date,
                target_value=target.value if target else None,
                target_year=target.year if target else None,
                status=status,
                achievement=achievement(
                    increase=increase,
                    baseline=indicator.baseline_value,
                    latest=latest_value,
                    target=target.value if target else None,
                ),
                series=series,
            )
        )
    return views


def indicator_tidy_rows(indicator: Indicator) -> list[dict[str, Any]]:
    """One row per measurement: year, date, breakdowns, unit, value (a tidy series)."""
    rows = []
    for m in indicator.measurements.select_related("municipality").order_by("date", "id"):
        rows.append(
            {
                "indicator": indicator.code,
                "year": m.date.year,
                "date": m.date.isoformat(),
                "municipality": m.municipality.istat_code if m.municipality else "",
                "municipality_name": m.municipality.name if m.municipality else "",
                "gender": m.gender,
                "unit": indicator.unit,
                "value": str(m.value.normalize()),
                "provisional": "1" if m.provisional else "0",
                "source": m.source,
            }
        )
    return rows


def budget_by_source(*, initiatives: QuerySet[Initiative] | None = None) -> list[dict[str, Any]]:
    qs = BudgetLine.objects.all()
    if initiatives is not None:
        qs = qs.filter(initiative__in=initiatives)
    rows = {
        r["source"]: r
        for r in qs.values("source").annotate(c=Sum("committed"), s=Sum("spent")).order_by()
    }
    out = []
    for value, label in FundingSource.choices:
        row = rows.get(value)
        out.append(
            {
                "source": value,
                "label": label,
                "committed": row["c"] if row else Decimal(0),
                "spent": row["s"] if row else Decimal(0),
            }
        )
    return out


def money_by_municipality() -> list[dict[str, Any]]:
    """Initiatives and committed money per municipality (money split equally among the
    municipalities an initiative covers, so totals add up)."""
    from pes.territory.models import Municipality

    shares: dict[int, Decimal] = defaultdict(Decimal)
    counts: dict[int, int] = defaultdict(int)
    through = Initiative.municipalities.through
    covered: dict[int, list[int]] = defaultdict(list)
    for row in through.objects.values("initiative_id", "municipality_id"):
        covered[row["initiative_id"]].append(row["municipality_id"])
    for initiative_id, committed in Initiative.objects.values_list("id", "committed_total"):
        places = covered.get(initiative_id, [])
        for pk in places:
            shares[pk] += committed / len(places)
            counts[pk] += 1
    out = []
    for m in Municipality.objects.select_related("district").order_by("name"):
        out.append(
            {
                "municipality": m,
                "initiatives": counts.get(m.pk, 0),
                "committed": shares.get(m.pk, Decimal(0)).quantize(Decimal("0.01")),
            }
        )
    return out


def reports_overdue(*, today: dt.date) -> list[tuple[Initiative, ReportingPeriod]]:
    """Initiatives with no submitted or approved report for a period whose due date passed."""
    periods = list(ReportingPeriod.objects.filter(due_date__lt=today).order_by("start"))
    if not periods:
        return []
    done = set(
        Report.objects.filter(
            period__in=periods, state__in=[Report.State.SUBMITTED, Report.State.APPROVED]
        ).values_list("initiative_id", "period_id")
    )
    overdue = []
    initiatives = Initiative.objects.select_related("lead", "status").filter(
        status__is_closed=False
    )
    for initiative in initiatives:
        for period in periods:
            started = initiative.start_date is None or initiative.start_date <= period.end
            ended = initiative.end_date is not None and initiative.end_date < period.start
            if started and not ended and (initiative.pk, period.pk) not in done:
                overdue.append((initiative, period))
    return overdue


def reports_to_review() -> QuerySet[Report]:
    return Report.objects.filter(state=Report.State.SUBMITTED).select_related(
        "initiative__lead", "period"
    )


def plan_counts() -> dict[str, Any]:
    agg = Initiative.objects.aggregate(
        n=Count("id"),
        committed=Sum("committed_total"),
        spent=Sum("public_spent_total"),
        last=Max("updated_at"),
    )
    return agg
