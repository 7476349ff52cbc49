"""Scoring formulas for the most economically advantageous tender (OEPV), as pure functions.

Every function returns a *coefficient* between 0 and 1; the points of a criterion are the
coefficient times the criterion's weight (``points``). All arithmetic is ``Decimal``.

Sources: ANAC, *Linee guida n. 2 — Offerta economicamente più vantaggiosa* (delibera n. 1005
of 21 September 2016, updated by delibera n. 424 of 2 May 2018, G.U. n. 120 of 25 May 2018),
part IV "La valutazione degli elementi quantitativi" and part V on the qualitative elements;
the formulas are still the reference in practice under D.Lgs. 36/2023 (art. 108 and
Allegato II.8 leave the choice of formula to the buyer, stated in the tender documents).

Notation, for the *i*-th offer:

* ``P_i`` its price, ``P_base`` the base price (the tender's estimated value);
* ``R_i = (P_base - P_i) / P_base`` its discount (ribasso), ``R_max`` the best discount;
* ``R_mean`` the arithmetic mean of the discounts (the bilinear threshold, *A_soglia*);
* ``C_i`` its coefficient, between 0 and 1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
COEFFICIENT_PLACES = Decimal("0.000001")
POINT_PLACES = Decimal("0.01")


class ScoringError(ValueError):
    """Input a formula cannot score (a negative price, a discount over 100%...)."""


def q(value: Decimal, places: Decimal = COEFFICIENT_PLACES) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


def plain(value: Decimal) -> str:
    """A decimal without trailing zeros nor exponent: 40.00 → "40", 2.50 → "2.5"."""
    return f"{value.normalize():f}"


def discount(*, price: Decimal, base: Decimal) -> Decimal:
    """``R_i = (P_base - P_i) / P_base``, as a fraction (0.15 for 15%).

    A price of zero or below, a base of zero or below, or a price above the base (a negative
    discount: the offer exceeds the base price) is refused.
    """
    if base is None or base <= 0:
        raise ScoringError("The base price must be greater than zero.")
    if price is None or price <= 0:
        raise ScoringError("The price must be greater than zero.")
    if price > base:
        raise ScoringError("The price is above the base price.")
    return (base - price) / base


def check_discounts(discounts: Sequence[Decimal]) -> None:
    for r in discounts:
        if r < 0 or r > 1:
            raise ScoringError("A discount must be between 0% and 100%.")


def price_linear(r: Decimal, *, r_max: Decimal) -> Decimal:
    """Linear interpolation on the discount (LG ANAC n. 2, IV, "interpolazione lineare")::

    C_i = R_i / R_max        (C_i = 0 for every offer when R_max = 0)
    """
    check_discounts([r, r_max])
    if r_max == 0:
        return ZERO
    return q(r / r_max)


def price_bilinear(r: Decimal, *, r_max: Decimal, r_mean: Decimal, x: Decimal) -> Decimal:
    """Bilinear formula (LG ANAC n. 2, IV, "formula bilineare")::

        C_i = X * R_i / R_mean                                  for R_i <= R_mean
        C_i = X + (1 - X) * (R_i - R_mean) / (R_max - R_mean)   for R_i >  R_mean

    with ``X`` usually 0.80, 0.85 or 0.90 and ``R_mean`` (A_soglia) the mean discount. Above
    the mean, further discounts earn fewer points: it discourages excessive discounts.
    """
    check_discounts([r, r_max, r_mean])
    if not ZERO < x <= ONE:
        raise ScoringError("The coefficient X must be greater than 0 and at most 1.")
    if r_max == 0:
        return ZERO
    if r <= r_mean:
        return q(x * r / r_mean) if r_mean > 0 else ZERO
    return q(x + (ONE - x) * (r - r_mean) / (r_max - r_mean))


def price_inverse(price: Decimal, *, p_min: Decimal) -> Decimal:
    """Inverse proportionality on the price (LG ANAC n. 2, IV, "proporzionalità inversa")::

        C_i = P_min / P_i

    ANAC notes that it compresses the differences between offers; it is listed because
    buyers use it.
    """
    if price is None or price <= 0 or p_min is None or p_min <= 0:
        raise ScoringError("The price must be greater than zero.")
    return q(p_min / price)


def price_concave(r: Decimal, *, r_max: Decimal, alpha: Decimal) -> Decimal:
    """Non-linear concave formula on the discount (LG ANAC n. 2, IV, "formula non lineare")::

        C_i = (R_i / R_max) ** alpha        with 0 < alpha < 1

    (alpha = 1 is the linear formula; the smaller alpha, the less the last discounts earn.)
    """
    check_discounts([r, r_max])
    if not ZERO < alpha <= ONE:
        raise ScoringError("The exponent alpha must be greater than 0 and at most 1.")
    if r_max == 0 or r == 0:
        return ZERO
    ratio = float(r / r_max)
    return q(Decimal(str(math.pow(ratio, float(alpha)))))


def quality_average(coefficients: Sequence[Decimal]) -> Decimal:
    """Qualitative criteria: the mean of the coefficients (0–1) each commissioner gives
    (LG ANAC n. 2, V: "media dei coefficienti attribuiti discrezionalmente dai singoli
    commissari")."""
    if not coefficients:
        return ZERO
    for c in coefficients:
        if c < 0 or c > 1:
            raise ScoringError("A commissioner's coefficient must be between 0 and 1.")
    return q(sum(coefficients, ZERO) / len(coefficients))


def rescale_to_best(values: Sequence[Decimal]) -> list[Decimal]:
    """Re-scaling (riparametrazione, LG ANAC n. 2, V): each average divided by the highest,
    so that the best offer gets coefficient 1::

        C_i' = C_i / max(C)
    """
    best = max(values, default=ZERO)
    if best <= 0:
        return [ZERO for _ in values]
    return [q(v / best) for v in values]


def proportional_to_best(
    value: Decimal, *, best: Decimal, higher_is_better: bool = True
) -> Decimal:
    """Quantitative criteria (LG ANAC n. 2, IV, "interpolazione lineare")::

    C_i = V_i / V_max          when more is better
    C_i = V_min / V_i          when less is better (e.g. delivery days)
    """
    if value < 0 or best < 0:
        raise ScoringError("A quantity cannot be negative.")
    if higher_is_better:
        return q(value / best) if best > 0 else ZERO
    if value == 0:
        return ONE
    return q(best / value)


def yes_no(value: Decimal) -> Decimal:
    """On/off criteria (tabellari): 1 when the offer commits to the clause, 0 otherwise."""
    return ONE if value > 0 else ZERO


def thresholds(value: Decimal, *, table: Sequence[Sequence[Decimal | str | float]]) -> Decimal:
    """Threshold scoring: the coefficient of the highest threshold the value reaches.

    ``table`` is a list of ``[threshold, coefficient]`` pairs, e.g. ``[[50, 0.5], [80, 1]]``:
    50% of permanent contracts earns half the points, 80% all of them, below 50% nothing.
    """
    best = ZERO
    for threshold, coefficient in table:
        try:
            t, c = Decimal(str(threshold)), Decimal(str(coefficient))
        except InvalidOperation as exc:
            raise ScoringError("A threshold table holds numbers only.") from exc
        if value >= t and c > best:
            best = c
    return min(best, ONE)


def points(coefficient: Decimal, weight: Decimal) -> Decimal:
    return q(coefficient * weight, POINT_PLACES)


def is_anomalous(
    *, price_points: Decimal, price_max: Decimal, other_points: Decimal, other_max: Decimal
) -> bool:
    """An offer whose price points *and* other points both reach four fifths of their maxima.

    This is the trigger of art. 97 c.3 D.Lgs. 50/2016, still used in practice under art. 110
    D.Lgs. 36/2023 (which leaves the trigger to the tender documents): the buyer then asks the
    bidder to explain its offer. A flag, never an exclusion.
    """
    if price_max <= 0 or other_max <= 0:
        return False
    four_fifths = Decimal("0.8")
    return price_points >= four_fifths * price_max and other_points >= four_fifths * other_max
