"""An app with no category: the category-independent rules judge it, the others say unchecked."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from apptest.knowledge import Knowledge
from apptest.rules.analyze import analyze_bundle
from apptest.rules.operators import OPERATORS
from apptest.rules.rule import compile_rules
from apptest.rules.uncategorized import CATEGORY_OPERATORS, MISSING_CATEGORY, analyze_uncategorized, needs_category
from apptest.static.scan import scan_to_bundle
from tests.batch.conftest import BUILT


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return Knowledge.load()


def test_the_category_operators_are_exactly_those_that_read_the_scope() -> None:
    reads_scope = {name for name, op in OPERATORS.items() if "facts.scope" in inspect.getsource(op.fn)}
    assert reads_scope == CATEGORY_OPERATORS


def test_rules_that_need_a_category(knowledge: Knowledge) -> None:
    rules = {r.id: r for r in compile_rules(knowledge)}
    needing = {rule_id for rule_id, rule in rules.items() if needs_category(rule)}
    assert {"out_of_scope_collection", "excessive_permission_declared", "excessive_permission_requested"} <= needing
    for must_not in ("cleartext_transmission", "pre_consent_collection", "packed_app", "target_sdk_below_23"):
        assert must_not in rules and must_not not in needing


@pytest.mark.parametrize("apk", ["rental", "legacy22"])
def test_uncategorized_judgement_is_the_categorized_one_minus_the_category_rules(
    knowledge: Knowledge, tmp_path: Path, apk: str
) -> None:
    bundle = tmp_path / "bundle"
    scan_to_bundle(BUILT / f"{apk}.apk", knowledge, bundle)
    with_category = analyze_bundle(bundle, knowledge, "ride_hailing")
    without = analyze_uncategorized(bundle, knowledge)
    needing = {r.id for r in compile_rules(knowledge) if needs_category(r)}
    assert without["categories"] == []
    assert any("no category given" in n["en"] for n in without["bundle"]["notes"])
    results = {r["rule_id"]: r for r in without["rule_results"]}
    assert list(results) == sorted(results) == sorted(r["rule_id"] for r in with_category["rule_results"])
    for rule_id in needing:
        assert results[rule_id]["verdict"] == "unchecked"
        assert results[rule_id]["missing_evidence"] == [MISSING_CATEGORY]
    others = {r["rule_id"]: r["verdict"] for r in with_category["rule_results"] if r["rule_id"] not in needing}
    assert {k: v["verdict"] for k, v in results.items() if k not in needing} == others
    kept = [f["fingerprint"] for f in with_category["findings"] if f["rule_id"] not in needing]
    assert [f["fingerprint"] for f in without["findings"]] == kept
    assert sum(without["summary"]["verdicts"].values()) == len(results)
    if apk == "rental":  # it has out-of-scope permissions for ride-hailing; they are not guessed without one
        assert any(f["rule_id"] in needing for f in with_category["findings"])
