"""SROI arithmetic, pure and in ``Decimal`` (no database, no float).

Following the SROI Guide (Social Value UK, 2012) as the Italian guidelines' references do:

* the impact of an outcome in its first year is quantity × value per unit, reduced by
  deadweight, displacement and attribution (each a percentage taken off in turn);
* from the second year on, the impact falls by the drop-off rate each year, for the
  outcome's duration in years;
* the present value discounts the impact of year *t* by (1 + rate)^t;
* net present value = present value − investment; SROI ratio = present value ÷ investment;
* the payback period is the time, in years, until the discounted impact adds up to the
  investment (interpolated within a year), or ``None`` if it never does.

Bad input raises :class:`SroiError` with field keys, so that forms and the API show it.
No database access: the messages only go through gettext.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

HUNDRED = Decimal(100)
ONE = Decimal(1)
CENT = Decimal("0.01")
DEFAULT_RATE = Decimal("3.5")
MAX_DURATION = 50


class SroiError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class OutcomeInput:
    name: str
    quantity: Decimal
    value_per_unit: Decimal
    deadweight: Decimal = Decimal(0)
    displacement: Decimal = Decimal(0)
    attribution: Decimal = Decimal(0)
    drop_off: Decimal = Decimal(0)
    duration: int = 1


@dataclass
class OutcomeResult:
    name: str
    first_year: Decimal
    by_year: list[Decimal]
    present_value: Decimal


@dataclass
class SensitivityRow:
    parameter: str
    change: str
    present_value: Decimal
    ratio: Decimal


@dataclass
class SroiResult:
    investment: Decimal
    rate: Decimal
    outcomes: list[OutcomeResult]
    by_year: list[Decimal]
    discounted_by_year: list[Decimal]
    total_value: Decimal
    present_value: Decimal
    net_present_value: Decimal
    ratio: Decimal
    payback_years: Decimal | None
    sensitivity: list[SensitivityRow] = field(default_factory=list)


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def validate_outcome(outcome: OutcomeInput, prefix: str = "") -> dict[str, str]:
    errors: dict[str, str] = {}
    if outcome.quantity < 0:
        errors[prefix + "quantity"] = _("A quantity cannot be negative.")
    if outcome.value_per_unit < 0:
        errors[prefix + "value_per_unit"] = _("A value per unit cannot be negative.")
    for name in ("deadweight", "displacement", "attribution", "drop_off"):
        value = getattr(outcome, name)
        if not (0 <= value <= 100):
            errors[prefix + name] = _("A percentage is between 0 and 100.")
    if not (1 <= outcome.duration <= MAX_DURATION):
        errors[prefix + "duration"] = _("The duration is from 1 to 50 years.")
    return errors


def validate(investment: Decimal, rate: Decimal, outcomes: list[OutcomeInput]) -> None:
    errors: dict[str, str] = {}
    if not investment.is_finite() or investment <= 0:
        errors["investment"] = _("The investment must be above zero.")
    if not rate.is_finite() or not (0 <= rate <= 100):
        errors["discount_rate"] = _("A percentage is between 0 and 100.")
    for i, outcome in enumerate(outcomes):
        errors.update(validate_outcome(outcome, prefix=f"outcomes.{i}."))
    if errors:
        raise SroiError(errors)


def outcome_first_year(outcome: OutcomeInput) -> Decimal:
    value = outcome.quantity * outcome.value_per_unit
    for pct in (outcome.deadweight, outcome.displacement, outcome.attribution):
        value *= ONE - pct / HUNDRED
    return value


def outcome_by_year(outcome: OutcomeInput) -> list[Decimal]:
    """The impact of each year of the outcome's duration (year 1 first)."""
    first = outcome_first_year(outcome)
    keep = ONE - outcome.drop_off / HUNDRED
    return [first * keep**t for t in range(outcome.duration)]


def discount(values: list[Decimal], rate: Decimal) -> list[Decimal]:
    factor = ONE + rate / HUNDRED
    return [v / factor ** (t + 1) for t, v in enumerate(values)]


def payback_years(investment: Decimal, discounted: list[Decimal]) -> Decimal | None:
    cumulative = Decimal(0)
    for year, value in enumerate(discounted):
        if value > 0 and cumulative + value >= investment:
            fraction = (investment - cumulative) / value
            return (Decimal(year) + fraction).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        cumulative += value
    return None


def _core(
    investment: Decimal, rate: Decimal, outcomes: list[OutcomeInput]
) -> tuple[list[OutcomeResult], list[Decimal], list[Decimal]]:
    years = max((o.duration for o in outcomes), default=0)
    totals = [Decimal(0)] * years
    results = []
    for outcome in outcomes:
        flows = outcome_by_year(outcome)
        for t, v in enumerate(flows):
            totals[t] += v
        results.append(
            OutcomeResult(
                name=outcome.name,
                first_year=flows[0] if flows else Decimal(0),
                by_year=flows,
                present_value=sum(discount(flows, rate), Decimal(0)),
            )
        )
    return results, totals, discount(totals, rate)


def present_value(investment: Decimal, rate: Decimal, outcomes: list[OutcomeInput]) -> Decimal:
    _results, _totals, discounted = _core(investment, rate, outcomes)
    return sum(discounted, Decimal(0))


def _ratio(pv: Decimal, investment: Decimal) -> Decimal:
    return (pv / investment).quantize(CENT, rounding=ROUND_HALF_UP)


def sensitivity(
    investment: Decimal, rate: Decimal, outcomes: list[OutcomeInput]
) -> list[SensitivityRow]:
    """The ratio when one assumption changes at a time: the usual checks of an SROI report."""

    def row(
        parameter: str, change: str, changed: list[OutcomeInput], r: Decimal = rate
    ) -> SensitivityRow:
        pv = present_value(investment, r, changed)
        return SensitivityRow(parameter, change, money(pv), _ratio(pv, investment))

    def pct(value: Decimal, delta: int) -> Decimal:
        return min(max(value + delta, Decimal(0)), HUNDRED)

    rows = [row(_("base case"), "", outcomes)]
    for name, label in (
        ("deadweight", _("deadweight")),
        ("attribution", _("attribution")),
        ("drop_off", _("drop-off")),
    ):
        for delta in (10, -10):
            changes: list[dict[str, Any]] = [{name: pct(getattr(o, name), delta)} for o in outcomes]
            changed = [replace(o, **c) for o, c in zip(outcomes, changes, strict=True)]
            rows.append(row(label, _("%(delta)+d points") % {"delta": delta}, changed))
    for factor, label in ((Decimal("0.8"), "-20%"), (Decimal("1.2"), "+20%")):
        changed = [replace(o, value_per_unit=o.value_per_unit * factor) for o in outcomes]
        rows.append(row(_("financial proxies"), label, changed))
    changed = [replace(o, duration=max(1, o.duration - 1)) for o in outcomes]
    rows.append(row(_("duration"), _("one year less"), changed))
    for r in (Decimal("1.5"), Decimal("5.5")):
        if r != rate:
            rows.append(row(_("discount rate"), f"{r}%", outcomes, r))
    return rows


def calculate(
    *,
    investment: Decimal,
    outcomes: list[OutcomeInput],
    rate: Decimal = DEFAULT_RATE,
    with_sensitivity: bool = True,
) -> SroiResult:
    validate(investment, rate, outcomes)
    results, totals, discounted = _core(investment, rate, outcomes)
    pv = sum(discounted, Decimal(0))
    return SroiResult(
        investment=investment,
        rate=rate,
        outcomes=results,
        by_year=[money(v) for v in totals],
        discounted_by_year=[money(v) for v in discounted],
        total_value=money(sum(totals, Decimal(0))),
        present_value=money(pv),
        net_present_value=money(pv - investment),
        ratio=_ratio(pv, investment),
        payback_years=payback_years(investment, discounted),
        sensitivity=sensitivity(investment, rate, outcomes) if with_sensitivity else [],
    )
