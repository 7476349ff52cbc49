from __future__ import annotations

from decimal import Decimal

import pytest

from pes.lib.geo import haversine_km


def test_the_distance_from_a_place_to_itself_is_zero():
    assert haversine_km(44.4949, 11.3426, 44.4949, 11.3426) == 0


def test_bologna_to_imola_is_about_thirty_three_kilometres():
    assert haversine_km(44.4949, 11.3426, 44.3533, 11.7142) == pytest.approx(33.3, abs=0.5)


def test_the_distance_is_symmetric_and_accepts_decimals():
    a = haversine_km(Decimal("44.4949"), Decimal("11.3426"), Decimal("44.1667"), 11.0)
    b = haversine_km(44.1667, 11.0, 44.4949, 11.3426)
    assert a == pytest.approx(b)


def test_a_quarter_of_the_meridian_is_about_ten_thousand_kilometres():
    assert haversine_km(0, 0, 90, 0) == pytest.approx(10007.5, abs=1)


def test_antipodes_do_not_overflow():
    assert haversine_km(0, 0, 0, 180) == pytest.approx(20015.1, abs=1)
