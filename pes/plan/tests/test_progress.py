from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from pes.plan.progress import Node, Status, achievement, indicator_status, weighted_progress

D = Decimal
BASE = dt.date(2025, 1, 1)


def status(increase=True, baseline="100", latest="110", latest_year=2027, target="120", ty=2029):
    return indicator_status(
        increase=increase,
        baseline=D(baseline) if baseline is not None else None,
        baseline_date=BASE,
        latest=D(latest) if latest is not None else None,
        latest_date=dt.date(latest_year, 1, 1),
        target=D(target) if target is not None else None,
        target_date=dt.date(ty, 1, 1) if target is not None else None,
    )


@pytest.mark.parametrize(
    ("latest", "expected"),
    [
        ("120", Status.ACHIEVED),
        ("125", Status.ACHIEVED),
        ("110", Status.SUBSTANTIAL),  # half-way after half the time: on track
        ("107", Status.MODERATE),
        ("102", Status.LIMITED),
        ("100", Status.LIMITED),
        ("95", Status.DETERIORATION),
    ],
)
def test_status_with_a_target_when_higher_is_better(latest, expected):
    assert status(latest=latest) == expected


@pytest.mark.parametrize(
    ("latest", "expected"),
    [
        ("60", Status.ACHIEVED),
        ("70", Status.SUBSTANTIAL),
        ("95", Status.LIMITED),
        ("110", Status.DETERIORATION),
    ],
)
def test_status_honours_a_decreasing_direction(latest, expected):
    assert status(increase=False, baseline="100", latest=latest, target="60") == expected


def test_status_is_not_available_without_baseline_or_data():
    assert status(baseline=None) == Status.NOT_AVAILABLE
    assert status(latest=None) == Status.NOT_AVAILABLE
    assert status(latest_year=2025) == Status.NOT_AVAILABLE


def test_a_count_starting_from_zero_uses_linear_rates():
    assert status(baseline="0", latest="50", target="100") == Status.SUBSTANTIAL
    assert status(baseline="0", latest="10", target="100") == Status.LIMITED


def test_without_a_target_the_growth_rate_decides():
    assert status(target=None, latest="104") == Status.SUBSTANTIAL  # ~2% a year
    assert status(target=None, latest="102") == Status.MODERATE  # ~1% a year
    assert status(target=None, latest="100.5") == Status.LIMITED
    assert status(target=None, latest="97") == Status.DETERIORATION


def test_achievement_is_the_share_of_the_way_from_baseline_to_target():
    assert achievement(increase=True, baseline=D(100), latest=D(110), target=D(120)) == D("50.0")
    assert achievement(increase=False, baseline=D(100), latest=D(80), target=D(60)) == D("50.0")
    assert achievement(increase=True, baseline=D(1), latest=D(1), target=D(1)) is None


def test_weighted_progress_by_each_rule():
    children = [
        Node(1, weight=D(3), progress=D(100), committed=D(1000)),
        Node(2, weight=D(1), progress=D(0), committed=D(3000)),
        Node(3, weight=D(1), progress=None, committed=D(9999)),
    ]
    assert weighted_progress(children, "equal") == D("50.0")
    assert weighted_progress(children, "explicit") == D("75.0")
    assert weighted_progress(children, "budget") == D("25.0")
    assert weighted_progress([], "equal") is None
    zero_budget = [Node(1, progress=D(40)), Node(2, progress=D(60))]
    assert weighted_progress(zero_budget, "budget") == D("50.0")
