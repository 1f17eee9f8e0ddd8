"""The collector writes the policy into the bundle: files, observations, offsets, once only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apptest.evidence import Bundle, BundleError, read_jsonl, validate
from apptest.policy.collect import collect_file
from tests.policy.conftest import POLICIES, RENTAL_POLICY


def _policy_obs(root: Path) -> list[dict]:
    return [r for r in read_jsonl(root / "observations.jsonl", "observation").records if r["source"] == "policy"]


def test_collect_into_a_new_bundle(tmp_path: Path, knowledge) -> None:
    root = tmp_path / "bundle"
    result = collect_file(root, RENTAL_POLICY, knowledge)
    assert result.document and result.text_file == "policy/privacy_policy.html.plain.txt"
    assert (root / "policy/privacy_policy.html").read_bytes() == RENTAL_POLICY.read_bytes()
    text = (root / result.text_file).read_text("utf-8")
    records = _policy_obs(root)
    assert records[0]["detail"]["kind"] == "document" and records[0]["id"] == result.document
    assert records[0]["detail"]["sha256"] == result.sha256
    for record in records:
        assert not validate("observation", record)
        assert record["action"] == "declares" and record["actor"]["kind"] == "app"
        detail = record["detail"]
        if detail["kind"] == "document":
            continue
        assert detail["document"] == result.document and detail["file"] == "policy/privacy_policy.html"
        assert text[detail["offset"] : detail["offset"] + len(detail["sentence"])] == detail["sentence"]
        assert record["data_types"] == ([detail["value"]] if detail["kind"] == "data_type" else [])
    kinds = {r["detail"]["kind"] for r in records}
    assert {"document", "data_type", "sdk", "purpose", "contact", "deletion"} <= kinds
    manifest = json.loads((root / "manifest.json").read_text("utf-8"))
    assert manifest["apk"]["package"] == "unknown"


def test_the_same_policy_is_not_collected_twice(tmp_path: Path, knowledge) -> None:
    root = tmp_path / "bundle"
    collect_file(root, RENTAL_POLICY, knowledge)
    before = len(_policy_obs(root))
    again = collect_file(root, RENTAL_POLICY, knowledge)
    assert again.skipped and len(_policy_obs(root)) == before


def test_two_policies_with_one_name_are_both_kept(tmp_path: Path, knowledge) -> None:
    root = tmp_path / "bundle"
    other = tmp_path / "other" / "privacy_policy.html"
    other.parent.mkdir()
    other.write_bytes((POLICIES / "zh_sdk_table.html").read_bytes())
    first = collect_file(root, RENTAL_POLICY, knowledge)
    second = collect_file(root, other, knowledge)
    assert first.text_file != second.text_file
    assert (root / "policy/privacy_policy-2.html").exists()


def test_a_sealed_bundle_takes_no_policy(tmp_path: Path, knowledge) -> None:
    root = tmp_path / "bundle"
    Bundle.create(root, {"apk": {"package": "com.x", "sha256": "unknown"}}).seal()
    with pytest.raises(BundleError, match="sealed"):
        collect_file(root, RENTAL_POLICY, knowledge)


def test_an_unreadable_policy_file_is_one_line(tmp_path: Path, knowledge) -> None:
    with pytest.raises(BundleError, match="cannot read the policy"):
        collect_file(tmp_path / "bundle", tmp_path / "missing.html", knowledge)
