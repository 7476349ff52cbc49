"""Deterministic demo data for procurement: tenders built from the clause library, bids,
awards, contracts and supplier reports. Uses the organisations already in the registry
(public administrations as buyers, the others as bidders); writes through the services."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from pes.plan.models import Action
from pes.procurement.models import (
    Bid,
    Clause,
    Contract,
    Criterion,
    PriceFormula,
    Procedure,
    SupplierReport,
    Tender,
)
from pes.procurement.periods import contract_periods
from pes.procurement.ranking import tender_ranking
from pes.procurement.services import (
    bid_submit,
    criterion_add,
    report_submit,
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


def seed_procurement(*, tenders: int, seed: int) -> int:
    """Create ``tenders`` tenders (about two thirds awarded, with contracts and reports).

    Returns how many tenders were created; 0 when the registry has no buyer or fewer than
    three bidders."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    buyers = list(Organization.objects.filter(legal_form__code="PA").order_by("pk")[:30])
    suppliers = list(Organization.objects.exclude(legal_form__code="PA").order_by("pk")[:200])
    if not buyers or len(suppliers) < 3:
        return 0
    rewards = {c.code: c for c in Clause.objects.filter(kind=Clause.Kind.REWARD, owner=None)}
    mandatory = list(Clause.objects.filter(kind=Clause.Kind.MANDATORY))
    actions = list(Action.objects.filter(mission__number=5).order_by("number"))
    now = timezone.now()
    created = 0
    for i in range(tenders):
        # One transaction per tender: the services' savepoints end with it. In one transaction
        # for all, PostgreSQL's subtransaction cache overflows after 64 and every read of the
        # thousands of tenders slows to a crawl (national: 10,000 tenders).
        with transaction.atomic():
            if _seed_tender(
                i,
                rng=rng,
                buyers=buyers,
                suppliers=suppliers,
                rewards=rewards,
                mandatory=mandatory,
                actions=actions,
                now=now,
            ):
                created += 1
    return created


def _seed_tender(
    i: int,
    *,
    rng: random.Random,
    buyers: list[Organization],
    suppliers: list[Organization],
    rewards: dict[str, Clause],
    mandatory: list[Clause],
    actions: list[Action],
    now: dt.datetime,
) -> bool:
    buyer = rng.choice(buyers)
    labour = rng.random() < 0.7
    procedure = rng.choice(
        [Procedure.OPEN, Procedure.OPEN, Procedure.NEGOTIATED, Procedure.RESERVED]
    )
    value = Decimal(rng.randrange(40, 900) * 1000)
    published_days_ago = rng.randrange(30, 700)
    tender = tender_create(
        data={
            "buyer": buyer,
            "title": f"{rng.choice(OBJECTS)} — {buyer.name} ({i + 1})",
            "cig": _cig(rng),
            "estimated_value": value,
            "procedure": procedure,
            "labour_intensive": labour,
            "price_only_forbidden": True,
            "price_formula": rng.choice(PriceFormula.values),
            "bid_deadline": now + dt.timedelta(days=30),
            "impact_objectives": "Occupazione stabile e di qualità; inclusione lavorativa.",
        },
        actions=actions[:1],
        mandatory_clauses=mandatory,
    )
    criterion_add(tender=tender, kind=Criterion.Kind.PRICE, weight=Decimal(30))
    criterion_add(tender=tender, kind=Criterion.Kind.QUALITY, weight=Decimal(40), rescale=True)
    for code, weight in (
        ("certificazione-parita-genere", 5),
        ("quota-tempo-indeterminato", 10),
        ("assunzione-svantaggiati", 10),
        ("ore-formazione", 5),
    ):
        criterion_add(
            tender=tender,
            kind=Criterion.Kind.CLAUSE,
            weight=Decimal(weight),
            clause=rewards[code],
        )
    tender = tender_publish(tender=tender)
    criteria = list(tender.criteria.select_related("clause"))
    for supplier in rng.sample(suppliers, 3):
        values: dict[int, object] = {}
        for c in criteria:
            if c.kind == Criterion.Kind.QUALITY:
                values[c.pk] = [Decimal(rng.randrange(4, 11)) / 10 for _ in range(3)]
            elif c.clause and c.clause.rule == Clause.Rule.YES_NO:
                values[c.pk] = Decimal(rng.randrange(0, 2))
            elif c.clause and c.clause.metric == "permanent_share":
                values[c.pk] = Decimal(rng.randrange(40, 100))
            elif c.kind != Criterion.Kind.PRICE:
                values[c.pk] = Decimal(rng.randrange(1, 40))
        price = (value * Decimal(rng.randrange(70, 99)) / 100).quantize(Decimal("0.01"))
        bid_submit(tender=tender, supplier=supplier, price=price, values=values)
    if rng.random() < 0.35:
        return True
    winner = tender_ranking(tender=tender).rows[0].bid
    start = (now - dt.timedelta(days=published_days_ago)).date()
    contract = tender_award(
        tender=tender, bid=winner, start=start, end=start + dt.timedelta(days=730)
    )
    Tender.objects.filter(pk=tender.pk).update(
        published_at=now - dt.timedelta(days=published_days_ago + 40),
        awarded_at=now - dt.timedelta(days=published_days_ago),
    )
    _seed_reports(rng, contract)
    return True


def _seed_reports(rng: random.Random, contract: Contract) -> None:
    today = timezone.localdate()
    targets = {c.metric: c.target for c in contract.commitments.all()}
    for period in contract_periods(contract=contract):
        if period.end >= today or rng.random() < 0.15:
            continue  # not over yet, or late
        good = rng.random() < 0.8
        factor = Decimal(1) if good else Decimal("0.7")
        report_submit(
            contract=contract,
            period_start=period.start,
            today=today,
            data={
                "employed": rng.randrange(5, 40),
                "permanent_share": min(
                    Decimal(100), (targets.get("permanent_share", Decimal(60)) * factor)
                ).quantize(Decimal("0.01")),
                "reabsorbed": int(targets.get("reabsorbed", 0) * factor),
                "disadvantaged": int(targets.get("disadvantaged", Decimal(4)) * factor / 2),
                "training_hours": (
                    targets.get("training_hours", Decimal(20)) * factor / 2
                ).quantize(Decimal("0.1")),
                "local_subcontracting": Decimal(rng.randrange(0, 25)),
            },
        )
