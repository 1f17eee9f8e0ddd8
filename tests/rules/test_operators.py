"""Operators with an edge worth pinning: the sliding minute, the launch window, necessity."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apptest.model import Observation, PhaseMark
from apptest.rules.context import MISSING, Facts, Item
from apptest.rules.operators import OPERATORS
from apptest.rules.scope import build_scope
from apptest.rules.state import build_timeline
from tests.rules.cases.build import T0, ts

FACTS = Facts(
    scope=build_scope(
        [
            {
                "id": "map",
                "necessary": [{"data_type": "location.precise", "label": {}}],
                "service_data": [],
                "permissions": [{"name": "android.permission.ACCESS_FINE_LOCATION", "condition": None}],
            },
            {
                "id": "bank",
                "necessary": [
                    {"any_of": ["finance.bank_card", "payment.account"], "label": {}},
                    {"data_type": "finance.payee", "label": {}, "condition": {"zh": "转账", "en": "transfer"}},
                ],
                "service_data": [],
                "permissions": [],
            },
        ]
    ),
    timeline=build_timeline([PhaseMark(mark="launch", ts=ts(0))], {"launch": {"app": "foreground"}}),
)


def _items(*seconds: float) -> list[Item]:
    return [
        Item(
            obs=Observation(source="runtime", action="reads", id=f"r{n}", ts=ts(s)),
            at=T0 + timedelta(seconds=s),
            data_type="apps.installed",
        )
        for n, s in enumerate(seconds)
    ]


@pytest.mark.parametrize(
    ("seconds", "limit", "fires", "most"),
    [((0, 59.9, 119.8), 1, True, 2), ((0, 60, 120), 1, False, 1), ((0, 1, 2), 3, False, 3), ((0, 1, 2, 3), 3, True, 4)],
)
def test_rate_per_minute_uses_a_sliding_window(seconds, limit, fires, most) -> None:
    fn = OPERATORS["rate_per_minute_above"].fn
    ok, measured = fn(_items(*seconds), FACTS, None, {"apps.installed": limit})
    assert (ok, measured["max_per_minute"]) == (fires, most)


def test_rate_without_a_limit_for_the_type_never_fires() -> None:
    assert OPERATORS["rate_per_minute_above"].fn(_items(0, 1, 2), FACTS, None, {"location.precise": 1})[0] is False


def test_within_seconds_after_a_mark() -> None:
    fn = OPERATORS["within_seconds_after"].fn
    value = {"mark": "launch", "seconds": 30}
    assert fn(MISSING, value, Item(at=T0 + timedelta(seconds=30)), FACTS)
    assert not fn(MISSING, value, Item(at=T0 + timedelta(seconds=31)), FACTS)
    assert not fn(MISSING, value, Item(at=T0 - timedelta(seconds=1)), FACTS)


def test_union_scope_alternatives_and_conditions() -> None:
    scope = FACTS.scope
    assert scope.is_necessary("location.precise") and scope.basis("location.precise") == ["map"]
    assert scope.is_necessary("payment.account") and scope.is_necessary("finance.bank_card")
    assert scope.conditional == {"finance.payee"}
    assert scope.needs_permission("android.permission.ACCESS_FINE_LOCATION")
    assert not scope.needs_permission("android.permission.CAMERA")
    assert not scope.no_personal_info
    assert not OPERATORS["not_necessary"].fn("location.precise", None, Item(), FACTS)
    assert OPERATORS["not_necessary"].fn("device.imei", None, Item(), FACTS)
