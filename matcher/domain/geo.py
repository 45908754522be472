"""Distances between people, postings and districts."""

from __future__ import annotations

import math
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

# Per-trip columns of the ranking core. A function given only scalars returns a numpy scalar of the same
# dtype, which the callers use alike (float(), indexing by broadcast), so one array type stands for both.
FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.int64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]

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


def haversine_vec(
    lon: FloatArray | float, lat: FloatArray | float, lons: FloatArray | float, lats: FloatArray | float
) -> FloatArray:
    """`haversine_km` for many pairs of points (either side may be one shared point)."""
    p1, p2 = np.radians(lat), np.radians(lats)
    dp, dl = p2 - p1, np.radians(np.subtract(lons, lon))
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    km: FloatArray = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(h))  # numpy's types lose it for mixed inputs: Any
    return km


def in_chongqing(lon: float, lat: float) -> bool:
    return CQ_LON[0] <= lon <= CQ_LON[1] and CQ_LAT[0] <= lat <= CQ_LAT[1]


# Main-urban districts by river bank. The Jialing and the Yangtze split central Chongqing into three
# banks; a trip between banks needs a bridge or tunnel, which at peak hours costs far more than the
# straight-line km suggest. Districts outside the main urban area carry no bank (no penalty).
RIVER_BANK = {
    "渝中区": "between",
    "沙坪坝区": "between",
    "九龙坡区": "between",
    "大渡口区": "between",
    "高新区": "between",
    "江北区": "north",
    "渝北区": "north",
    "两江新区": "north",
    "北碚区": "north",
    "南岸区": "south",
    "巴南区": "south",
}
CROSSING_MINUTES = 10  # rough peak-hour cost of one river crossing (not calibrated on traffic data)
DETOUR = 1.35  # road distance / straight-line distance in hilly Chongqing (rough)


BANKS = ("between", "north", "south")


def bank_code(district: str) -> int:
    """The district's river bank as a small int (-1: outside the main urban area), for vectorised trips."""
    bank = RIVER_BANK.get(district)
    return BANKS.index(bank) if bank is not None else -1


def river_crossings(bank_a: IntArray | int, bank_b: IntArray | int) -> IntArray:
    """0 or 1 per trip: whether it crosses the Jialing or Yangtze in the main urban area, given both ends'
    `bank_code`s (arrays, or one code shared by every trip)."""
    a, b = np.asarray(bank_a), np.asarray(bank_b)
    crossings: IntArray = ((a >= 0) & (b >= 0) & (a != b)).astype(np.int64)  # numpy's types lose it: Any
    return crossings


def commute_minutes(km: FloatArray, crossings: IntArray) -> FloatArray:
    """A rough one-way commute estimate by public transport/car, per trip: fixed access time, a detour
    factor on the straight line, slower speeds for short urban trips (25 km/h below 25 road-km, else 40),
    and a penalty per river crossing."""
    road_km = km * DETOUR
    return 8.0 + road_km / np.where(road_km < 25, 25.0, 40.0) * 60.0 + CROSSING_MINUTES * crossings
