"""The two simulators against cases computed by hand, written out here."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from pes.finance.simulators import (
    SimulatorError,
    guarantee_fund,
    irr,
    npv,
    outcome_payments,
)


def test_a_guarantee_fund_gives_the_hand_computed_losses_and_fund_left() -> None:
    # F = 1,000,000; m = 4; c = 50%; d = 5% a year; r = 30%; L = 25,000; T = 3
    # E = F × m = 4,000,000;  n = 4,000,000 / 25,000 = 160 loans
    # G = E × c = 2,000,000;  capital at risk = min(G, F) = 1,000,000
    # year 1: O = 4,000,000  D = 200,000  recovered 60,000  X = 200,000 × 0.5 × 0.7 = 70,000
    #         fund left 930,000
    # year 2: O = 3,800,000  D = 190,000  recovered 57,000  X = 66,500   left 863,500
    # year 3: O = 3,610,000  D = 180,500  recovered 54,150  X = 63,175   left 800,325
    # total X = 199,675 = E × c × (1 − r) × (1 − 0.95³) = 1,400,000 × 0.142625
    result = guarantee_fund(
        fund=D("1000000"),
        multiplier=D("4"),
        coverage=D("0.5"),
        default_rate=D("0.05"),
        recovery_rate=D("0.3"),
        average_loan=D("25000"),
        horizon_years=3,
    )
    assert result.loans_enabled == D("4000000.00")
    assert result.loans_count == 160
    assert result.guaranteed_amount == D("2000000.00")
    assert result.capital_at_risk == D("1000000.00")
    assert result.expected_losses == D("199675.00")
    assert result.fund_left == D("800325.00")
    assert result.loss_share_of_fund == D("0.1997")
    assert result.exhausted_in_year is None
    assert [y.outstanding_start for y in result.years] == [
        D("4000000.00"),
        D("3800000.00"),
        D("3610000.00"),
    ]
    assert [y.defaults for y in result.years] == [D("200000.00"), D("190000.00"), D("180500.00")]
    assert [y.recoveries for y in result.years] == [D("60000.00"), D("57000.00"), D("54150.00")]
    assert [y.fund_losses for y in result.years] == [D("70000.00"), D("66500.00"), D("63175.00")]
    assert [y.fund_left for y in result.years] == [D("930000.00"), D("863500.00"), D("800325.00")]


def test_a_guarantee_fund_that_is_too_leveraged_is_exhausted_in_the_first_year() -> None:
    # F = 100,000; m = 10; c = 100%; d = 20%; r = 0; L = 10,000; T = 2
    # E = 1,000,000 (100 loans); year 1: D = 200,000 = X > F → exhausted in year 1, left 0
    # year 2: O = 800,000, D = X = 160,000; total X = 360,000; at risk = min(1,000,000, F)
    result = guarantee_fund(
        fund=D("100000"),
        multiplier=D("10"),
        coverage=D("1"),
        default_rate=D("0.2"),
        recovery_rate=D("0"),
        average_loan=D("10000"),
        horizon_years=2,
    )
    assert result.loans_count == 100
    assert result.capital_at_risk == D("100000.00")
    assert result.expected_losses == D("360000.00")
    assert result.exhausted_in_year == 1
    assert [y.fund_left for y in result.years] == [D("0.00"), D("0.00")]


def test_the_guarantee_simulator_refuses_a_coverage_over_100_percent_and_other_bad_input() -> None:
    with pytest.raises(SimulatorError) as caught:
        guarantee_fund(
            fund=D("-1"),
            multiplier=D("0.5"),
            coverage=D("1.2"),
            default_rate=D("1.5"),
            recovery_rate=D("-0.1"),
            average_loan=D("0"),
            horizon_years=0,
        )
    assert set(caught.value.errors) == {
        "fund",
        "multiplier",
        "coverage",
        "default_rate",
        "recovery_rate",
        "average_loan",
        "horizon_years",
    }
    assert "100%" in caught.value.errors["coverage"]


def test_outcome_payments_that_meet_the_targets_give_investors_exactly_ten_percent() -> None:
    # K = 1,000,000; p = 5,000 per outcome; threshold 50%; cap 120%
    # year 1: target 100, achieved 110 ≥ 50 → paid min(110, 120) = 110 → 550,000
    # year 2: target 110, achieved 121 ≥ 55 → paid min(121, 132) = 121 → 605,000
    # NPV at 10%: −1,000,000 + 550,000 / 1.1 + 605,000 / 1.21 = −1,000,000 + 500,000 + 500,000 = 0
    result = outcome_payments(
        capital=D("1000000"),
        price_per_outcome=D("5000"),
        targets=[D("100"), D("110")],
        achieved=[D("110"), D("121")],
        threshold=D("0.5"),
        cap=D("1.2"),
    )
    assert [y.payment for y in result.years] == [D("550000.00"), D("605000.00")]
    assert result.cashflows == [D("-1000000.00"), D("550000.00"), D("605000.00")]
    assert result.total_paid == D("1155000.00")
    assert result.net_return == D("155000.00")
    assert result.multiple == D("1.1550")
    assert result.irr == D("0.10000000")


def test_outcome_payments_apply_the_threshold_and_the_cap() -> None:
    # K = 1,000,000; p = 500; threshold 50%; cap 110%
    # year 1: target 1,000, achieved 400 < 500 → nothing paid
    # year 2: target 1,100, achieved 1,300 → capped at 1,210 → 605,000
    # year 3: target 1,331, achieved 1,331 → 665,500
    # NPV at 10%: −1,000,000 + 0 + 605,000 / 1.21 + 665,500 / 1.331 = 0 → IRR 10%
    result = outcome_payments(
        capital=D("1000000"),
        price_per_outcome=D("500"),
        targets=[D("1000"), D("1100"), D("1331")],
        achieved=[D("400"), D("1300"), D("1331")],
        threshold=D("0.5"),
        cap=D("1.1"),
    )
    assert [y.paid_units for y in result.years] == [D("0"), D("1210.0"), D("1331")]
    assert [y.payment for y in result.years] == [D("0.00"), D("605000.00"), D("665500.00")]
    assert [y.achievement for y in result.years] == [D("0.4000"), D("1.1818"), D("1.0000")]
    assert result.irr == D("0.10000000")


def test_outcome_payments_below_every_threshold_lose_all_the_capital() -> None:
    result = outcome_payments(
        capital=D("1000"),
        price_per_outcome=D("10"),
        targets=[D("100")],
        achieved=[D("10")],
        threshold=D("0.5"),
    )
    assert result.total_paid == D("0")
    assert result.irr == D("-1")
    assert result.multiple == D("0.0000")


def test_the_irr_of_two_equal_payments_matches_the_quadratic_formula() -> None:
    # −1000 + 600x + 600x² = 0 with x = 1 / (1 + i)
    # x = (−600 + √(600² + 4 × 600 × 1000)) / 1200 = (−600 + √2,760,000) / 1200 = 0.884437…
    # i = 1 / x − 1 = 0.1306623…
    x = (-600 + 2_760_000**0.5) / 1200
    expected = 1 / x - 1
    rate = irr([D("-1000"), D("600"), D("600")])
    assert rate is not None
    assert abs(float(rate) - expected) < 1e-7
    assert abs(float(rate) - 0.1306623) < 1e-6
    assert abs(npv(float(rate), [-1000, 600, 600])) < 1e-4


def test_the_irr_is_negative_when_less_comes_back_and_none_without_a_sign_change() -> None:
    # −1000 + 900 / (1 + i) = 0 → i = −10%
    assert irr([D("-1000"), D("900")]) == D("-0.10000000")
    assert irr([D("1000"), D("900")]) is None
    assert irr([D("-1000"), D("0")]) is None
    # a very high return is still found: −1 + 100 / (1 + i) = 0 → i = 9,900%
    assert irr([D("-1"), D("100")]) == D("99.00000000")


def test_the_outcome_simulator_refuses_mismatched_and_negative_figures() -> None:
    with pytest.raises(SimulatorError) as caught:
        outcome_payments(
            capital=D("0"),
            price_per_outcome=D("-1"),
            targets=[D("10"), D("0")],
            achieved=[D("1")],
            threshold=D("2"),
            cap=D("0.5"),
        )
    assert set(caught.value.errors) == {
        "capital",
        "price_per_outcome",
        "targets",
        "achieved",
        "threshold",
        "cap",
    }


def test_absurdly_large_figures_are_refused_not_crashed_on() -> None:
    with pytest.raises(SimulatorError) as caught:
        guarantee_fund(
            fund=D("1e30"),
            multiplier=D("1000"),
            coverage=D("0.5"),
            default_rate=D("0.05"),
            recovery_rate=D("0.3"),
            average_loan=D("1e30"),
            horizon_years=3,
        )
    assert set(caught.value.errors) == {"fund", "multiplier", "average_loan"}
    with pytest.raises(SimulatorError) as caught:
        outcome_payments(
            capital=D("1e30"),
            price_per_outcome=D("1e30"),
            targets=[D("1e20")],
            achieved=[D("1e20")],
            cap=D("1e9"),
        )
    assert set(caught.value.errors) == {
        "capital",
        "price_per_outcome",
        "targets",
        "achieved",
        "cap",
    }
