"""Deterministic demo data for procurement: tenders built from the clause library, bids,
awards, contracts and supplier reports. Uses the organisations already in the registry
(public administrations as buyers, the others as bidders).

Every tender is first *drawn* (``_draw_tender``: all its random choices, in a fixed order),
then written by one of two paths that store the same rows from the same draws:

* in bulk (the default): ``bulk_create`` in batches of ``BATCH`` tenders, one transaction per
  batch, with what the services would write — criteria, bids and their values, contracts,
  commitments, reporting periods, reports, the stored figures (``Commitment.delivered``) and
  the audit entries; the winner is ranked with the same ``ranking.rank_bids`` and the
  commitments and periods come from the same service helpers. 10,000 tenders (national) take
  well under two minutes instead of half an hour;
* through the services, one tender per transaction (``through_services=True``): the
  reference, which ``tests/test_demo.py`` compares with the bulk path row by row.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from pes.core.audit import snapshot
from pes.core.models import AuditEntry
from pes.core.versions import bump
from pes.plan.models import Action
from pes.procurement.models import (
    Bid,
    BidValue,
    Clause,
    Commitment,
    Contract,
    Criterion,
    PriceFormula,
    Procedure,
    ReportingPeriod,
    SupplierReport,
    Tender,
    delivered_value,
)
from pes.procurement.periods import periods_between
from pes.procurement.ranking import rank_bids, tender_ranking
from pes.procurement.selectors import VERSION_AREA
from pes.procurement.services import (
    REPORT_FIELDS,
    TENDER_FIELDS,
    award_commitments,
    bid_submit,
    clean_code,
    criterion_add,
    criterion_default_label,
    report_submit,
    reporting_periods,
    tender_award,
    tender_create,
    tender_publish,
)
from pes.registry.models import Organization

OBJECTS = [
    "Servizio di pulizia degli edifici comunali",
    "Servizio di ristorazione scolastica",
    "Manutenzione del verde pubblico",
    "Servizio di assistenza domiciliare",
    "Gestione del centro diurno per anziani",
    "Servizio di trasporto scolastico",
    "Custodia e portierato delle sedi",
    "Gestione della biblioteca comunale",
]

#: Every tender's criteria, in order: (kind, weight, reward clause code, re-scale).
CRITERIA: list[tuple[str, Decimal, str | None, bool]] = [
    (Criterion.Kind.PRICE, Decimal(30), None, False),
    (Criterion.Kind.QUALITY, Decimal(40), None, True),
    (Criterion.Kind.CLAUSE, Decimal(5), "certificazione-parita-genere", False),
    (Criterion.Kind.CLAUSE, Decimal(10), "quota-tempo-indeterminato", False),
    (Criterion.Kind.CLAUSE, Decimal(10), "assunzione-svantaggiati", False),
    (Criterion.Kind.CLAUSE, Decimal(5), "ore-formazione", False),
]
BIDS_PER_TENDER = 3
CONTRACT_DAYS = 730
REPORT_EVERY_MONTHS = 6
#: Tenders per transaction in the bulk path (about 45 rows each, audit entries included).
BATCH = 500
INSERT_BATCH = 5000  # rows per INSERT statement


def clear_procurement() -> None:
    """Delete every procurement record (clauses and proxies stay), in the order the protected
    foreign keys need: ``seed_demo`` calls it before it replaces the organisations."""
    SupplierReport.objects.all().delete()
    Contract.objects.all().delete()
    Bid.objects.all().delete()
    Tender.objects.all().delete()
    Clause.objects.exclude(owner=None).delete()


def _cig(rng: random.Random) -> str:
    return "".join(rng.choice("0123456789ABCDEF") for _ in range(10))


# --- draws -------------------------------------------------------------------------------


@dataclass
class _Registry:
    """What every tender draws from, read once."""

    buyers: list[Organization]
    suppliers: list[Organization]
    rewards: dict[str, Clause]
    mandatory: list[Clause]
    actions: list[Action]
    now: dt.datetime
    today: dt.date


@dataclass
class _BidDraw:
    supplier: Organization
    price: Decimal
    #: One per entry of ``CRITERIA``: a quantity, the commissioners' coefficients (quality),
    #: or None (price).
    values: list[Decimal | list[Decimal] | None]


@dataclass
class _ReportDraw:
    start: dt.date
    end: dt.date
    good: bool  # delivers the commitments, or 70% of them
    employed: int
    local_subcontracting: Decimal


@dataclass
class _TenderDraw:
    data: dict[str, Any]
    bids: list[_BidDraw]
    awarded: bool
    published_days_ago: int
    start: dt.date
    reports: list[_ReportDraw] = field(default_factory=list)

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=CONTRACT_DAYS)


def _draw_tender(i: int, rng: random.Random, reg: _Registry) -> _TenderDraw:
    buyer = rng.choice(reg.buyers)
    labour = rng.random() < 0.7
    procedure = rng.choice(
        [Procedure.OPEN, Procedure.OPEN, Procedure.NEGOTIATED, Procedure.RESERVED]
    )
    value = Decimal(rng.randrange(40, 900) * 1000)
    published_days_ago = rng.randrange(30, 700)
    data = {
        "buyer": buyer,
        "title": f"{rng.choice(OBJECTS)} — {buyer.name} ({i + 1})",
        "cig": _cig(rng),
        "estimated_value": value,
        "procedure": procedure,
        "labour_intensive": labour,
        "price_only_forbidden": True,
        "price_formula": rng.choice(PriceFormula.values),
        "bid_deadline": reg.now + dt.timedelta(days=30),
        "impact_objectives": "Occupazione stabile e di qualità; inclusione lavorativa.",
    }
    bids = []
    for supplier in rng.sample(reg.suppliers, BIDS_PER_TENDER):
        values: list[Decimal | list[Decimal] | None] = []
        for kind, _weight, code, _rescale in CRITERIA:
            clause = reg.rewards[code] if code else None
            if kind == Criterion.Kind.QUALITY:
                values.append([Decimal(rng.randrange(4, 11)) / 10 for _ in range(3)])
            elif clause and clause.rule == Clause.Rule.YES_NO:
                values.append(Decimal(rng.randrange(0, 2)))
            elif clause and clause.metric == "permanent_share":
                values.append(Decimal(rng.randrange(40, 100)))
            elif kind != Criterion.Kind.PRICE:
                values.append(Decimal(rng.randrange(1, 40)))
            else:
                values.append(None)
        price = (value * Decimal(rng.randrange(70, 99)) / 100).quantize(Decimal("0.01"))
        bids.append(_BidDraw(supplier=supplier, price=price, values=values))
    start = (reg.now - dt.timedelta(days=published_days_ago)).date()
    draw = _TenderDraw(
        data=data,
        bids=bids,
        awarded=rng.random() >= 0.35,
        published_days_ago=published_days_ago,
        start=start,
    )
    if draw.awarded:
        for period in periods_between(draw.start, draw.end, REPORT_EVERY_MONTHS):
            if period.end >= reg.today or rng.random() < 0.15:
                continue  # not over yet, or late
            good = rng.random() < 0.8
            employed = rng.randrange(5, 40)
            local = Decimal(rng.randrange(0, 25))
            draw.reports.append(_ReportDraw(period.start, period.end, good, employed, local))
    return draw


def _report_data(report: _ReportDraw, targets: dict[str, Decimal]) -> dict[str, Any]:
    """A report's figures: the commitments' targets (or typical values), 70% of them when
    the period went badly."""
    factor = Decimal(1) if report.good else Decimal("0.7")
    return {
        "employed": report.employed,
        "permanent_share": min(
            Decimal(100), (targets.get("permanent_share", Decimal(60)) * factor)
        ).quantize(Decimal("0.01")),
        "reabsorbed": int(targets.get("reabsorbed", 0) * factor),
        "disadvantaged": int(targets.get("disadvantaged", Decimal(4)) * factor / 2),
        "training_hours": (targets.get("training_hours", Decimal(20)) * factor / 2).quantize(
            Decimal("0.1")
        ),
        "local_subcontracting": report.local_subcontracting,
    }


# --- seeding -----------------------------------------------------------------------------


def seed_procurement(
    *,
    tenders: int,
    seed: int,
    through_services: bool = False,
    now: dt.datetime | None = None,
) -> int:
    """Create ``tenders`` tenders (about two thirds awarded, with contracts and reports), in
    bulk, or through the services with ``through_services`` (same rows, far slower).

    ``now`` (default: the current time) anchors the dates: deadlines, publication, award,
    contracts. Returns how many tenders were created; 0 when the registry has no buyer or
    fewer than three bidders."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    buyers = list(Organization.objects.filter(legal_form__code="PA").order_by("pk")[:30])
    suppliers = list(Organization.objects.exclude(legal_form__code="PA").order_by("pk")[:200])
    if not buyers or len(suppliers) < BIDS_PER_TENDER:
        return 0
    now = now or timezone.now()
    reg = _Registry(
        buyers=buyers,
        suppliers=suppliers,
        rewards={c.code: c for c in Clause.objects.filter(kind=Clause.Kind.REWARD, owner=None)},
        mandatory=list(Clause.objects.filter(kind=Clause.Kind.MANDATORY)),
        actions=list(Action.objects.filter(mission__number=5).order_by("number"))[:1],
        now=now,
        today=timezone.localdate(),
    )
    if through_services:
        for i in range(tenders):
            # One transaction per tender: the services' savepoints end with it. In one
            # transaction for all, PostgreSQL's subtransaction cache overflows after 64 and
            # every read of the thousands of tenders slows to a crawl.
            with transaction.atomic():
                _seed_through_services(_draw_tender(i, rng, reg), reg)
        return tenders
    for first in range(0, tenders, BATCH):
        draws = [_draw_tender(i, rng, reg) for i in range(first, min(first + BATCH, tenders))]
        # One transaction per batch, and no savepoint in it (bulk_create opens none).
        with transaction.atomic():
            _seed_in_bulk(draws, reg)
    bump(VERSION_AREA)  # bulk writes send no signals
    return tenders


def _seed_through_services(draw: _TenderDraw, reg: _Registry) -> None:
    tender = tender_create(data=draw.data, actions=reg.actions, mandatory_clauses=reg.mandatory)
    for kind, weight, code, rescale in CRITERIA:
        criterion_add(
            tender=tender,
            kind=kind,
            weight=weight,
            clause=reg.rewards[code] if code else None,
            rescale=rescale,
        )
    tender = tender_publish(tender=tender)
    criteria = list(tender.criteria.order_by("order", "id"))
    for bid in draw.bids:
        values = {c.pk: v for c, v in zip(criteria, bid.values, strict=True) if v is not None}
        bid_submit(tender=tender, supplier=bid.supplier, price=bid.price, values=values)
    if not draw.awarded:
        return
    winner = tender_ranking(tender=tender).rows[0].bid
    contract = tender_award(
        tender=tender,
        bid=winner,
        start=draw.start,
        end=draw.end,
        report_every_months=REPORT_EVERY_MONTHS,
    )
    Tender.objects.filter(pk=tender.pk).update(
        published_at=reg.now - dt.timedelta(days=draw.published_days_ago + 40),
        awarded_at=reg.now - dt.timedelta(days=draw.published_days_ago),
    )
    targets = {c.metric: c.target for c in contract.commitments.all()}
    for report in draw.reports:
        report_submit(
            contract=contract,
            period_start=report.start,
            today=reg.today,
            data=_report_data(report, targets),
        )


@dataclass
class _Built:
    """One tender of a bulk batch, its rows in memory."""

    draw: _TenderDraw
    tender: Tender
    created: dict[str, Any]  # the tender's fields as ``tender_create`` audits them
    criteria: list[Criterion] = field(default_factory=list)
    bids: list[Bid] = field(default_factory=list)
    values: list[list[BidValue]] = field(default_factory=list)  # per bid
    contract: Contract | None = None
    reports: list[SupplierReport] = field(default_factory=list)


def _seed_in_bulk(draws: list[_TenderDraw], reg: _Registry) -> None:
    """Write ``draws`` as the services would, with one ``bulk_create`` per table."""
    built = _tenders(draws, reg)
    _criteria(built, reg)
    _bids(built)
    _contracts([b for b in built if b.draw.awarded])
    AuditEntry.objects.bulk_create(_audit_entries(built), batch_size=INSERT_BATCH)


def _tenders(draws: list[_TenderDraw], reg: _Registry) -> list[_Built]:
    """The tenders (``tender_create``, ``tender_publish``, the award's dates) and their
    actions and mandatory clauses."""
    published = timezone.now()  # when ``tender_publish`` would have run
    built = []
    for draw in draws:
        tender = Tender(**draw.data)
        tender.cig, tender.cup = clean_code(tender.cig), clean_code(tender.cup)
        tender.clean_fields(exclude=["buyer"])  # as ``tender_create``'s full_clean
        created = snapshot(tender, TENDER_FIELDS)  # a draft when created
        if draw.awarded:
            tender.state = Tender.State.AWARDED
            tender.published_at = reg.now - dt.timedelta(days=draw.published_days_ago + 40)
            tender.awarded_at = reg.now - dt.timedelta(days=draw.published_days_ago)
        else:
            tender.state = Tender.State.OPEN
            tender.published_at = published
        built.append(_Built(draw=draw, tender=tender, created=created))
    Tender.objects.bulk_create([b.tender for b in built], batch_size=INSERT_BATCH)
    actions = Tender.actions.through
    actions.objects.bulk_create(
        [actions(tender_id=b.tender.pk, action_id=a.pk) for b in built for a in reg.actions],
        batch_size=INSERT_BATCH,
    )
    mandatory = Tender.mandatory_clauses.through
    mandatory.objects.bulk_create(
        [mandatory(tender_id=b.tender.pk, clause_id=c.pk) for b in built for c in reg.mandatory],
        batch_size=INSERT_BATCH,
    )
    return built


def _criteria(built: list[_Built], reg: _Registry) -> None:
    """The criteria, as ``criterion_add`` names and numbers them."""
    for b in built:
        for order, (kind, weight, code, rescale) in enumerate(CRITERIA, start=1):
            clause = reg.rewards[code] if code else None
            label = clause.label if clause is not None else criterion_default_label(kind)
            b.criteria.append(
                Criterion(
                    tender=b.tender,
                    kind=kind,
                    label=label[:200],
                    weight=weight,
                    clause=clause,
                    rescale=rescale,
                    higher_is_better=True,
                    order=order,
                )
            )
    Criterion.objects.bulk_create([c for b in built for c in b.criteria], batch_size=INSERT_BATCH)


def _bids(built: list[_Built]) -> None:
    """The bids and their values, as ``bid_submit`` stores them, received one after the
    other."""
    received = timezone.now()
    for b in built:
        for offer in b.draw.bids:
            received += dt.timedelta(microseconds=1)
            price = offer.price if b.tender.scores_price else None
            b.bids.append(
                Bid(tender=b.tender, supplier=offer.supplier, price=price, submitted_at=received)
            )
    Bid.objects.bulk_create([bid for b in built for bid in b.bids], batch_size=INSERT_BATCH)
    for b in built:
        for bid, offer in zip(b.bids, b.draw.bids, strict=True):
            row = []
            for criterion, value in zip(b.criteria, offer.values, strict=True):
                if isinstance(value, list):  # quality: the commissioners' coefficients
                    coefficients = [str(Decimal(str(c))) for c in value]
                    row.append(BidValue(bid=bid, criterion=criterion, coefficients=coefficients))
                elif value is not None:
                    row.append(BidValue(bid=bid, criterion=criterion, value=Decimal(str(value))))
            b.values.append(row)
    BidValue.objects.bulk_create(
        [v for b in built for row in b.values for v in row], batch_size=INSERT_BATCH
    )


def _contracts(awarded: list[_Built]) -> None:
    """For awarded tenders: the contract with the first-ranked bid (``tender_award``), its
    commitments and reporting periods, the reports (``report_submit``) and the figures
    ``contract_figures_refresh`` stores."""
    offered: list[dict[int, Decimal | None]] = []  # the winner's values, by criterion
    for b in awarded:
        values = {
            (v.bid_id, v.criterion_id): (v.value, v.coefficients) for row in b.values for v in row
        }
        ranking = rank_bids(tender=b.tender, criteria=b.criteria, bids=b.bids, values=values)
        winner = ranking.rows[0].bid
        offered.append({c: value for (bid, c), (value, _c) in values.items() if bid == winner.pk})
        b.contract = Contract(
            tender=b.tender,
            bid=winner,
            supplier=winner.supplier,
            value=winner.price if winner.price is not None else b.tender.estimated_value,
            start=b.draw.start,
            end=b.draw.end,
            report_every_months=REPORT_EVERY_MONTHS,
        )
    contracts = [b.contract for b in awarded if b.contract is not None]
    Contract.objects.bulk_create(contracts, batch_size=INSERT_BATCH)
    commitments: list[Commitment] = []
    periods: list[ReportingPeriod] = []
    for b, contract, winner_values in zip(awarded, contracts, offered, strict=True):
        mine = award_commitments(contract=contract, criteria=b.criteria, offered=winner_values)
        targets = {c.metric: c.target for c in mine}
        for period in b.draw.reports:
            report = SupplierReport(
                contract=contract,
                period_start=period.start,
                period_end=period.end,
                **_report_data(period, targets),
            )
            report.clean_fields(exclude=["contract", "submitted_by"])  # as ``report_submit``
            b.reports.append(report)
        for commitment in mine:
            commitment.delivered = delivered_value(commitment.metric, b.reports)
        commitments += mine
        periods += reporting_periods(contract=contract)
    Commitment.objects.bulk_create(commitments, batch_size=INSERT_BATCH)
    ReportingPeriod.objects.bulk_create(periods, batch_size=INSERT_BATCH)
    SupplierReport.objects.bulk_create(
        [r for b in awarded for r in b.reports], batch_size=INSERT_BATCH
    )


def _audit_entries(built: list[_Built]) -> list[AuditEntry]:
    """The audit entries the services write for each tender, in their order."""
    types = ContentType.objects.get_for_models(
        Tender, Bid, Contract, SupplierReport, for_concrete_models=False
    )

    def entry(instance: Any, action: str, changes: dict[str, Any]) -> AuditEntry:
        return AuditEntry(
            content_type=types[type(instance)],
            object_id=str(instance.pk),
            object_repr=str(instance)[:255],
            action=action,
            changes=changes,
        )

    entries = []
    for b in built:
        tender = b.tender
        entries.append(entry(tender, "create", {k: [None, v] for k, v in b.created.items()}))
        for c in b.criteria:
            entries.append(
                entry(tender, "update", {"criteria": [None, f"+ {c.label} ({c.weight})"]})
            )
        entries.append(entry(tender, "transition", {"state": ["draft", "open"]}))
        for bid, offer in zip(b.bids, b.draw.bids, strict=True):
            changes = {"supplier": [None, bid.supplier_id], "price": [None, str(offer.price)]}
            entries.append(entry(bid, "create", changes))
        contract = b.contract
        if contract is None:
            continue
        changes = {"state": ["open", "awarded"], "bid": [None, contract.bid_id]}
        entries.append(entry(tender, "transition", changes))
        changes = {"supplier": [None, contract.supplier_id], "value": [None, str(contract.value)]}
        entries.append(entry(contract, "create", changes))
        for report in b.reports:
            changes = {k: [None, v] for k, v in snapshot(report, REPORT_FIELDS).items()}
            entries.append(entry(report, "create", changes))
    return entries
