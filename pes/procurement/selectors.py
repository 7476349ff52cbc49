"""Reads for procurement: tender lists, contract monitoring, the governance dashboard."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from pes.procurement.models import (
    CUMULATIVE_METRICS,
    Commitment,
    Contract,
    Criterion,
    Metric,
    Procedure,
    SocialValueProxy,
    SupplierReport,
    Tender,
)
from pes.procurement.periods import Period, contract_periods

ZERO = Decimal(0)


def tender_list(*, qs: QuerySet[Tender], procedure: str = "", state: str = "") -> QuerySet[Tender]:
    if procedure:
        qs = qs.filter(procedure=procedure)
    if state:
        qs = qs.filter(state=state)
    reward = Criterion.objects.filter(tender=OuterRef("pk"), kind=Criterion.Kind.CLAUSE)
    return qs.select_related("buyer").annotate(has_rewards=Exists(reward)).order_by("-id")


def tender_detail(*, tender: Tender) -> Tender:
    return (
        Tender.objects.select_related("buyer")
        .prefetch_related(
            Prefetch("criteria", queryset=Criterion.objects.select_related("clause")),
            "lots",
            "actions__mission",
            "mandatory_clauses",
        )
        .get(pk=tender.pk)
    )


@dataclass
class CommitmentStatus:
    commitment: Commitment
    delivered: Decimal | None
    status: str  # "on_track", "breach", "pending"
    social_value: Decimal | None = None


@dataclass
class Monitoring:
    contract: Contract
    commitments: list[CommitmentStatus]
    reports: list[SupplierReport]
    periods: list[tuple[Period, SupplierReport | None, bool]]  # period, its report, late?
    late: int
    breaches: int
    social_value: Decimal
    proxies: dict[str, SocialValueProxy] = field(default_factory=dict)

    @property
    def on_track(self) -> int:
        return sum(1 for row in self.commitments if row.status == "on_track")

    @property
    def open_periods(self) -> list[Period]:
        return [p for p, report, _late in self.periods if report is None]


def delivered_value(metric: str, reports: list[SupplierReport]) -> Decimal | None:
    """Flows (hires, training hours) add up over the reports; stocks are the latest value."""
    if not reports:
        return None
    if metric in CUMULATIVE_METRICS:
        return sum((r.metric_value(metric) for r in reports), ZERO)
    return reports[-1].metric_value(metric)


def contract_monitoring(
    *,
    contract: Contract,
    today: dt.date | None = None,
    reports: list[SupplierReport] | None = None,
    commitments: list[Commitment] | None = None,
    proxies: dict[str, SocialValueProxy] | None = None,
) -> Monitoring:
    today = today or timezone.localdate()
    if reports is None:
        reports = list(contract.reports.order_by("period_start"))
    if commitments is None:
        commitments = list(contract.commitments.select_related("clause"))
    if proxies is None:
        proxies = {p.metric: p for p in SocialValueProxy.objects.all()}
    by_start = {r.period_start: r for r in reports}
    periods = []
    late = 0
    for period in contract_periods(contract=contract):
        report = by_start.get(period.start)
        is_late = report is None and period.due < today
        late += is_late
        periods.append((period, report, is_late))
    rows = []
    breaches = 0
    for c in commitments:
        value = delivered_value(c.metric, reports)
        if value is None:
            status = "pending"
        elif value >= c.target:
            status = "on_track"
        else:
            # Flows accumulate: they are judged once the contract's last period has ended.
            final = contract.end < today
            status = "breach" if (c.metric not in CUMULATIVE_METRICS or final) else "pending"
        breaches += status == "breach"
        rows.append(CommitmentStatus(commitment=c, delivered=value, status=status))
    total = ZERO
    for metric, proxy in proxies.items():
        value = delivered_value(metric, reports)
        if value is not None:
            total += value * proxy.euro_per_unit
            for row in rows:
                if row.commitment.metric == metric:
                    row.social_value = value * proxy.euro_per_unit
    return Monitoring(
        contract=contract,
        commitments=rows,
        reports=reports,
        periods=periods,
        late=late,
        breaches=breaches,
        social_value=total,
        proxies=proxies,
    )


def contracts_monitoring(
    *, contracts: QuerySet[Contract], today: dt.date | None = None
) -> list[Monitoring]:
    """Monitoring of many contracts in four queries."""
    items = list(contracts.select_related("tender__buyer", "supplier"))
    ids = [c.pk for c in items]
    reports: dict[int, list[SupplierReport]] = defaultdict(list)
    for r in SupplierReport.objects.filter(contract_id__in=ids).order_by("period_start"):
        reports[r.contract_id].append(r)
    commitments: dict[int, list[Commitment]] = defaultdict(list)
    for c in Commitment.objects.filter(contract_id__in=ids).select_related("clause"):
        commitments[c.contract_id].append(c)
    proxies = {p.metric: p for p in SocialValueProxy.objects.all()}
    return [
        contract_monitoring(
            contract=c,
            today=today,
            reports=reports[c.pk],
            commitments=commitments[c.pk],
            proxies=proxies,
        )
        for c in items
    ]


@dataclass
class Dashboard:
    by_procedure: list[dict[str, Any]]
    by_buyer: list[dict[str, Any]]
    by_year: list[dict[str, Any]]
    tenders: int
    with_rewards: int
    reserved_value: Decimal
    total_value: Decimal
    commitments: int
    on_track: int
    breaches: int
    late_reports: int
    social_value: Decimal
    monitoring: list[Monitoring]

    @property
    def rewards_share(self) -> Decimal | None:
        if not self.tenders:
            return None
        return Decimal(self.with_rewards * 100) / self.tenders

    @property
    def reserved_share(self) -> Decimal | None:
        if not self.total_value:
            return None
        return self.reserved_value * 100 / self.total_value


def procurement_dashboard(
    *, buyer: int | None = None, year: int | None = None, today: dt.date | None = None
) -> Dashboard:
    """Published tenders (not drafts, not cancelled) by procedure, buyer and year, with the
    monitoring of their contracts. A fixed number of queries whatever the data size."""
    tenders = Tender.objects.exclude(state__in=[Tender.State.DRAFT, Tender.State.CANCELLED])
    if buyer:
        tenders = tenders.filter(buyer_id=buyer)
    if year:
        tenders = tenders.filter(published_at__year=year)
    reward = Criterion.objects.filter(tender=OuterRef("pk"), kind=Criterion.Kind.CLAUSE)
    tenders = tenders.annotate(has_rewards=Exists(reward))
    labels = dict(Procedure.choices)
    by_procedure = [
        {"procedure": labels.get(row["procedure"], row["procedure"]), **row}
        for row in tenders.values("procedure")
        .annotate(n=Count("id"), value=Sum("estimated_value"))
        .order_by("procedure")
    ]
    by_buyer = list(
        tenders.values("buyer__name", "buyer_id")
        .annotate(n=Count("id"), value=Sum("estimated_value"))
        .order_by("-value", "buyer__name")[:50]
    )
    by_year = list(
        tenders.annotate(year=ExtractYear("published_at"))
        .values("year")
        .annotate(n=Count("id"), value=Sum("estimated_value"))
        .order_by("year")
    )
    totals = tenders.aggregate(n=Count("id"), value=Sum("estimated_value"))
    with_rewards = tenders.filter(has_rewards=True).count()
    reserved = (
        tenders.filter(procedure=Procedure.RESERVED).aggregate(v=Sum("estimated_value"))["v"]
        or ZERO
    )
    contracts = Contract.objects.filter(tender__in=tenders.values("pk"))
    monitoring = contracts_monitoring(contracts=contracts.order_by("-start", "-id"), today=today)
    rows = [row for m in monitoring for row in m.commitments]
    return Dashboard(
        by_procedure=by_procedure,
        by_buyer=by_buyer,
        by_year=by_year,
        tenders=totals["n"] or 0,
        with_rewards=with_rewards,
        reserved_value=reserved,
        total_value=totals["value"] or ZERO,
        commitments=len(rows),
        on_track=sum(1 for r in rows if r.status == "on_track"),
        breaches=sum(1 for r in rows if r.status == "breach"),
        late_reports=sum(m.late for m in monitoring),
        social_value=sum((m.social_value for m in monitoring), ZERO),
        monitoring=monitoring,
    )


def metric_label(metric: str) -> str:
    return str(dict(Metric.choices).get(metric, metric))
