"""A privacy policy added to a sealed bundle (`derived/policy/`) is judged like any policy,
and the judgement says it came after sealing; nothing else enters from outside the seal.

The derived stream is written by hand here, as a lab's own tooling could write it: the
judge reads the bundle contract, not the policy collector.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from apptest.evidence import Bundle, verify
from apptest.knowledge import Knowledge
from apptest.rules.judge import AFTER_SEALING_POLICY, judge, read_evidence, resolve_categories
from tests.rules.cases.build import CONSENT, read, send
from tests.rules.cases.policy_cases import STATIC, document, rights
from tests.rules.helpers import write_bundle

LATE = "derived/policy/privacy_policy.html"


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return Knowledge.load()


def _moved(record: dict[str, Any]) -> dict[str, Any]:
    """A policy record as it reads under derived/policy/ (files renamed, document marked)."""
    text = json.dumps(record, ensure_ascii=False).replace("policy/privacy_policy.html", LATE)
    moved: dict[str, Any] = json.loads(text)
    if moved["detail"]["kind"] == "document":
        moved["detail"]["after_sealing"] = True
    return moved


def _sealed(root: Path) -> Path:
    write_bundle(root, [read("r", 20, "contacts")], CONSENT, static=STATIC)
    Bundle.open(root).seal()
    return root


def _add_late(root: Path, records: list[dict[str, Any]]) -> None:
    path = root / AFTER_SEALING_POLICY
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def _verdicts(root: Path, knowledge: Knowledge) -> tuple[dict[str, str], dict[str, Any]]:
    judgement = judge(read_evidence(root), knowledge, resolve_categories(knowledge, "news"))
    return {r["rule_id"]: r["verdict"] for r in judgement["rule_results"]}, judgement


def test_a_policy_added_after_sealing_is_judged(tmp_path: Path, knowledge: Knowledge) -> None:
    root = _sealed(tmp_path / "b")
    before, _ = _verdicts(root, knowledge)
    assert before["policy_no_contact_channel"] == before["policy_no_correction_way"] == "unchecked"

    contact, deletion, _correction = (_moved(r) for r in rights())
    _add_late(root, [_moved(document()), contact, deletion])
    after, judgement = _verdicts(root, knowledge)
    assert after["policy_no_contact_channel"] == "passed"
    assert after["policy_no_correction_way"] == "failed"
    (doc,) = judgement["policy_matrix"]["documents"]
    assert doc["file"] == LATE and doc["after_sealing"] is True and doc["sha256"] == "0" * 64
    notes = [n for n in judgement["bundle"]["notes"] if LATE in n["en"]]
    assert len(notes) == 1 and "after the bundle was sealed" in notes[0]["en"] and "封存后" in notes[0]["zh"]
    assert judgement["bundle"]["sealed"] and verify(root).ok


def test_a_policy_in_the_sealed_evidence_is_not_called_late(tmp_path: Path, knowledge: Knowledge) -> None:
    root = write_bundle(tmp_path / "b", [document(), *rights()], CONSENT, static=STATIC)
    Bundle.open(root).seal()
    verdicts, judgement = _verdicts(root, knowledge)
    assert verdicts["policy_no_contact_channel"] == "passed"
    assert [d["after_sealing"] for d in judgement["policy_matrix"]["documents"]] == [False]
    assert not [n for n in judgement["bundle"]["notes"] if "sealed" in n["en"]]


def test_only_policy_records_enter_from_outside_the_seal(tmp_path: Path, knowledge: Knowledge) -> None:
    root = _sealed(tmp_path / "b")
    smuggled = send("late-send", 30, ["contacts"])
    _add_late(root, [_moved(document()), smuggled])
    evidence = read_evidence(root)
    assert "late-send" not in {o.id for o in evidence.observations}
    assert any("late-send" in e and "not a policy observation" in e for e in evidence.errors)
