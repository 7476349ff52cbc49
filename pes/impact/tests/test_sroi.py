"""The SROI arithmetic, checked against figures worked out by hand."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from pes.impact.sroi import OutcomeInput, SroiError, calculate, outcome_by_year, payback_years

OUTCOME = OutcomeInput(
    name="Meno solitudine",
    quantity=D(10),
    value_per_unit=D(1000),
    deadweight=D(20),
    attribution=D(10),
    drop_off=D(50),
    duration=3,
)


def test_the_first_year_takes_off_deadweight_displacement_and_attribution_and_drop_off_follows():
    assert outcome_by_year(OUTCOME) == [D(7200), D(3600), D(1800)]
    with_displacement = OutcomeInput(
        name="x", quantity=D(1), value_per_unit=D(100), displacement=D(25)
    )
    assert outcome_by_year(with_displacement) == [D(75)]


def test_present_value_net_present_value_ratio_and_payback_match_the_hand_calculation():
    # 7200/1.035 + 3600/1.035² + 1800/1.035³ = 6956.522 + 3360.638 + 1623.496 = 11940.656
    result = calculate(investment=D(10000), outcomes=[OUTCOME])
    assert result.rate == D("3.5")
    assert result.total_value == D("12600.00")
    assert result.present_value == D("11940.66")
    assert result.net_present_value == D("1940.66")
    assert result.ratio == D("1.19")
    assert result.discounted_by_year == [D("6956.52"), D("3360.64"), D("1623.50")]
    # 6956.52 after the first year; the remaining 3043.48 is 0.906 of the second year.
    assert result.payback_years == D("1.9")


def test_payback_is_none_when_the_value_never_covers_the_investment():
    result = calculate(investment=D(100000), outcomes=[OUTCOME])
    assert result.payback_years is None
    assert result.ratio == D("0.12")
    assert payback_years(D(10), [D(0), D(0)]) is None


def test_several_outcomes_of_different_durations_add_up_year_by_year():
    short = OutcomeInput(name="b", quantity=D(2), value_per_unit=D(500), duration=1)
    result = calculate(investment=D(1000), outcomes=[OUTCOME, short], rate=D(0))
    assert result.by_year == [D("8200.00"), D("3600.00"), D("1800.00")]
    assert result.present_value == D("13600.00")
    assert result.ratio == D("13.60")


def test_the_sensitivity_table_moves_the_ratio_the_expected_way():
    result = calculate(investment=D(10000), outcomes=[OUTCOME])
    rows = {(r.parameter, r.change): r.ratio for r in result.sensitivity}
    base = rows[("base case", "")]
    assert base == result.ratio
    assert rows[("deadweight", "+10 points")] < base < rows[("deadweight", "-10 points")]
    assert rows[("financial proxies", "-20%")] < base < rows[("financial proxies", "+20%")]
    assert rows[("discount rate", "5.5%")] < base < rows[("discount rate", "1.5%")]
    assert rows[("duration", "one year less")] < base
    # Proxies at 80%: exactly 80% of the present value.
    assert rows[("financial proxies", "-20%")] == (D("11940.66") * D("0.8") / 10000).quantize(
        D("0.01")
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"deadweight": D(120)}, "outcomes.0.deadweight"),
        ({"attribution": D(-1)}, "outcomes.0.attribution"),
        ({"drop_off": D("100.01")}, "outcomes.0.drop_off"),
        ({"duration": 0}, "outcomes.0.duration"),
        ({"quantity": D(-3)}, "outcomes.0.quantity"),
    ],
)
def test_bad_outcomes_are_refused_with_the_field_named(change, field):
    bad = OutcomeInput(**{**OUTCOME.__dict__, **change})
    with pytest.raises(SroiError) as exc:
        calculate(investment=D(10000), outcomes=[bad])
    assert field in exc.value.errors


def test_a_zero_investment_and_a_rate_outside_0_100_are_refused():
    with pytest.raises(SroiError) as exc:
        calculate(investment=D(0), outcomes=[OUTCOME], rate=D(101))
    assert set(exc.value.errors) == {"investment", "discount_rate"}
