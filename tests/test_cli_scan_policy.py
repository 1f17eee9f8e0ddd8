"""`apptest scan` collects the privacy policy the APK ships before judging, so the policy
rules are judged from the APK alone; an APK that ships none is judged all the same."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from apptest.evidence import read_jsonl
from tests.conftest import ROOT

SAMPLE = ROOT / "apptest/data/sample.apk"
LEGACY = ROOT / "tests/fixtures/apks/built/legacy22.apk"
POLICY_RULES_NEEDING_TEXT = (
    "policy_data_type_undeclared",
    "policy_sdk_unlisted",
    "policy_no_contact_channel",
    "policy_no_deletion_way",
)


def _verdicts(judgement: dict) -> dict[str, str]:
    return {r["rule_id"]: r["verdict"] for r in judgement["rule_results"]}


def _documents(bundle: Path) -> list[dict]:
    records = read_jsonl(bundle / "observations.jsonl", "observation").records
    return [r for r in records if r["source"] == "policy" and r["detail"].get("kind") == "document"]


def test_scan_judges_the_policy_the_apk_ships(cli, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    result = cli("scan", str(SAMPLE), "--category", "news", "--bundle", str(bundle), "--fail-on", "none")
    assert result.returncode == 0, result.stderr
    judgement = json.loads(result.stdout)  # stdout is the judgement and nothing else
    verdicts = _verdicts(judgement)
    assert verdicts["policy_not_found"] == "passed"
    for rule in POLICY_RULES_NEEDING_TEXT:
        assert verdicts[rule] in ("passed", "failed"), rule
    assert {"policy_data_type_undeclared", "policy_sdk_unlisted"} <= {f["rule_id"] for f in judgement["findings"]}
    (document,) = judgement["policy_matrix"]["documents"]
    assert document["origin"] == "apk" and document["after_sealing"] is False
    assert document["source"] == "sample.apk!assets/privacy_policy.html"
    stored = bundle / document["file"]
    assert document["file"].startswith("policy/") and stored.is_file()
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == document["sha256"]
    assert [d["detail"]["file"] for d in _documents(bundle)] == [document["file"]]
    assert "[policy] sample.apk!assets/privacy_policy.html: shipped in the APK" in result.stderr


def test_scan_reports_carry_the_shipped_policy(cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = cli(
        "scan", str(SAMPLE), "--category", "news", "--format", "json,sarif", "-o", str(out), "--fail-on", "none"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    matrix = json.loads((out / "report.json").read_text("utf-8"))["judgement"]["policy_matrix"]
    assert matrix["policy_found"] and (out / "bundle" / matrix["documents"][0]["file"]).is_file()
    sarif = json.loads((out / "report.sarif").read_text("utf-8"))
    assert sarif["runs"][0]["properties"]["policy_matrix"] == matrix


def test_scan_of_an_apk_without_a_policy(cli, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    result = cli("scan", str(LEGACY), "--category", "news", "--bundle", str(bundle), "--fail-on", "none")
    assert result.returncode == 0, result.stderr
    judgement = json.loads(result.stdout)
    assert judgement["policy_matrix"]["policy_found"] is False
    assert _verdicts(judgement)["policy_data_type_undeclared"] == "unchecked"
    assert not (bundle / "policy").exists() and _documents(bundle) == []
    assert "[policy] none collected" in result.stderr
