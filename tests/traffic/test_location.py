"""Coordinates: datum conversions and pair finding."""

from __future__ import annotations

import pytest

from apptest.traffic.knownvalues import Coordinate
from apptest.traffic.layers import Leaf
from apptest.traffic.location import LocationMatcher, gcj02_to_bd09, in_china, metres, wgs84_to_gcj02
from apptest.traffic.match import Haystack

HOME = Coordinate("location.precise", "location.precise", 39.90872, 116.39748)


def test_gcj02_offset_in_beijing_is_a_few_hundred_metres() -> None:
    lat, lng = wgs84_to_gcj02(HOME.lat, HOME.lng)
    assert lat == pytest.approx(39.91012, abs=2e-5) and lng == pytest.approx(116.40372, abs=2e-5)
    assert 400 < metres(HOME.lat, HOME.lng, lat, lng) < 700
    bd_lat, bd_lng = gcj02_to_bd09(lat, lng)
    assert bd_lat == pytest.approx(39.91646, abs=2e-5) and bd_lng == pytest.approx(116.41010, abs=2e-5)


def test_outside_china_gcj02_is_wgs84() -> None:
    assert not in_china(48.8566, 2.3522)
    assert wgs84_to_gcj02(48.8566, 2.3522) == (48.8566, 2.3522)


def find(text: str, tolerance: float = 0.002):
    return list(LocationMatcher([HOME], tolerance).find(Haystack([Leaf(text, (), "body", "")])))


@pytest.mark.parametrize(
    ("text", "datum"),
    [
        ("39.90872,116.39748", "wgs84"),
        ("lng=116.3975&lat=39.9087", "wgs84"),
        ("[116.40372, 39.91012]", "gcj02"),
        ('{"y":39.91646,"x":116.41010}', "bd09"),
        ("-39.90872,116.39748", None),  # southern hemisphere
        ("139.90872,116.39748", None),  # 139 is not 39
        ("39.90872 " + "x" * 200 + " 116.39748", None),  # too far apart in the text
        ("latE6=39908720&lngE6=116397480", "wgs84"),  # microdegrees
        ("[116410100, 39916460]", "bd09"),
        ("-39908720,116397480", None),
        ("39908720.5,116397480", None),  # not an integer
        ("1399087200,116397480", None),  # 10 digits
    ],
)
def test_pairs(text: str, datum: str | None) -> None:
    hits = find(text)
    assert [h.datum for h in hits] == ([datum] if datum else [])


def test_tolerance_is_respected() -> None:
    assert find("39.9187,116.3975") == []  # ~1.1 km north
    assert len(find("39.9187,116.3975", tolerance=0.02)) == 1
