"""The judge's reading of the policy observations: one status table for rules and matrix."""

from __future__ import annotations

from typing import Any

import pytest

from apptest.model import Actor, Observation
from apptest.rules.context import Facts, Item
from apptest.rules.operators import OPERATORS
from apptest.rules.policy import PolicyIndex
from apptest.rules.scope import build_scope
from apptest.rules.state import build_timeline

APP = Actor(kind="app", id="com.x", proof="stack")
UMENG = Actor(kind="sdk", id="umeng_analytics", proof="stack")
PANGLE = Actor(kind="sdk", id="pangle_csj", proof="stack")
OKHTTP = Actor(kind="sdk", id="okhttp3", proof="stack")
UNKNOWN = Actor(kind="unknown")


def says(kind: str, value: str, polarity: str = "affirmed", **detail: Any) -> Observation:
    return Observation(
        source="policy",
        action="declares",
        data_types=(value,) if kind == "data_type" else (),
        detail={
            "kind": kind,
            "value": value,
            "polarity": polarity,
            "sentence": f"{kind} {value}",
            "offset": 0,
            **detail,
        },
    )


INDEX = PolicyIndex.build(
    [
        Observation(source="policy", action="declares", detail={"kind": "document", "file": "policy/p.html"}),
        says("sdk", "umeng_analytics"),
        says("sdk", "gdt_tencent_ads", broad=True),
        says("data_type", "device.imei", sdks=["umeng_analytics"]),
        says("data_type", "device.oaid"),
        says("data_type", "contacts", "negated"),
        says("data_type", "device.mac", broad="device_information"),
        says("data_type", "apps.installed", sdks=["jpush"]),
        says("data_type", "device.serial", broad="device_information", sdks=["jpush"]),
        says("contact", "cue:联系我们", channel="cue", block="heading"),
        says("deletion", "您可以删除"),
        says("correction", "您可以更正", "conditional"),
    ],
    [{"id": "okhttp3", "kind": "library"}],
)


@pytest.mark.parametrize(
    ("data_type", "actor", "status"),
    [
        ("device.oaid", APP, "declared"),  # a first-party sentence
        ("device.imei", UMENG, "declared"),  # in Umeng's own entry
        ("device.imei", APP, "other_party"),  # only Umeng's entry names it
        ("device.oaid", UMENG, "other_party"),  # Umeng is listed: its entry must name it
        ("device.imei", PANGLE, "declared"),  # Pangle is not listed at all: any firm mention
        ("device.imei", UNKNOWN, "declared"),
        ("contacts", APP, "unclear"),  # negated only
        ("device.mac", APP, "unclear"),  # broad only
        ("apps.installed", UMENG, "other_party"),  # only JPush's entry
        ("device.serial", APP, "undeclared"),  # only a vague term in JPush's entry
        ("sms", APP, "undeclared"),
    ],
)
def test_data_type_status(data_type: str, actor: Actor, status: str) -> None:
    assert INDEX.data_type_status(data_type, actor) == status


@pytest.mark.parametrize(
    ("sdk", "status"),
    [("umeng_analytics", "listed"), ("gdt_tencent_ads", "unclear"), ("pangle_csj", "unlisted"), ("okhttp3", "library")],
)
def test_sdk_status(sdk: str, status: str) -> None:
    assert INDEX.sdk_status(sdk) == status


def test_statements_and_summary() -> None:
    summary = INDEX.summary()
    assert summary["documents"] == 1 and summary["files"] == ["policy/p.html"]
    assert summary["contact"] == "unclear"  # a heading with no channel under it
    assert summary["deletion"] == "stated" and summary["correction"] == "unclear"
    assert summary["cancellation"] == "absent" and summary["complaint"] == "absent"


def test_operators_read_the_index() -> None:
    facts = Facts(scope=build_scope([]), timeline=build_timeline([], {}), policy=INDEX)
    item = Item(obs=Observation(source="runtime", action="reads", actor=APP), data_type="device.imei")
    assert OPERATORS["policy_data_type_status"].fn("device.imei", ["other_party"], item, facts)
    assert not OPERATORS["policy_data_type_status"].fn("device.imei", ["undeclared"], item, facts)
    sdk_item = Item(obs=Observation(source="static", action="references", actor=PANGLE))
    assert OPERATORS["policy_sdk_status"].fn("pangle_csj", ["unlisted"], sdk_item, facts)
    assert OPERATORS["policy_sdk_status"].field == "actor.id"
    assert not OPERATORS["policy_data_type_status"].fn(None, ["undeclared"], item, facts)
