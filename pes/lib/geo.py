"""Distances on the Earth's surface: the great-circle (haversine) distance between two points
given in decimal degrees. Used between municipality centroids, so a few hundred metres of
error are irrelevant."""

from __future__ import annotations

import math
from decimal import Decimal

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)

Coordinate = float | Decimal


def haversine_km(lat1: Coordinate, lon1: Coordinate, lat2: Coordinate, lon2: Coordinate) -> float:
    """Great-circle distance in kilometres between (lat1, lon1) and (lat2, lon2)."""
    phi1, phi2 = math.radians(float(lat1)), math.radians(float(lat2))
    dphi = phi2 - phi1
    dlambda = math.radians(float(lon2) - float(lon1))
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))
