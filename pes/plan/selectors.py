"""Reads from the Plan's monitoring. Query counts stay bounded whatever the data size."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Max, Prefetch, Q, QuerySet, Sum

from pes.plan.models import (
    BudgetLine,
    FundingSource,
    Indicator,
    IndicatorPoint,
    IndicatorTarget,
    Initiative,
    InitiativeStatus,
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


def indicator_views(
    indicators: list[Indicator], *, with_series: bool = True
) -> list[IndicatorView]:
    """Status, latest value and series for each indicator: two queries for any number, read
    from the stored series points (``IndicatorPoint``), one row per date however many
    measurements there are. Without ``with_series`` only the stored latest value is used
    (one query)."""
    ids = [i.pk for i in indicators]
    by_indicator: dict[int, list[tuple[dt.date, Decimal | None, Decimal | None]]] = defaultdict(
        list
    )
    if with_series:
        rows = IndicatorPoint.objects.filter(indicator_id__in=ids).values_list(
            "indicator_id", "date", "headline", "parts"
        )
        for indicator_id, date, headline, parts in rows.order_by():
            by_indicator[indicator_id].append((date, headline, parts))
    else:
        for indicator in indicators:
            if indicator.latest_date is not None:
                by_indicator[indicator.pk].append(
                    (indicator.latest_date, indicator.latest_value, None)
                )
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


def initiative_money_by_place() -> dict[int, tuple[int, Decimal]]:
    """Municipality id -> (initiatives covering it, money committed to it), an initiative's
    money split equally among the municipalities it covers (so totals add up). Two queries."""
    shares: dict[int, Decimal] = defaultdict(Decimal)
    counts: dict[int, int] = defaultdict(int)
    through = Initiative.municipalities.through
    covered: dict[int, list[int]] = defaultdict(list)
    for initiative_id, municipality_id in through.objects.values_list(
        "initiative_id", "municipality_id"
    ):
        covered[initiative_id].append(municipality_id)
    for initiative_id, committed in Initiative.objects.values_list(
        "id", "committed_total"
    ).order_by():
        places = covered.get(initiative_id, [])
        for pk in places:
            shares[pk] += committed / len(places)
            counts[pk] += 1
    return {pk: (counts[pk], shares[pk]) for pk in counts}


def initiatives_by_district() -> dict[int, int]:
    """District id -> initiatives covering at least one of its municipalities."""
    through = Initiative.municipalities.through
    initiatives: dict[int, set[int]] = defaultdict(set)
    for initiative_id, district_id in through.objects.values_list(
        "initiative_id", "municipality__district_id"
    ).distinct():
        initiatives[district_id].add(initiative_id)
    return {pk: len(ids) for pk, ids in initiatives.items()}


def money_by_municipality(
    figures: dict[int, tuple[int, Decimal]] | None = None,
) -> list[dict[str, Any]]:
    """Initiatives and committed money per municipality (money split equally among the
    municipalities an initiative covers, so totals add up)."""
    from pes.territory.models import Municipality

    if figures is None:
        figures = initiative_money_by_place()
    out = []
    for m in Municipality.objects.select_related("district").order_by("name"):
        count, committed = figures.get(m.pk, (0, Decimal(0)))
        out.append(
            {
                "municipality": m,
                "initiatives": count,
                "committed": committed.quantize(Decimal("0.01")),
            }
        )
    return out


def overdue_pairs(*, today: dt.date) -> list[tuple[int, int]]:
    """``(initiative id, period id)`` of every report overdue on ``today``: an open initiative
    running in a period whose due date passed, with no submitted or approved report for it.
    One query, ordered by due date, initiative title and id (the most late first)."""
    table = Initiative._meta.db_table
    status = InitiativeStatus._meta.db_table
    period = ReportingPeriod._meta.db_table
    report = Report._meta.db_table
    sql = f"""
        SELECT i.id, p.id FROM {table} i
        INNER JOIN {status} s ON s.id = i.status_id
        CROSS JOIN {period} p
        WHERE p.due_date < %s AND NOT s.is_closed
          AND (i.start_date IS NULL OR i.start_date <= p."end")
          AND NOT (i.end_date IS NOT NULL AND i.end_date < p.start)
          AND NOT EXISTS (
            SELECT 1 FROM {report} r
            WHERE r.initiative_id = i.id AND r.period_id = p.id AND r.state IN (%s, %s))
        ORDER BY p.due_date, i.title, i.id
    """  # noqa: S608 - table names from the models, values as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [today, Report.State.SUBMITTED, Report.State.APPROVED])
        return [(row[0], row[1]) for row in cursor.fetchall()]


def overdue_objects(
    pairs: list[tuple[int, int]], *, periods: dict[int, ReportingPeriod] | None = None
) -> list[tuple[Initiative, ReportingPeriod]]:
    """The initiatives (with lead and status) and periods of ``pairs``: two queries, one if
    the ``periods`` are given."""
    initiatives = Initiative.objects.select_related("lead", "status").in_bulk(
        {i for i, _p in pairs}
    )
    wanted = {p for _i, p in pairs}
    if periods is None or not wanted <= periods.keys():
        periods = ReportingPeriod.objects.in_bulk(wanted)
    return [(initiatives[i], periods[p]) for i, p in pairs]


def reports_overdue(*, today: dt.date) -> list[tuple[Initiative, ReportingPeriod]]:
    """Initiatives with no submitted or approved report for a period whose due date passed."""
    return overdue_objects(overdue_pairs(today=today))


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
