"""The device's location in traffic: a lat/lng pair near where the phone was.

Coordinates are never sent exactly as the GPS gave them: apps round to 3-7 decimals, put
lng first (`116.39,39.90`, the order of most Chinese map APIs) or lat first, and in China
usually convert to the map datums GCJ-02 (national, ~300-700 m off WGS-84) or BD-09
(Baidu, GCJ-02 plus another offset). A pair counts when both numbers fall within
`tolerance` degrees of the device location in one of those three datums and lie close
together in the text. One number alone is not a location (39.9 could be a price).
Microdegrees — integers of 6-9 digits, degrees x 10^6, as Android's old map `GeoPoint`
(`getLatitudeE6`) and SDKs modelled on it send them — count too, as a pair of two such
integers; the encoding chain then says `e6`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from apptest.traffic.knownvalues import Coordinate
from apptest.traffic.match import Haystack

WINDOW = 80  # characters between the two numbers of a pair, at most
DEFAULT_TOLERANCE = 0.002  # degrees, ~200 m
_A, _EE = 6378245.0, 0.00669342162296594323  # Krasovsky 1940 ellipsoid, as GCJ-02 uses it
_X_PI = math.pi * 3000.0 / 180.0


def _shift_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _shift_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def in_china(lat: float, lng: float) -> bool:
    return 0.8293 <= lat <= 55.8271 and 72.004 <= lng <= 137.8347


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    """The published GCJ-02 obfuscation; outside China GCJ-02 equals WGS-84."""
    if not in_china(lat, lng):
        return lat, lng
    dlat, dlng = _shift_lat(lng - 105.0, lat - 35.0), _shift_lng(lng - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return lat + dlat, lng + dlng


def gcj02_to_bd09(lat: float, lng: float) -> tuple[float, float]:
    z = math.sqrt(lng * lng + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * _X_PI)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


class Centre(NamedTuple):
    coordinate: Coordinate
    datum: str  # wgs84 | gcj02 | bd09
    lat: float
    lng: float


class LocationHit(NamedTuple):
    start: int
    end: int
    leaf: int
    coordinate: Coordinate
    datum: str
    distance_m: int
    scale: str = ""  # "" for decimal degrees, "e6" for microdegrees


def centres(coords: Sequence[Coordinate]) -> list[Centre]:
    out = []
    for coord in coords:
        out.append(Centre(coord, "wgs84", coord.lat, coord.lng))
        if in_china(coord.lat, coord.lng):
            gcj = wgs84_to_gcj02(coord.lat, coord.lng)
            out.append(Centre(coord, "gcj02", *gcj))
            out.append(Centre(coord, "bd09", *gcj02_to_bd09(*gcj)))
    return out


def metres(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Equirectangular distance: exact enough below a few kilometres."""
    x = math.radians(lng2 - lng1) * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot(x, math.radians(lat2 - lat1)) * 6_371_000


_DIGITS, _DIGITS_DOT = "0123456789", "0123456789."
_FRACTION = re.compile(r"\.[0-9]{3,7}(?![0-9])")
E6 = 1_000_000


class LocationMatcher:
    """Finds lat/lng pairs near any centre.

    Numbers are found from their decimal point (a literal the regex engine skips to), then
    read backwards; only integer parts near a centre are kept, so a long JSON document of
    prices and versions costs one fast scan.
    """

    def __init__(self, coords: Sequence[Coordinate], tolerance: float = DEFAULT_TOLERANCE) -> None:
        self.centres = centres(coords)
        self.tolerance = tolerance
        self.ints: set[int] = set()
        for c in self.centres:
            for value in (c.lat, c.lng):
                self.ints.update({math.trunc(value - tolerance), math.trunc(value + tolerance)})
        # Microdegrees of whole degree W are W's digits and six more: one literal-prefixed
        # pattern per W is what lets the regex engine skip ahead (a class-led pattern costs ~40x).
        self.microdegrees = [
            re.compile(re.escape(str(whole)) + r"[0-9]{6}(?![0-9.])") for whole in sorted(self.ints) if whole
        ]

    def numbers(self, text: str) -> list[tuple[int, int, float, str]]:
        """(start, end, degrees, scale) of each 3-7 decimal number, and each integer of
        microdegrees, whose whole degrees are of interest; in text order."""
        out = []
        for found in _FRACTION.finditer(text):
            dot = found.start()
            start = dot
            while start > 0 and dot - start < 3 and text[start - 1] in _DIGITS:
                start -= 1
            if start == dot or (start > 0 and text[start - 1] in _DIGITS_DOT):
                continue
            whole = int(text[start:dot])
            if start > 0 and text[start - 1] == "-":
                start, whole = start - 1, -whole
            if whole in self.ints:
                out.append((start, found.end(), float(text[start : found.end()]), ""))
        for pattern in self.microdegrees:
            for found in pattern.finditer(text):
                start = found.start()
                if start == 0 or text[start - 1] not in "0123456789.-":
                    out.append((start, found.end(), int(found.group()) / E6, "e6"))
        out.sort()
        return out

    def find(self, hay: Haystack) -> Iterator[LocationHit]:
        if not self.centres:
            return
        numbers = self.numbers(hay.text)
        used: set[int] = set()
        for i, (start, end, value, scale) in enumerate(numbers):
            if start in used:
                continue
            for other_start, other_end, other, other_scale in numbers[i + 1 :]:
                if other_start - end > WINDOW:
                    break
                if other_scale != scale:
                    continue
                hit = self._pair(value, other) or self._pair(other, value)
                if hit is not None and hay.leaf_of(start) == hay.leaf_of(other_start):
                    used.update((start, other_start))
                    centre, lat, lng = hit
                    distance = round(metres(lat, lng, centre.lat, centre.lng))
                    leaf = hay.leaf_of(start)
                    yield LocationHit(start, other_end, leaf, centre.coordinate, centre.datum, distance, scale)
                    break

    def _pair(self, lat: float, lng: float) -> tuple[Centre, float, float] | None:
        for centre in self.centres:
            if abs(lat - centre.lat) <= self.tolerance and abs(lng - centre.lng) <= self.tolerance:
                return centre, lat, lng
        return None
