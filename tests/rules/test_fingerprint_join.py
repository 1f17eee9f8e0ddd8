"""Fingerprints are stable across retests; traffic is joined to the runtime stack that sent it."""

from __future__ import annotations

from pathlib import Path

import pytest

from apptest.knowledge import Knowledge
from apptest.model import Observation
from apptest.rules.fingerprint import fingerprint
from apptest.rules.join import attribute_senders
from apptest.rules.judge import judge, read_evidence, resolve_categories
from tests.rules.cases.build import CONSENT, UMENG, connects, read, send
from tests.rules.helpers import shifted, write_bundle


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return Knowledge.load()


def _fingerprints(root: Path, knowledge: Knowledge) -> dict[str, str]:
    judgement = judge(read_evidence(root), knowledge, resolve_categories(knowledge, "news"))
    return {f["fingerprint"]: f["rule_id"] for f in judgement["findings"]}


def test_same_behaviour_on_another_day_with_other_hosts_and_ids_keeps_fingerprints(tmp_path, knowledge) -> None:
    first = [read("a1", 2, "device.imei", UMENG), send("a2", 5, ["device.android_id"])]
    again = shifted(first, 3)
    again[0]["id"], again[1]["id"] = "b1", "b2"
    again[1]["destination"] = dict(again[1]["destination"], host="ulogs2.umeng.com")
    one = _fingerprints(write_bundle(tmp_path / "one", first, CONSENT), knowledge)
    two = _fingerprints(write_bundle(tmp_path / "two", again, shifted(CONSENT, 3)), knowledge)
    assert one and one == two


def test_a_different_data_type_is_a_different_finding(tmp_path, knowledge) -> None:
    one = _fingerprints(write_bundle(tmp_path / "one", [read("x", 2, "device.imei", UMENG)], CONSENT), knowledge)
    two = _fingerprints(write_bundle(tmp_path / "two", [read("x", 2, "device.imsi", UMENG)], CONSENT), knowledge)
    pre = [{fp for fp, rule in found.items() if rule == "pre_consent_collection"} for found in (one, two)]
    assert pre[0] and pre[1] and not pre[0] & pre[1]


def test_fingerprint_refuses_volatile_fields_and_ignores_order() -> None:
    assert fingerprint("r", {"data_type": "a", "actor.id": "b"}) == fingerprint(
        "r", {"actor.id": "b", "data_type": "a"}
    )
    assert len(fingerprint("r", {})) == 32
    with pytest.raises(ValueError):
        fingerprint("r", {"destination.host": "x.example"})


def _obs(records):
    return [Observation.from_dict(r) for r in records]


def test_stack_proven_sender_when_a_runtime_connection_matches() -> None:
    records = [connects("rt", 4.5, "ulogs.umeng.com"), send("tx", 5, ["device.android_id"])]
    records[1]["pid"] = 4242
    sender = attribute_senders(_obs(records))["tx"]
    assert (sender.proof, sender.joined, sender.actor.id) == ("stack", "rt", "umeng_analytics")


@pytest.mark.parametrize(
    ("connect_at", "pid", "host"),
    [(20.0, 4242, "ulogs.umeng.com"), (4.5, 9999, "ulogs.umeng.com"), (4.5, 4242, "other.example.com")],
    ids=["too_far_in_time", "other_process", "other_host"],
)
def test_sender_stays_a_domain_guess_without_a_matching_connection(connect_at, pid, host) -> None:
    conn = connects("rt", connect_at, host)
    conn["pid"] = pid
    tx = send("tx", 5, ["device.android_id"])
    tx["pid"] = 4242
    sender = attribute_senders(_obs([conn, tx]))["tx"]
    assert sender.proof == "domain" and sender.joined is None


def test_finding_reports_the_sender_proof(tmp_path, knowledge) -> None:
    root = write_bundle(
        tmp_path / "b", [connects("rt", 4.8, "ulogs.umeng.com:443"), send("tx", 5, ["device.oaid"])], CONSENT
    )
    judgement = judge(read_evidence(root), knowledge, resolve_categories(knowledge, "news"))
    third = [f for f in judgement["findings"] if f["rule_id"] == "third_party_before_consent"]
    assert third[0]["detail"]["senders"] == [
        {"actor": UMENG, "proof": "stack", "count": 1, "joined_observations": ["rt"]}
    ]
    assert third[0]["actors"] == [UMENG]
