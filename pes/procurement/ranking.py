"""The ranking of a tender's bids, explained criterion by criterion.

``tender_ranking`` reads the tender's criteria and bids in a fixed number of queries and
applies the pure formulas of ``scoring``. Nothing is stored: the ranking is recomputed from the
bids, so what the commission prints is what the formulas give.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from pes.procurement import scoring
from pes.procurement.models import Bid, BidValue, Clause, Criterion, PriceFormula, Tender
from pes.procurement.scoring import ZERO, plain


@dataclass
class CriterionScore:
    criterion: Criterion
    raw: str
    coefficient: Decimal
    points: Decimal
    explanation: str


@dataclass
class BidScore:
    bid: Bid
    discount: Decimal | None
    scores: list[CriterionScore] = field(default_factory=list)
    total: Decimal = ZERO
    price_points: Decimal = ZERO
    other_points: Decimal = ZERO
    rank: int = 0
    tied: bool = False
    anomalous: bool = False


@dataclass
class Ranking:
    tender: Tender
    criteria: list[Criterion]
    rows: list[BidScore]
    price_max: Decimal
    other_max: Decimal

    @property
    def winner(self) -> BidScore | None:
        if self.rows and self.rows[0].rank == 1 and not self.rows[0].tied:
            return self.rows[0]
        return None


def _pct(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.01'))}%"


def _price_scores(tender: Tender, criterion: Criterion, bids: list[Bid]) -> list[CriterionScore]:
    base = tender.estimated_value
    discounts = [scoring.discount(price=b.price, base=base) for b in bids]  # type: ignore[arg-type]
    prices: list[Decimal] = [b.price for b in bids]  # type: ignore[misc]
    r_max = max(discounts, default=ZERO)
    r_mean = sum(discounts, ZERO) / len(discounts) if discounts else ZERO
    p_min = min(prices, default=ZERO)
    out = []
    for bid, r in zip(bids, discounts, strict=True):
        formula = tender.price_formula
        if formula == PriceFormula.BILINEAR:
            c = scoring.price_bilinear(r, r_max=r_max, r_mean=r_mean, x=tender.bilinear_x)
            if r <= r_mean:
                how = _("X × R / R mean = {x} × {r} / {m}").format(
                    x=tender.bilinear_x, r=_pct(r), m=_pct(r_mean)
                )
            else:
                how = _(
                    "X + (1 − X) × (R − R mean) / (R max − R mean), X = {x}, R = {r}, "
                    "R mean = {m}, R max = {mx}"
                ).format(x=tender.bilinear_x, r=_pct(r), m=_pct(r_mean), mx=_pct(r_max))
        elif formula == PriceFormula.INVERSE:
            c = scoring.price_inverse(bid.price, p_min=p_min)  # type: ignore[arg-type]
            how = _("P min / P = {pmin} / {p}").format(pmin=p_min, p=bid.price)
        elif formula == PriceFormula.CONCAVE:
            c = scoring.price_concave(r, r_max=r_max, alpha=tender.concave_alpha)
            how = _("(R / R max) ^ α = ({r} / {mx}) ^ {a}").format(
                r=_pct(r), mx=_pct(r_max), a=tender.concave_alpha
            )
        else:
            c = scoring.price_linear(r, r_max=r_max)
            how = _("R / R max = {r} / {mx}").format(r=_pct(r), mx=_pct(r_max))
        out.append(
            CriterionScore(
                criterion=criterion,
                raw=_("{price} € (discount {r})").format(price=bid.price, r=_pct(r)),
                coefficient=c,
                points=scoring.points(c, criterion.weight),
                explanation=how,
            )
        )
    return out


def _value_scores(
    criterion: Criterion,
    bids: list[Bid],
    values: dict[tuple[int, int], tuple[Decimal | None, list]],
) -> list[CriterionScore]:
    out: list[CriterionScore] = []
    if criterion.kind == Criterion.Kind.QUALITY:
        averages = []
        for bid in bids:
            coefficients = [
                Decimal(str(c)) for c in values.get((bid.pk, criterion.pk), (None, []))[1]
            ]
            averages.append((coefficients, scoring.quality_average(coefficients)))
        rescaled = scoring.rescale_to_best([a for _c, a in averages]) if criterion.rescale else None
        for i, (coefficients, average) in enumerate(averages):
            c = rescaled[i] if rescaled is not None else average
            how = _("mean of {n} coefficients = {avg}").format(n=len(coefficients), avg=average)
            if rescaled is not None:
                how += " · " + _("re-scaled to the best: {c}").format(c=c)
            out.append(
                CriterionScore(
                    criterion=criterion,
                    raw=", ".join(str(x) for x in coefficients) or "—",
                    coefficient=c,
                    points=scoring.points(c, criterion.weight),
                    explanation=how,
                )
            )
        return out
    offered = [values.get((bid.pk, criterion.pk), (None, []))[0] or ZERO for bid in bids]
    rule = criterion.clause.rule if criterion.clause is not None else Clause.Rule.PROPORTIONAL
    if criterion.kind == Criterion.Kind.QUANTITATIVE:
        rule = Clause.Rule.PROPORTIONAL
    higher = criterion.higher_is_better
    positive = [v for v in offered if v > 0]
    best = max(offered, default=ZERO) if higher else min(positive, default=ZERO)
    for v in offered:
        if rule == Clause.Rule.YES_NO:
            c = scoring.yes_no(v)
            how = _("yes") if c else _("no")
        elif rule == Clause.Rule.THRESHOLDS:
            table = criterion.clause.thresholds if criterion.clause is not None else []
            c = scoring.thresholds(v, table=table)
            how = _("thresholds {table}: {v} → {c}").format(table=table, v=plain(v), c=c)
        else:
            c = scoring.proportional_to_best(v, best=best, higher_is_better=higher)
            how = (
                _("V / V max = {v} / {best}") if higher else _("V min / V = {best} / {v}")
            ).format(v=plain(v), best=plain(best))
        out.append(
            CriterionScore(
                criterion=criterion,
                raw=plain(v),
                coefficient=c,
                points=scoring.points(c, criterion.weight),
                explanation=how,
            )
        )
    return out


def tender_ranking(*, tender: Tender) -> Ranking:
    criteria = list(tender.criteria.select_related("clause").order_by("order", "id"))
    bids = list(
        tender.bids.filter(excluded=False).select_related("supplier").order_by("submitted_at", "id")
    )
    values = {
        (v.bid_id, v.criterion_id): (v.value, v.coefficients)
        for v in BidValue.objects.filter(bid__tender=tender)
    }
    return rank_bids(tender=tender, criteria=criteria, bids=bids, values=values)


def rank_bids(
    *,
    tender: Tender,
    criteria: list[Criterion],
    bids: list[Bid],
    values: dict[tuple[int, int], tuple[Decimal | None, list]],
) -> Ranking:
    """The ranking of ``bids`` (admitted ones, by ``submitted_at`` then id) on ``criteria``
    (by ``order`` then id, with their clauses): no query, so bids built in memory (the bulk
    demo data) are ranked exactly as ``tender_ranking`` ranks stored ones. ``values`` maps
    (bid id, criterion id) to the bid value's (value, coefficients)."""
    rows = [
        BidScore(
            bid=b,
            discount=(
                scoring.discount(price=b.price, base=tender.estimated_value)
                if b.price is not None
                else None
            ),
        )
        for b in bids
    ]
    price_max = ZERO
    other_max = ZERO
    for criterion in criteria:
        if not bids:
            break
        if criterion.kind == Criterion.Kind.PRICE:
            price_max += criterion.weight
            scores = _price_scores(tender, criterion, bids)
        else:
            other_max += criterion.weight
            scores = _value_scores(criterion, bids, values)
        for row, score in zip(rows, scores, strict=True):
            row.scores.append(score)
            row.total += score.points
            if criterion.kind == Criterion.Kind.PRICE:
                row.price_points += score.points
            else:
                row.other_points += score.points
    for row in rows:
        row.anomalous = scoring.is_anomalous(
            price_points=row.price_points,
            price_max=price_max,
            other_points=row.other_points,
            other_max=other_max,
        )
    rows.sort(key=lambda r: (-r.total, r.bid.submitted_at, r.bid.pk))
    rank = 0
    previous: Decimal | None = None
    for i, row in enumerate(rows, start=1):
        if row.total != previous:
            rank = i
        row.rank = rank
        previous = row.total
    for row in rows:
        row.tied = sum(1 for other in rows if other.total == row.total) > 1
    return Ranking(
        tender=tender, criteria=criteria, rows=rows, price_max=price_max, other_max=other_max
    )
