"""Every rule against its case bundles (checkov's test_yaml_policies, semgrep's ruleid/ok).

One generic test runs each folder under cases/<rule_id>/<case>/: it judges the bundle
against the case's category with that rule alone and checks the verdict, that every
`violating` observation is in a finding and that no `ok` observation is. A rule without a
case that fires and a case that must not fire fails the suite.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from apptest.knowledge import Knowledge
from apptest.rules.judge import judge, read_evidence, resolve_categories
from apptest.rules.rule import compile_rules
from tests.rules.cases.build import build

CASES = Path(__file__).resolve().parent / "cases"
CASE_DIRS = sorted(p.parent for p in CASES.glob("*/*/expected.yaml"))
SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "apptest/schemas/judgement.schema.json").read_text())


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return Knowledge.load()


@pytest.fixture(scope="module")
def rules(knowledge):
    return {r.id: r for r in compile_rules(knowledge)}


@pytest.mark.parametrize("case", CASE_DIRS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_case(case: Path, knowledge, rules) -> None:
    rule_id = case.parent.name
    assert rule_id in rules, f"case folder for unknown rule {rule_id}"
    expected = yaml.safe_load((case / "expected.yaml").read_text("utf-8"))
    categories = resolve_categories(knowledge, (case / "category").read_text("utf-8").strip())
    judgement = judge(read_evidence(case), knowledge, categories, rules=[rules[rule_id]])

    assert not [e for e in judgement["bundle"]["errors"] if ".jsonl:" in e], "a case line breaks the contract"
    Draft202012Validator(SCHEMA).validate(judgement)
    (result,) = judgement["rule_results"]
    assert result["verdict"] == expected["verdict"], (expected["about"], result, judgement["findings"])
    found = {obs for f in judgement["findings"] for obs in f["observations"]}
    assert set(expected["violating"]) <= found, expected["about"]
    assert not set(expected["ok"]) & found, expected["about"]
    assert bool(judgement["findings"]) == (expected["verdict"] == "failed")
    if "missing_evidence_contains" in expected:
        assert any(expected["missing_evidence_contains"] in m["en"] for m in result["missing_evidence"]), result


def test_every_rule_has_a_firing_and_a_quiet_case(knowledge) -> None:
    for rule_id in knowledge.rules:
        verdicts = [
            yaml.safe_load((d / "expected.yaml").read_text("utf-8")) for d in CASE_DIRS if d.parent.name == rule_id
        ]
        assert any(v["verdict"] == "failed" for v in verdicts), f"{rule_id}: no case that must fire"
        assert any(v["verdict"] != "failed" or v["ok"] for v in verdicts), f"{rule_id}: no case that must not fire"


def test_case_folders_are_what_the_script_writes(tmp_path: Path) -> None:
    build(tmp_path)
    built = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(
        p.relative_to(CASES)
        for p in CASES.rglob("*")
        if p.is_file() and p.parent != CASES and "__pycache__" not in p.parts
    )
    assert built == committed
    for rel in built:
        assert (tmp_path / rel).read_bytes() == (CASES / rel).read_bytes(), f"{rel} was edited by hand"
