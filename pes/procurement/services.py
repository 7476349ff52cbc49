"""Writes to procurement: tenders, criteria, bids, award, contracts, supplier reports.

Every write is audited (``pes.core.audit``); every rule is checked here, so views, forms and
the API give the same message and save nothing when a rule fails.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from pes.core.audit import audit_record, diff, snapshot
from pes.core.versions import bump
from pes.procurement import scoring
from pes.procurement.models import (
    NO_PRICE_PROCEDURES,
    Bid,
    BidValue,
    Clause,
    Commitment,
    Contract,
    Criterion,
    Lot,
    ReportingPeriod,
    SupplierReport,
    Tender,
    delivered_value,
)
from pes.procurement.periods import GRACE_DAYS, contract_periods
from pes.procurement.ranking import tender_ranking
from pes.procurement.scoring import plain
from pes.procurement.selectors import VERSION_AREA
from pes.registry.models import Organization

GRACE = dt.timedelta(days=GRACE_DAYS)

TENDER_FIELDS = [
    "buyer_id",
    "title",
    "description",
    "cig",
    "cup",
    "estimated_value",
    "procedure",
    "labour_intensive",
    "price_only_forbidden",
    "price_formula",
    "bilinear_x",
    "concave_alpha",
    "bid_deadline",
    "impact_objectives",
    "state",
]
LABOUR_INTENSIVE_PRICE_CAP = Decimal(30)
HUNDRED = Decimal(100)


def clean_code(value: str | None) -> str:
    return "".join((value or "").split()).upper()


# --- rules -------------------------------------------------------------------------------


def tender_rule_problems(*, tender: Tender) -> list[str]:
    """What stops the tender from being published, each as a sentence a buyer understands.

    Empty when the criteria respect D.Lgs. 36/2023: weights summing to 100, price at most 30
    points for labour-intensive contracts (art. 108 c.4), no price-only award where art. 108
    c.2 forbids it, the gender-equality reward present (art. 108 c.7), no price scoring in
    co-design and ODV/APS agreements (artt. 55–56 D.Lgs. 117/2017).
    """
    criteria = list(tender.criteria.select_related("clause"))
    problems: list[str] = []
    if not criteria:
        return [_("Add the award criteria: none has been entered yet.")]
    total = sum((c.weight for c in criteria), Decimal(0))
    if total != HUNDRED:
        problems.append(
            _("The weights add up to {total} points: they must add up to 100.").format(
                total=plain(total)
            )
        )
    price = sum((c.weight for c in criteria if c.kind == Criterion.Kind.PRICE), Decimal(0))
    if tender.procedure in NO_PRICE_PROCEDURES and price > 0:
        problems.append(
            _(
                "Co-design (art. 55) and agreements with ODV/APS (art. 56 D.Lgs. 117/2017) "
                "are not awarded on price: remove the price criterion."
            )
        )
    if tender.labour_intensive and price > LABOUR_INTENSIVE_PRICE_CAP:
        problems.append(
            _(
                "The price has {points} points: for labour-intensive contracts it may have at "
                "most 30 (art. 108 c.4 D.Lgs. 36/2023)."
            ).format(points=plain(price))
        )
    if price >= HUNDRED and (tender.labour_intensive or tender.price_only_forbidden):
        problems.append(
            _(
                "This contract may not be awarded on price alone (art. 108 c.2 D.Lgs. "
                "36/2023): add quality criteria."
            )
        )
    if price < HUNDRED and not any(
        c.clause is not None and c.clause.is_gender_equality for c in criteria
    ):
        problems.append(
            _(
                "Add the gender-equality reward clause: art. 108 c.7 D.Lgs. 36/2023 requires "
                "a reward for bidders with the gender-equality certification."
            )
        )
    return problems


def _check_price_weight(tender: Tender, kind: str, weight: Decimal, exclude: int | None) -> None:
    if kind != Criterion.Kind.PRICE:
        return
    if tender.procedure in NO_PRICE_PROCEDURES:
        raise ValidationError(
            {
                "kind": _(
                    "Co-design (art. 55) and agreements with ODV/APS (art. 56 D.Lgs. 117/2017) "
                    "are not awarded on price."
                )
            }
        )
    others = tender.criteria.filter(kind=Criterion.Kind.PRICE)
    if exclude:
        others = others.exclude(pk=exclude)
    if others.exists():
        raise ValidationError({"kind": _("The tender already has a price criterion.")})
    if tender.labour_intensive and weight > LABOUR_INTENSIVE_PRICE_CAP:
        raise ValidationError(
            {
                "weight": _(
                    "For labour-intensive contracts the price may have at most 30 points "
                    "(art. 108 c.4 D.Lgs. 36/2023)."
                )
            }
        )


def _check_weights_room(tender: Tender, weight: Decimal, exclude: int | None = None) -> None:
    used = tender.criteria.exclude(pk=exclude or 0).aggregate(s=Sum("weight"))["s"] or Decimal(0)
    if used + weight > HUNDRED:
        raise ValidationError(
            {
                "weight": _(
                    "The weights would add up to {total} points: they must add up to 100 "
                    "({left} left)."
                ).format(total=plain(used + weight), left=plain(HUNDRED - used))
            }
        )


def _require_draft(tender: Tender) -> None:
    if tender.state != Tender.State.DRAFT:
        raise ValidationError(
            _("The tender has been published: its criteria can no longer change.")
        )


# --- tenders -----------------------------------------------------------------------------


def _tender_validate(tender: Tender, lots_total: Decimal = Decimal(0)) -> None:
    tender.cig = clean_code(tender.cig)
    tender.cup = clean_code(tender.cup)
    if (
        tender.buyer_id
        and not Organization.objects.filter(pk=tender.buyer_id, legal_form__code="PA").exists()
    ):
        raise ValidationError({"buyer": _("The buyer must be a public administration.")})
    tender.full_clean(exclude=["actions", "mandatory_clauses", "commissioners"])
    if lots_total > tender.estimated_value:
        raise ValidationError(
            {
                "estimated_value": _(
                    "The lots add up to € {total}: the estimated value cannot be lower."
                ).format(total=_euro(lots_total))
            }
        )


@transaction.atomic
def tender_create(
    *,
    data: dict[str, Any],
    actions: list[Any] | None = None,
    mandatory_clauses: list[Any] | None = None,
    lots: list[tuple[str, Decimal]] | None = None,
    user: Any = None,
) -> Tender:
    tender = Tender(**data)
    for title, value in lots or []:
        _check_lot(title, value)
    _tender_validate(tender, sum((value for _t, value in lots or []), Decimal(0)))
    tender.save()
    if actions:
        tender.actions.set(actions)
    if mandatory_clauses:
        tender.mandatory_clauses.set(mandatory_clauses)
    for number, (title, value) in enumerate(lots or [], start=1):
        Lot.objects.create(tender=tender, number=number, title=title, value=value)
    audit_record(
        user=user,
        instance=tender,
        action="create",
        changes={k: [None, v] for k, v in snapshot(tender, TENDER_FIELDS).items()},
    )
    return tender


@transaction.atomic
def tender_update(
    *,
    tender: Tender,
    data: dict[str, Any],
    actions: list[Any] | None = None,
    mandatory_clauses: list[Any] | None = None,
    user: Any = None,
) -> Tender:
    before = snapshot(Tender.objects.get(pk=tender.pk), TENDER_FIELDS)
    if before["state"] != Tender.State.DRAFT:
        raise ValidationError(_("The tender has been published: it can no longer change."))
    for key, value in data.items():
        setattr(tender, key, value)
    _tender_validate(tender, _lots_total(tender))
    tender.save()
    if actions is not None:
        tender.actions.set(actions)
    if mandatory_clauses is not None:
        tender.mandatory_clauses.set(mandatory_clauses)
    changes = diff(before, snapshot(tender, TENDER_FIELDS))
    if changes:
        audit_record(user=user, instance=tender, action="update", changes=changes)
    return tender


def criterion_default_label(kind: str) -> str:
    """The name a price or quality criterion gets when the buyer gives none ("" otherwise)."""
    defaults = {
        str(Criterion.Kind.PRICE): _("Price"),
        str(Criterion.Kind.QUALITY): _("Technical quality"),
    }
    return defaults.get(kind, "")


@transaction.atomic
def criterion_add(
    *,
    tender: Tender,
    kind: str,
    weight: Decimal,
    label: str = "",
    clause: Clause | None = None,
    rescale: bool = False,
    higher_is_better: bool = True,
    user: Any = None,
) -> Criterion:
    _require_draft(tender)
    if weight is None or weight <= 0:
        raise ValidationError({"weight": _("The weight must be greater than zero.")})
    _check_price_weight(tender, kind, weight, None)
    _check_weights_room(tender, weight)
    if kind != Criterion.Kind.QUANTITATIVE:
        higher_is_better = True  # clauses reward more; price and quality have their formulas
    if kind == Criterion.Kind.CLAUSE:
        if clause is None:
            raise ValidationError({"clause": _("Choose a reward clause from the library.")})
        if clause.kind != Clause.Kind.REWARD:
            raise ValidationError(
                {
                    "clause": _(
                        "Mandatory social clauses (art. 57) are admissibility requirements, "
                        "not points: add them to the tender's mandatory clauses."
                    )
                }
            )
        if clause.owner_id and clause.owner_id != tender.buyer_id:
            raise ValidationError({"clause": _("This clause belongs to another buyer.")})
        if tender.criteria.filter(clause=clause).exists():
            raise ValidationError({"clause": _("This clause is already a criterion.")})
        label = label or clause.label
    else:
        clause = None
    label = label or criterion_default_label(kind)
    if not label:
        raise ValidationError({"label": _("Give the criterion a name.")})
    order = tender.criteria.count() + 1
    criterion = Criterion.objects.create(
        tender=tender,
        kind=kind,
        label=label[:200],
        weight=weight,
        clause=clause,
        rescale=rescale,
        higher_is_better=higher_is_better,
        order=order,
    )
    audit_record(
        user=user,
        instance=tender,
        action="update",
        changes={"criteria": [None, f"+ {criterion.label} ({weight})"]},
    )
    return criterion


@transaction.atomic
def criterion_remove(*, criterion: Criterion, user: Any = None) -> None:
    tender = criterion.tender
    _require_draft(tender)
    label = f"- {criterion.label} ({criterion.weight})"
    criterion.delete()
    audit_record(user=user, instance=tender, action="update", changes={"criteria": [None, label]})


# --- lots --------------------------------------------------------------------------------


def _euro(value: Decimal) -> str:
    """An amount as the reader's locale writes it: 100,000.00 or 100.000,00."""
    return number_format(value, decimal_pos=2, force_grouping=True)


def _lots_total(tender: Tender, exclude: int | None = None) -> Decimal:
    lots = Lot.objects.filter(tender_id=tender.pk).exclude(pk=exclude or 0)
    return lots.aggregate(s=Sum("value"))["s"] or Decimal(0)


def _check_lot(title: str, value: Decimal | None) -> None:
    errors: dict[str, str] = {}
    if not (title or "").strip():
        errors["title"] = _("Give the lot a title.")
    if value is None or value <= 0:
        errors["value"] = _("The value of a lot must be greater than zero.")
    if errors:
        raise ValidationError(errors)


def _check_lot_room(tender: Tender, value: Decimal, exclude: int | None = None) -> None:
    """The lots share the tender's estimated value (its base price): their sum never goes
    above it."""
    used = _lots_total(tender, exclude)
    if used + value > tender.estimated_value:
        raise ValidationError(
            {
                "value": _(
                    "The lots would add up to € {total}, above the tender's estimated value "
                    "of € {base} (€ {left} left)."
                ).format(
                    total=_euro(used + value),
                    base=_euro(tender.estimated_value),
                    left=_euro(max(tender.estimated_value - used, Decimal(0))),
                )
            }
        )


def _require_draft_for_lots(tender: Tender) -> Tender:
    """The tender, locked, if still a draft: lots change only before publication."""
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    if tender.state != Tender.State.DRAFT:
        raise ValidationError(_("The tender has been published: its lots can no longer change."))
    return tender


def _lot_label(lot: Lot) -> str:
    return f"{lot.number}. {lot.title} ({plain(lot.value)})"


@transaction.atomic
def lot_add(*, tender: Tender, title: str, value: Decimal, user: Any = None) -> Lot:
    """Add a lot to a draft tender, numbered after the last one."""
    tender = _require_draft_for_lots(tender)
    _check_lot(title, value)
    _check_lot_room(tender, value)
    last = tender.lots.order_by("-number").values_list("number", flat=True).first() or 0
    lot = Lot(tender=tender, number=last + 1, title=title.strip(), value=value)
    lot.full_clean()
    lot.save()
    audit_record(
        user=user, instance=tender, action="update", changes={"lots": [None, _lot_label(lot)]}
    )
    return lot


@transaction.atomic
def lot_update(*, lot: Lot, title: str, value: Decimal, user: Any = None) -> Lot:
    tender = _require_draft_for_lots(lot.tender)
    lot = Lot.objects.select_for_update().get(pk=lot.pk, tender=tender)
    _check_lot(title, value)
    _check_lot_room(tender, value, exclude=lot.pk)
    before = _lot_label(lot)
    lot.title, lot.value = title.strip(), value
    lot.full_clean()
    lot.save()
    after = _lot_label(lot)
    if after != before:
        audit_record(user=user, instance=tender, action="update", changes={"lots": [before, after]})
    return lot


@transaction.atomic
def lot_remove(*, lot: Lot, user: Any = None) -> None:
    """Remove a lot from a draft tender; the lots after it move up one number."""
    tender = _require_draft_for_lots(lot.tender)
    lot = Lot.objects.select_for_update().get(pk=lot.pk, tender=tender)
    if Bid.objects.filter(lot=lot).exists():
        raise ValidationError(_("Bids were entered for this lot: it can no longer be removed."))
    label = _lot_label(lot)
    number = lot.number
    lot.delete()
    for later in tender.lots.filter(number__gt=number).order_by("number"):
        later.number -= 1
        later.save(update_fields=["number"])
    audit_record(user=user, instance=tender, action="update", changes={"lots": [label, None]})


@transaction.atomic
def tender_publish(*, tender: Tender, user: Any = None) -> Tender:
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    _require_draft(tender)
    problems = tender_rule_problems(tender=tender)
    if problems:
        raise ValidationError(problems)
    if tender.bid_deadline <= timezone.now():
        raise ValidationError(_("The deadline for bids has passed: move it forward first."))
    tender.state = Tender.State.OPEN
    tender.published_at = timezone.now()
    tender.save(update_fields=["state", "published_at", "updated_at"])
    audit_record(
        user=user, instance=tender, action="transition", changes={"state": ["draft", "open"]}
    )
    return tender


# --- bids --------------------------------------------------------------------------------


@transaction.atomic
def bid_submit(
    *,
    tender: Tender,
    supplier: Organization,
    price: Decimal | None,
    values: dict[int, Any],
    lot: Lot | None = None,
    submitted_at: dt.datetime | None = None,
    user: Any = None,
) -> Bid:
    """Record a bid. ``values`` maps criterion ids to a quantity (``Decimal``) or, for
    quality criteria, a list of the commissioners' coefficients (0–1)."""
    submitted_at = submitted_at or timezone.now()
    errors: dict[str, list[str]] = {}
    if tender.state != Tender.State.OPEN:
        raise ValidationError(_("The tender is not open for bids."))
    if submitted_at > tender.bid_deadline:
        raise ValidationError(
            _("The deadline for bids passed on {deadline}: the bid cannot be accepted.").format(
                deadline=timezone.localtime(tender.bid_deadline).strftime("%d/%m/%Y %H:%M")
            )
        )
    if Bid.objects.filter(tender=tender, supplier=supplier, lot=lot).exists():
        raise ValidationError({"supplier": _("This bidder has already made a bid.")})
    criteria = list(tender.criteria.all())
    if tender.scores_price:
        if price is None:
            errors.setdefault("price", []).append(_("Enter the price offered."))
        elif price <= 0:
            errors.setdefault("price", []).append(_("The price must be greater than zero."))
        elif price > tender.estimated_value:
            errors.setdefault("price", []).append(
                _(
                    "The price is above the base price of {base} €: the discount cannot be "
                    "negative."
                ).format(base=tender.estimated_value)
            )
    cleaned: dict[int, tuple[Decimal | None, list[str]]] = {}
    for criterion in criteria:
        if criterion.kind == Criterion.Kind.PRICE:
            continue
        key = f"criterion_{criterion.pk}"
        raw = values.get(criterion.pk)
        if criterion.kind == Criterion.Kind.QUALITY:
            coefficients = list(raw or [])
            try:
                decimals = [Decimal(str(c)) for c in coefficients]
                scoring.quality_average(decimals)
            except (ArithmeticError, ValueError):
                errors.setdefault(key, []).append(
                    _("Each commissioner's coefficient is a number between 0 and 1.")
                )
                continue
            if not decimals:
                errors.setdefault(key, []).append(
                    _("Enter the commissioners' coefficients for {c}.").format(c=criterion.label)
                )
                continue
            cleaned[criterion.pk] = (None, [str(d) for d in decimals])
        else:
            if raw is None or raw == "":
                errors.setdefault(key, []).append(
                    _("Enter the value offered for {c}.").format(c=criterion.label)
                )
                continue
            try:
                value = Decimal(str(raw))
            except ArithmeticError:
                errors.setdefault(key, []).append(_("Enter a number."))
                continue
            if value < 0:
                errors.setdefault(key, []).append(_("The value cannot be negative."))
                continue
            if (
                criterion.clause is not None
                and criterion.clause.metric in ("permanent_share", "local_subcontracting")
                and value > 100
            ):
                errors.setdefault(key, []).append(_("A share cannot exceed 100%."))
                continue
            cleaned[criterion.pk] = (value, [])
    if errors:
        raise ValidationError(errors)
    bid = Bid.objects.create(
        tender=tender,
        supplier=supplier,
        lot=lot,
        price=price if tender.scores_price else None,
        submitted_at=submitted_at,
    )
    BidValue.objects.bulk_create(
        [
            BidValue(bid=bid, criterion_id=pk, value=value, coefficients=coefficients)
            for pk, (value, coefficients) in cleaned.items()
        ]
    )
    audit_record(
        user=user,
        instance=bid,
        action="create",
        changes={"supplier": [None, supplier.pk], "price": [None, str(price)]},
    )
    return bid


# --- award and contract ------------------------------------------------------------------


@transaction.atomic
def tender_award(
    *,
    tender: Tender,
    bid: Bid,
    start: dt.date,
    end: dt.date,
    report_every_months: int = 6,
    user: Any = None,
) -> Contract:
    """Award the tender to ``bid``: a contract carrying the KPIs the bid committed to."""
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    if tender.state != Tender.State.OPEN:
        raise ValidationError(_("Only a tender open for bids can be awarded."))
    if bid.tender_id != tender.pk or bid.excluded:
        raise ValidationError({"bid": _("Choose one of the admitted bids of this tender.")})
    if end < start:
        raise ValidationError({"end": _("The contract cannot end before it starts.")})
    ranking = tender_ranking(tender=tender)
    winner = ranking.winner
    if winner is None and ranking.rows and ranking.rows[0].tied:
        top = {r.bid.pk for r in ranking.rows if r.rank == 1}
        if bid.pk not in top:
            raise ValidationError({"bid": _("The bid chosen is not first in the ranking.")})
    elif winner is None or winner.bid.pk != bid.pk:
        raise ValidationError(
            {"bid": _("The bid chosen is not first in the ranking: award the first one.")}
        )
    contract = Contract.objects.create(
        tender=tender,
        bid=bid,
        supplier=bid.supplier,
        value=bid.price if bid.price is not None else tender.estimated_value,
        start=start,
        end=end,
        report_every_months=report_every_months,
    )
    offered = {v.criterion_id: v.value for v in bid.values.all()}
    Commitment.objects.bulk_create(
        award_commitments(
            contract=contract,
            criteria=list(tender.criteria.select_related("clause")),
            offered=offered,
        )
    )
    contract_figures_refresh(contract=contract)
    tender.state = Tender.State.AWARDED
    tender.awarded_at = timezone.now()
    tender.save(update_fields=["state", "awarded_at", "updated_at"])
    audit_record(
        user=user,
        instance=tender,
        action="transition",
        changes={"state": ["open", "awarded"], "bid": [None, bid.pk]},
    )
    audit_record(
        user=user,
        instance=contract,
        action="create",
        changes={"supplier": [None, bid.supplier_id], "value": [None, str(contract.value)]},
    )
    return contract


def award_commitments(
    *, contract: Contract, criteria: list[Criterion], offered: dict[int, Decimal | None]
) -> list[Commitment]:
    """The KPIs the winning bid commits ``contract`` to, unsaved: one per reward clause with a
    metric, in the order of ``criteria`` (with their clauses); ``offered`` maps criterion ids
    to the bid's values. A yes/no clause commits to its default target when the bid said yes,
    the others to the quantity offered (none when it is zero)."""
    commitments = []
    for criterion in criteria:
        clause = criterion.clause
        if clause is None or not clause.metric:
            continue
        value = offered.get(criterion.pk)
        if clause.rule == Clause.Rule.YES_NO:
            if not value or clause.default_target is None:
                continue
            target = clause.default_target
        else:
            if value is None or value <= 0:
                continue
            target = value
        commitments.append(
            Commitment(contract=contract, clause=clause, metric=clause.metric, target=target)
        )
    return commitments


REPORT_FIELDS = [
    "employed",
    "permanent_share",
    "reabsorbed",
    "disadvantaged",
    "training_hours",
    "local_subcontracting",
    "note",
]


@transaction.atomic
def report_submit(
    *,
    contract: Contract,
    period_start: dt.date,
    data: dict[str, Any],
    user: Any = None,
    today: dt.date | None = None,
) -> SupplierReport:
    """The supplier's report for the period starting on ``period_start``.

    A period is open for its report once it has started; it closes when its report has been
    submitted, or when the contract is closed.
    """
    today = today or timezone.localdate()
    if contract.state == Contract.State.CLOSED:
        raise ValidationError(_("The contract is closed: no more reports are accepted."))
    periods = {p.start: p for p in contract_periods(contract=contract)}
    period = periods.get(period_start)
    if period is None:
        raise ValidationError({"period": _("Choose one of the contract's reporting periods.")})
    if period.start > today:
        raise ValidationError({"period": _("This period has not started yet.")})
    if SupplierReport.objects.filter(contract=contract, period_start=period_start).exists():
        raise ValidationError(
            {"period": _("This period is closed: its report has already been submitted.")}
        )
    report = SupplierReport(
        contract=contract,
        period_start=period.start,
        period_end=period.end,
        submitted_by=user if getattr(user, "is_authenticated", False) else None,
        **{k: v for k, v in data.items() if k in REPORT_FIELDS},
    )
    report.full_clean(exclude=["submitted_by"])
    report.save()
    contract_figures_refresh(contract=contract)
    audit_record(
        user=user,
        instance=report,
        action="create",
        changes={k: [None, v] for k, v in snapshot(report, REPORT_FIELDS).items()},
    )
    return report


def reporting_periods(*, contract: Contract) -> list[ReportingPeriod]:
    """The contract's reporting periods (``periods.contract_periods``) as unsaved rows, in
    order, each due ``GRACE_DAYS`` after it ends."""
    return [
        ReportingPeriod(contract=contract, start=p.start, end=p.end, due=p.end + GRACE)
        for p in contract_periods(contract=contract)
    ]


@transaction.atomic
def contract_figures_refresh(*, contract: Contract) -> None:
    """Store what the dashboard counts in SQL: the contract's reporting periods and, for each
    commitment, the value its reports delivered. Called on every write of a contract's dates,
    commitments or reports (services and admin), so the stored figures never go stale."""
    rows = reporting_periods(contract=contract)
    wanted = {(p.start, p.end) for p in rows}
    stored = set(ReportingPeriod.objects.filter(contract=contract).values_list("start", "end"))
    if stored != wanted:
        ReportingPeriod.objects.filter(contract=contract).delete()
        ReportingPeriod.objects.bulk_create(rows)
    reports = list(SupplierReport.objects.filter(contract=contract).order_by("period_start"))
    changed = []
    for commitment in Commitment.objects.filter(contract=contract):
        value = delivered_value(commitment.metric, reports)
        if value != commitment.delivered:
            commitment.delivered = value
            changed.append(commitment)
    Commitment.objects.bulk_update(changed, ["delivered"])
    bump(VERSION_AREA)  # bulk writes send no signals


@transaction.atomic
def contract_close(*, contract: Contract, user: Any = None) -> Contract:
    contract.state = Contract.State.CLOSED
    contract.save(update_fields=["state"])
    audit_record(
        user=user, instance=contract, action="transition", changes={"state": ["active", "closed"]}
    )
    return contract


@transaction.atomic
def clause_create(*, data: dict[str, Any], owner: Organization, user: Any = None) -> Clause:
    """A buyer's own reward clause, next to the shared library."""
    from django.utils.text import slugify

    base = slugify(f"{owner.slug}-{data.get('label', '')}")[:55] or "clausola"
    code, n = base, 2
    while Clause.objects.filter(code=code).exists():
        code, n = f"{base}-{n}", n + 1
    clause = Clause(code=code, owner=owner, kind=Clause.Kind.REWARD, **data)
    clause.full_clean()
    clause.save()
    audit_record(
        user=user, instance=clause, action="create", changes={"label": [None, clause.label]}
    )
    return clause
