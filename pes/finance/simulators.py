"""The two simulators of the finance module, as pure functions (no database; only gettext
from Django, for the messages).

Money is ``Decimal`` euros throughout; rates are ``Decimal`` fractions (``0.05`` for 5%).
The formulas are written out in ``docs/finance.md``.

* ``guarantee_fund`` — a guarantee fund of size F, with a multiplier m, covers a share c of
  each loan it guarantees. It enables loans of F × m; every year a share d of the loans still
  outstanding defaults, the lender recovers a share r of what defaulted, and the fund pays
  its share c of the rest. The result is the year-by-year losses and what is left of the fund.
* ``outcome_payments`` — in an outcome-based contract (a social impact bond), investors put
  up capital K at year 0; each year the outcome payer pays a price p for every unit of outcome
  achieved, provided the year's target was met at least up to a threshold, and up to a cap.
  The payments go to the investors; ``irr`` gives their internal rate of return.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

CENT = Decimal("0.01")
MAX_MONEY = Decimal("1e12")  # a thousand billion euros: beyond it, a typing error
MAX_COUNT = Decimal("1e9")
ZERO = Decimal(0)
ONE = Decimal(1)


class SimulatorError(ValueError):
    """Inputs the simulator refuses; ``errors`` maps each input to its translated message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# ----------------------------------------------------------------------------- guarantee fund


@dataclass(frozen=True)
class GuaranteeYear:
    year: int
    outstanding_start: Decimal
    defaults: Decimal
    recoveries: Decimal
    fund_losses: Decimal
    fund_left: Decimal


@dataclass(frozen=True)
class GuaranteeResult:
    loans_enabled: Decimal
    loans_count: int
    guaranteed_amount: Decimal
    capital_at_risk: Decimal
    expected_losses: Decimal
    fund_left: Decimal
    loss_share_of_fund: Decimal
    exhausted_in_year: int | None
    years: list[GuaranteeYear] = field(default_factory=list)


def guarantee_fund(
    *,
    fund: Decimal,
    multiplier: Decimal,
    coverage: Decimal,
    default_rate: Decimal,
    recovery_rate: Decimal,
    average_loan: Decimal,
    horizon_years: int,
) -> GuaranteeResult:
    """Size a guarantee fund.

    * loans enabled  E = F × m;  number of loans  n = ⌊E / L⌋
    * guaranteed amount  G = E × c (what the fund would owe if every loan defaulted with
      nothing recovered)
    * outstanding at the start of year 1:  O₀ = E; in year t the defaults are
      Dₜ = Oₜ₋₁ × d, the fund pays Xₜ = Dₜ × c × (1 − r), and Oₜ = Oₜ₋₁ − Dₜ
    * expected losses  X = Σ Xₜ = E × c × (1 − r) × (1 − (1 − d)ᵀ)
    * capital at risk  = min(G, F): the most the fund can lose
    * fund left after year t  = max(F − Σₖ≤ₜ Xₖ, 0)
    """
    errors: dict[str, str] = {}
    if fund <= 0:
        errors["fund"] = _("Give a fund size above zero.")
    elif fund > MAX_MONEY:
        errors["fund"] = _("Give a fund size up to one thousand billion euros.")
    if not 1 <= multiplier <= 100:
        errors["multiplier"] = _("The multiplier is between 1 and 100.")
    if not ZERO < coverage <= ONE:
        errors["coverage"] = _("The coverage ratio is between 0% and 100%.")
    if not ZERO <= default_rate <= ONE:
        errors["default_rate"] = _("The default rate is between 0% and 100%.")
    if not ZERO <= recovery_rate <= ONE:
        errors["recovery_rate"] = _("The recovery rate is between 0% and 100%.")
    if not 0 < average_loan <= MAX_MONEY:
        errors["average_loan"] = _("Give an average loan above zero.")
    if not 1 <= horizon_years <= 30:
        errors["horizon_years"] = _("The horizon is between 1 and 30 years.")
    if errors:
        raise SimulatorError(errors)

    enabled = fund * multiplier
    guaranteed = enabled * coverage
    outstanding = enabled
    left = fund
    total_losses = ZERO
    exhausted: int | None = None
    years: list[GuaranteeYear] = []
    for year in range(1, horizon_years + 1):
        defaults = outstanding * default_rate
        losses = defaults * coverage * (ONE - recovery_rate)
        total_losses += losses
        left = max(fund - total_losses, ZERO)
        if exhausted is None and total_losses >= fund:
            exhausted = year
        years.append(
            GuaranteeYear(
                year=year,
                outstanding_start=_money(outstanding),
                defaults=_money(defaults),
                recoveries=_money(defaults * recovery_rate),
                fund_losses=_money(losses),
                fund_left=_money(left),
            )
        )
        outstanding -= defaults
    return GuaranteeResult(
        loans_enabled=_money(enabled),
        loans_count=int((enabled / average_loan).to_integral_value(rounding=ROUND_FLOOR)),
        guaranteed_amount=_money(guaranteed),
        capital_at_risk=_money(min(guaranteed, fund)),
        expected_losses=_money(total_losses),
        fund_left=_money(left),
        loss_share_of_fund=(total_losses / fund).quantize(Decimal("0.0001"), ROUND_HALF_UP),
        exhausted_in_year=exhausted,
        years=years,
    )


# ----------------------------------------------------------------------------- IRR


def npv(rate: float, cashflows: Sequence[Decimal | float]) -> float:
    """Net present value at ``rate`` of cash flows at years 0, 1, 2, …"""
    return sum((float(cf) / (1.0 + rate) ** t for t, cf in enumerate(cashflows)), 0.0)


def irr(cashflows: list[Decimal], *, tolerance: float = 1e-12) -> Decimal | None:
    """Internal rate of return: the rate at which the NPV of the cash flows is zero.

    Robust by construction: the NPV is evaluated on a grid of rates from −99.99% to
    10,000%, the first interval where it changes sign is narrowed by bisection (which
    cannot diverge, unlike Newton's method), and ``None`` is returned when the NPV never
    changes sign (all flows of one sign, or no return at any rate). Returns a fraction
    rounded to 8 decimal places (``Decimal("0.1")`` for 10%).
    """
    flows = [float(cf) for cf in cashflows]
    if not any(f < 0 for f in flows) or not any(f > 0 for f in flows):
        return None
    grid = [-0.9999, -0.99, -0.9, -0.75, -0.5, -0.25, 0.0, 0.05, 0.1, 0.2, 0.35, 0.5]
    grid += [0.75, 1.0, 2.0, 5.0, 10.0, 100.0]
    previous_rate, previous_value = grid[0], npv(grid[0], flows)
    for rate in grid[1:]:
        value = npv(rate, flows)
        if value == 0:
            return Decimal(repr(rate)).quantize(Decimal("1e-8"))
        if (previous_value < 0) != (value < 0):
            low, high, f_low = previous_rate, rate, previous_value
            for _ in range(200):
                mid = (low + high) / 2
                f_mid = npv(mid, flows)
                if f_mid == 0 or (high - low) / 2 < tolerance:
                    low = high = mid
                    break
                if (f_low < 0) == (f_mid < 0):
                    low, f_low = mid, f_mid
                else:
                    high = mid
            return Decimal(repr((low + high) / 2)).quantize(Decimal("1e-8"), ROUND_HALF_UP)
        previous_rate, previous_value = rate, value
    return None


# ----------------------------------------------------------------------------- outcome payments


@dataclass(frozen=True)
class OutcomeYear:
    year: int
    target: Decimal
    achieved: Decimal
    achievement: Decimal
    paid_units: Decimal
    payment: Decimal


@dataclass(frozen=True)
class OutcomeResult:
    capital: Decimal
    total_paid: Decimal
    net_return: Decimal
    multiple: Decimal
    irr: Decimal | None
    cashflows: list[Decimal]
    years: list[OutcomeYear] = field(default_factory=list)


def outcome_payments(
    *,
    capital: Decimal,
    price_per_outcome: Decimal,
    targets: list[Decimal],
    achieved: list[Decimal],
    threshold: Decimal = ZERO,
    cap: Decimal = ONE,
) -> OutcomeResult:
    """Payments of an outcome-based contract to its investors, and their IRR.

    For each year t = 1 … n, with target Tₜ and achieved outcomes Aₜ:

    * paid units  Uₜ = min(Aₜ, cap × Tₜ) if Aₜ ≥ threshold × Tₜ, else 0
    * payment  Pₜ = p × Uₜ
    * investors' cash flows: −K at year 0, then P₁ … Pₙ; IRR i solves
      −K + Σ Pₜ / (1 + i)ᵗ = 0 (−100% when nothing is paid)
    * multiple  = Σ Pₜ / K;  net return = Σ Pₜ − K
    """
    errors: dict[str, str] = {}
    if not 0 < capital <= MAX_MONEY:
        errors["capital"] = _("Give the capital invested, above zero.")
    if not 0 <= price_per_outcome <= MAX_MONEY:
        errors["price_per_outcome"] = _("The price per outcome cannot be negative.")
    if not targets or len(targets) > 30:
        errors["targets"] = _("Give between 1 and 30 yearly targets.")
    elif any(not 0 < t <= MAX_COUNT for t in targets):
        errors["targets"] = _("Every target is above zero and up to one billion.")
    if len(achieved) != len(targets):
        errors["achieved"] = _("Give one achieved figure for every target.")
    elif any(not 0 <= a <= MAX_COUNT for a in achieved):
        errors["achieved"] = _("Achieved outcomes are between zero and one billion.")
    if not ZERO <= threshold <= ONE:
        errors["threshold"] = _("The threshold is between 0% and 100% of the target.")
    if not ONE <= cap <= 100:
        errors["cap"] = _("The cap is between 100% and 10,000% of the target.")
    if errors:
        raise SimulatorError(errors)

    years: list[OutcomeYear] = []
    cashflows = [-_money(capital)]
    for t, (target, done) in enumerate(zip(targets, achieved, strict=True), start=1):
        units = min(done, cap * target) if done >= threshold * target else ZERO
        payment = _money(price_per_outcome * units)
        cashflows.append(payment)
        years.append(
            OutcomeYear(
                year=t,
                target=target,
                achieved=done,
                achievement=(done / target).quantize(Decimal("0.0001"), ROUND_HALF_UP),
                paid_units=units,
                payment=payment,
            )
        )
    total = sum((y.payment for y in years), ZERO)
    rate = Decimal(-1) if total == 0 else irr(cashflows)
    return OutcomeResult(
        capital=_money(capital),
        total_paid=total,
        net_return=total - _money(capital),
        multiple=(total / capital).quantize(Decimal("0.0001"), ROUND_HALF_UP),
        irr=rate,
        cashflows=cashflows,
        years=years,
    )
