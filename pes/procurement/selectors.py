"""Reads for procurement: tender lists, contract monitoring, the governance dashboard."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from pes.core.versions import cached
from pes.procurement.models import (
    CUMULATIVE_METRICS,
    Commitment,
    Contract,
    Criterion,
    Metric,
    Procedure,
    ReportingPeriod,
    SocialValueProxy,
    SupplierReport,
    Tender,
    delivered_value,
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


ATTENTION_ROWS = 20  # contracts shown on the dashboard; the rest are one click away


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
    contracts: int
    attention: int  # contracts with a breach or a late report
    monitoring: list[Contract]  # the first ATTENTION_ROWS of them, annotated (see below)

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


def _breach(today: dt.date) -> Q:
    """A commitment in breach: delivered below target, and judged (stocks at once, flows once
    the contract has ended). The SQL twin of ``contract_monitoring``'s status."""
    return Q(delivered__lt=F("target")) & (
        ~Q(metric__in=CUMULATIVE_METRICS) | Q(contract__end__lt=today)
    )


def _late_periods(today: dt.date) -> QuerySet[ReportingPeriod]:
    report = SupplierReport.objects.filter(
        contract_id=OuterRef("contract_id"), period_start=OuterRef("start")
    )
    return ReportingPeriod.objects.filter(due__lt=today).exclude(Exists(report))


def _count(qs: QuerySet[Any]) -> Subquery:
    return Subquery(
        qs.order_by().values("contract_id").annotate(n=Count("pk")).values("n")[:1],
        output_field=IntegerField(),
    )


def contracts_with_figures(*, contracts: QuerySet[Contract], today: dt.date) -> QuerySet[Contract]:
    """Contracts annotated with ``n_commitments``, ``n_on_track``, ``n_breaches`` and ``n_late``
    from the stored figures: one query, whatever the number of contracts."""
    mine = Commitment.objects.filter(contract_id=OuterRef("pk"))
    return contracts.select_related("tender", "supplier").annotate(
        n_commitments=Coalesce(_count(mine), 0),
        n_on_track=Coalesce(_count(mine.filter(delivered__gte=F("target"))), 0),
        n_breaches=Coalesce(_count(mine.filter(_breach(today))), 0),
        n_late=Coalesce(_count(_late_periods(today).filter(contract_id=OuterRef("pk"))), 0),
    )


@dataclass(frozen=True)
class Flagged:
    """A contract with a breach or a late report, as ``attention_order`` lists it."""

    contract_id: int
    start: dt.date
    breaches: int
    late: int


def attention_order(*, contracts: QuerySet[Contract], today: dt.date) -> list[Flagged]:
    """Every contract of ``contracts`` with a breach or a late report, most breaches first,
    then most late reports, the latest start: one query grouping the breached commitments
    and the late periods by contract (a hash aggregate, not a count per contract)."""
    wanted = contracts.values("pk")
    breaches = (
        Commitment.objects.filter(_breach(today), contract__in=wanted)
        .order_by()
        .values("contract_id", "contract__start")
        .annotate(kind=Value("b"), n=Count("pk"))
    )
    late = (
        _late_periods(today)
        .filter(contract__in=wanted)
        .order_by()
        .values("contract_id", "contract__start")
        .annotate(kind=Value("l"), n=Count("pk"))
    )
    figures: dict[int, list[Any]] = {}
    for contract_id, start, kind, n in breaches.union(late, all=True).values_list(
        "contract_id", "contract__start", "kind", "n"
    ):
        row = figures.setdefault(contract_id, [start, 0, 0])
        row[1 if kind == "b" else 2] += n
    flagged = [Flagged(pk, start, b, late) for pk, (start, b, late) in figures.items()]
    flagged.sort(key=lambda f: (-f.breaches, -f.late, -f.start.toordinal(), -f.contract_id))
    return flagged


def flagged_contracts(*, flagged: list[Flagged], today: dt.date) -> list[Contract]:
    """The contracts of ``flagged`` (a page of ``attention_order``), in its order, annotated
    as ``contracts_with_figures``: one query over those rows only."""
    rows = contracts_with_figures(
        contracts=Contract.objects.filter(pk__in=[f.contract_id for f in flagged]), today=today
    ).in_bulk()
    return [rows[f.contract_id] for f in flagged if f.contract_id in rows]


def social_value_of(*, contracts: QuerySet[Contract]) -> Decimal:
    """Social value delivered by ``contracts``: each proxied KPI's delivered value (flows summed
    over the reports, stocks from each contract's latest report) times its euro per unit."""
    proxies = {p.metric: p.euro_per_unit for p in SocialValueProxy.objects.all()}
    if not proxies:
        return ZERO
    reports = SupplierReport.objects.filter(contract__in=contracts.values("pk")).order_by()
    later = SupplierReport.objects.filter(
        contract_id=OuterRef("contract_id"), period_start__gt=OuterRef("period_start")
    )
    latest = ~Q(Exists(later))
    sums = reports.aggregate(
        **{m: Sum(m) if m in CUMULATIVE_METRICS else Sum(m, filter=latest) for m in proxies}
    )
    total = sum(
        (Decimal(str(sums[m])) * proxies[m] for m in proxies if sums.get(m) is not None), ZERO
    )
    return total.quantize(Decimal("0.01"))


def dashboard_tenders(*, buyer: int | None = None, year: int | None = None) -> QuerySet[Tender]:
    """The tenders the dashboard counts: published ones (not drafts, not cancelled)."""
    tenders = Tender.objects.exclude(state__in=[Tender.State.DRAFT, Tender.State.CANCELLED])
    if buyer:
        tenders = tenders.filter(buyer_id=buyer)
    if year:
        tenders = tenders.filter(published_at__year=year)
    return tenders


def dashboard_contracts(*, buyer: int | None = None, year: int | None = None) -> QuerySet[Contract]:
    return Contract.objects.filter(
        tender__in=dashboard_tenders(buyer=buyer, year=year).values("pk")
    )


#: The data area (``pes.core.versions``) of the dashboard: bumped by every write to the
#: models listed in ``ProcurementConfig.ready`` and by the services' bulk writes.
VERSION_AREA = "procurement"


def procurement_dashboard(
    *, buyer: int | None = None, year: int | None = None, today: dt.date | None = None
) -> Dashboard:
    """Published tenders (not drafts, not cancelled) by procedure, buyer and year, with the
    monitoring of their contracts: totals from SQL aggregates over the stored figures
    (``contract_figures_refresh``) and the contracts needing attention, first ones only.
    Aggregates over every tender and contract, so cached under the procurement data version,
    the filters and the day (deadlines pass); computed, a fixed number of queries, none of
    them a count per contract, whatever the data size."""
    today = today or timezone.localdate()
    return cached(
        VERSION_AREA,
        "dashboard",
        lambda: _dashboard(buyer=buyer, year=year, today=today),
        parts=(buyer, year, today),
    )


def _dashboard(*, buyer: int | None, year: int | None, today: dt.date) -> Dashboard:
    tenders = dashboard_tenders(buyer=buyer, year=year)
    reward = Criterion.objects.filter(tender=OuterRef("pk"), kind=Criterion.Kind.CLAUSE)
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
    totals = tenders.aggregate(
        n=Count("id"),
        with_rewards=Count("id", filter=Q(Exists(reward))),
        value=Sum("estimated_value"),
        reserved=Sum("estimated_value", filter=Q(procedure=Procedure.RESERVED)),
    )
    contracts = dashboard_contracts(buyer=buyer, year=year)
    figures = Commitment.objects.filter(contract__in=contracts.values("pk")).aggregate(
        n=Count("pk"),
        on_track=Count("pk", filter=Q(delivered__gte=F("target"))),
        breaches=Count("pk", filter=_breach(today)),
    )
    flagged = attention_order(contracts=contracts, today=today)
    return Dashboard(
        by_procedure=by_procedure,
        by_buyer=by_buyer,
        by_year=by_year,
        tenders=totals["n"] or 0,
        with_rewards=totals["with_rewards"] or 0,
        reserved_value=totals["reserved"] or ZERO,
        total_value=totals["value"] or ZERO,
        commitments=figures["n"],
        on_track=figures["on_track"],
        breaches=figures["breaches"],
        late_reports=sum(f.late for f in flagged),
        social_value=social_value_of(contracts=contracts),
        contracts=contracts.count(),
        attention=len(flagged),
        monitoring=flagged_contracts(flagged=flagged[:ATTENTION_ROWS], today=today),
    )


def metric_label(metric: str) -> str:
    return str(dict(Metric.choices).get(metric, metric))
