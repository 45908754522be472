"""Distances between people, postings and districts."""
from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0088

# Rough bounding box of Chongqing municipality; coordinates outside it are data errors.
CQ_LON = (105.2, 110.3)
CQ_LAT = (28.1, 32.3)


def haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in km (straight line; the ranking layer adds the hills and rivers)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def in_chongqing(lon: float, lat: float) -> bool:
    return CQ_LON[0] <= lon <= CQ_LON[1] and CQ_LAT[0] <= lat <= CQ_LAT[1]
