"""The scoring formulas, with worked numbers a commission can check by hand."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from pes.procurement import scoring
from pes.procurement.scoring import ScoringError


def test_the_discount_is_the_share_below_the_base_price():
    assert scoring.discount(price=D("80000"), base=D("100000")) == D("0.2")


@pytest.mark.parametrize(
    ("price", "base"),
    [(D("0"), D("100")), (D("-5"), D("100")), (D("120"), D("100")), (D("5"), D("0"))],
)
def test_a_price_of_zero_or_less_or_above_the_base_is_refused(price, base):
    with pytest.raises(ScoringError):
        scoring.discount(price=price, base=base)


def test_linear_gives_the_discount_over_the_best_discount():
    assert scoring.price_linear(D("0.20"), r_max=D("0.25")) == D("0.8")
    assert scoring.price_linear(D("0"), r_max=D("0")) == D("0")


def test_a_discount_over_100_percent_is_refused():
    with pytest.raises(ScoringError, match="between 0% and 100%"):
        scoring.price_linear(D("1.2"), r_max=D("1.2"))


def test_bilinear_below_and_above_the_mean_discount():
    # Discounts 10%, 20%, 30%: mean 20%, X = 0.90.
    kw = {"r_max": D("0.30"), "r_mean": D("0.20"), "x": D("0.90")}
    assert scoring.price_bilinear(D("0.10"), **kw) == D("0.45")  # 0.9 × 0.1 / 0.2
    assert scoring.price_bilinear(D("0.20"), **kw) == D("0.9")  # at the threshold
    assert scoring.price_bilinear(D("0.25"), **kw) == D("0.95")  # 0.9 + 0.1 × 0.05 / 0.1
    assert scoring.price_bilinear(D("0.30"), **kw) == D("1")


def test_bilinear_refuses_an_x_outside_zero_to_one():
    with pytest.raises(ScoringError):
        scoring.price_bilinear(D("0.1"), r_max=D("0.2"), r_mean=D("0.15"), x=D("1.5"))


def test_inverse_proportional_gives_the_lowest_price_over_the_price():
    assert scoring.price_inverse(D("100"), p_min=D("80")) == D("0.8")
    with pytest.raises(ScoringError):
        scoring.price_inverse(D("-1"), p_min=D("80"))


def test_concave_raises_the_ratio_to_alpha():
    assert scoring.price_concave(D("0.10"), r_max=D("0.40"), alpha=D("0.5")) == D("0.5")
    assert scoring.price_concave(D("0.40"), r_max=D("0.40"), alpha=D("0.3")) == D("1")
    assert scoring.price_concave(D("0"), r_max=D("0.40"), alpha=D("0.3")) == D("0")


def test_quality_is_the_mean_of_the_commissioners_coefficients():
    assert scoring.quality_average([D("0.8"), D("0.7"), D("0.9")]) == D("0.8")
    with pytest.raises(ScoringError):
        scoring.quality_average([D("1.2")])


def test_rescaling_gives_the_best_offer_coefficient_one():
    assert scoring.rescale_to_best([D("0.8"), D("0.4")]) == [D("1"), D("0.5")]
    assert scoring.rescale_to_best([D("0"), D("0")]) == [D("0"), D("0")]


def test_quantities_are_proportional_to_the_best():
    assert scoring.proportional_to_best(D("15"), best=D("20")) == D("0.75")
    assert scoring.proportional_to_best(D("20"), best=D("10"), higher_is_better=False) == D("0.5")
    with pytest.raises(ScoringError):
        scoring.proportional_to_best(D("-1"), best=D("10"))


def test_yes_no_and_thresholds():
    assert scoring.yes_no(D("1")) == 1
    assert scoring.yes_no(D("0")) == 0
    table = [[50, 0.5], [70, 0.8], [90, 1]]
    assert scoring.thresholds(D("75"), table=table) == D("0.8")
    assert scoring.thresholds(D("95"), table=table) == D("1")
    assert scoring.thresholds(D("40"), table=table) == D("0")


def test_points_are_the_coefficient_times_the_weight_to_the_cent():
    assert scoring.points(D("0.833333"), D("30")) == D("25.00")


def test_an_offer_is_anomalous_when_both_parts_reach_four_fifths():
    assert scoring.is_anomalous(
        price_points=D("25"), price_max=D("30"), other_points=D("60"), other_max=D("70")
    )
    assert not scoring.is_anomalous(
        price_points=D("25"), price_max=D("30"), other_points=D("50"), other_max=D("70")
    )
