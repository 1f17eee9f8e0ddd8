"""The collector writes the policy into the bundle: files, observations, offsets, once only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apptest.evidence import SUMS, Bundle, BundleError, read_jsonl, validate, verify
from apptest.policy.collect import AFTER_SEALING_STREAM, collect_file
from tests.policy.conftest import POLICIES, RENTAL_POLICY


def _policy_obs(root: Path, stream: str = "observations.jsonl") -> list[dict]:
    return [r for r in read_jsonl(root / stream, "observation").records if r["source"] == "policy"]


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
    # an open bundle takes the policy as evidence: nothing is marked as late
    assert result.after_sealing is None and "after_sealing" not in records[0]["detail"]
    assert not (root / "derived").exists()


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


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_a_sealed_bundle_takes_a_policy_after_sealing(tmp_path: Path, knowledge) -> None:
    root = tmp_path / "bundle"
    Bundle.create(root, {"apk": {"package": "com.x", "sha256": "unknown"}}).seal()
    sealed = _files(root)
    result = collect_file(root, RENTAL_POLICY, knowledge)
    assert result.after_sealing is True and result.text_file == "derived/policy/privacy_policy.html.plain.txt"
    assert (root / "derived/policy/privacy_policy.html").read_bytes() == RENTAL_POLICY.read_bytes()
    now = _files(root)
    assert {k: v for k, v in now.items() if not k.startswith("derived/")} == sealed  # SUMS and evidence as sealed
    assert not _policy_obs(root) and verify(root).ok and SUMS in now
    records = _policy_obs(root, AFTER_SEALING_STREAM)
    document = records[0]
    assert document["id"] == result.document and document["detail"]["after_sealing"] is True
    assert document["detail"]["sha256"] == result.sha256 and document["actor"]["id"] == "com.x"
    text = (root / result.text_file).read_text("utf-8")
    for record in records[1:]:
        assert not validate("observation", record)
        detail = record["detail"]
        assert detail["document"] == result.document and detail["file"] == "derived/policy/privacy_policy.html"
        assert text[detail["offset"] : detail["offset"] + len(detail["sentence"])] == detail["sentence"]
    # once is enough, and a text the seal already covers is never copied out again
    assert collect_file(root, RENTAL_POLICY, knowledge).skipped
    assert len(_policy_obs(root, AFTER_SEALING_STREAM)) == len(records)


def test_a_policy_already_sealed_is_not_collected_again(tmp_path: Path, knowledge) -> None:
    root = tmp_path / "bundle"
    collect_file(root, RENTAL_POLICY, knowledge)
    Bundle.open(root).seal()
    again = collect_file(root, RENTAL_POLICY, knowledge)
    assert again.skipped and again.after_sealing is None and not (root / "derived").exists()


def test_a_zipped_bundle_takes_no_policy(tmp_path: Path, knowledge) -> None:
    from apptest.bundlezip import zip_bundle

    root = tmp_path / "bundle"
    Bundle.create(root, {"apk": {"package": "com.x", "sha256": "unknown"}}).seal()
    archive = zip_bundle(root, tmp_path / "bundle.zip")
    with pytest.raises(BundleError, match="zipped bundle takes no privacy policy"):
        collect_file(archive, RENTAL_POLICY, knowledge)


def test_an_unreadable_policy_file_is_one_line(tmp_path: Path, knowledge) -> None:
    with pytest.raises(BundleError, match="cannot read the policy"):
        collect_file(tmp_path / "bundle", tmp_path / "missing.html", knowledge)
