"""Retest: set arithmetic on fingerprints, honest about what could not be rechecked."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from apptest.evidence import validate
from apptest.report.retest import compare
from tests.conftest import run_cli

from .conftest import EXAMPLE, finding, judgement


def fp(n: int) -> str:
    return f"{n:032x}"


def passed_judgement() -> dict[str, Any]:
    """No findings, and every rule ran (so an old finding that is gone counts as fixed)."""
    j = judgement([])
    for result in j["rule_results"]:
        result["verdict"] = "passed"
    return j


def test_fixed_still_new_not_rechecked_suppressed() -> None:
    old = judgement(
        [
            finding(fingerprint=fp(1)),
            finding(fingerprint=fp(2), severity="medium"),
            finding("forced_consent", fp(3)),
            finding(fingerprint=fp(4), severity="low"),
        ]
    )
    new = judgement([finding(fingerprint=fp(2), severity="high"), finding(fingerprint=fp(5), severity="low")])
    new["suppressed"] = [
        {
            "fingerprint": fp(4),
            "rule_id": "pre_consent_collection",
            "justification": "tested ok",
            "by": "QA",
            "until": None,
            "finding": finding(fingerprint=fp(4)),
        }
    ]
    result = compare(old, new, "high")
    assert validate("retest", result) == []
    status = {i["fingerprint"]: i["status"] for i in result["items"]}
    assert status == {fp(1): "fixed", fp(2): "still_present", fp(3): "not_rechecked", fp(4): "suppressed", fp(5): "new"}
    assert [i["status"] for i in result["items"]] == ["new", "still_present", "not_rechecked", "suppressed", "fixed"]
    still = next(i for i in result["items"] if i["status"] == "still_present")
    assert still["old_severity"] == "medium" and still["severity"] == "high"
    assert result["summary"]["blocking"] == 2 and not result["summary"]["passed"], "still present + not rechecked"
    assert compare(old, new, "none")["summary"]["passed"]


def test_only_low_findings_left_pass_a_high_threshold() -> None:
    old = judgement([finding(fingerprint=fp(1))])
    new = judgement([finding(fingerprint=fp(9), severity="low")])
    assert compare(old, new, "high")["summary"]["passed"]
    assert not compare(old, new, "low")["summary"]["passed"]


def test_order_is_deterministic() -> None:
    old = judgement([finding(fingerprint=fp(n), severity=s) for n, s in ((3, "low"), (1, "high"), (2, "medium"))])
    new = passed_judgement()
    first = [i["fingerprint"] for i in compare(old, new)["items"]]
    again = [i["fingerprint"] for i in compare(judgement(list(reversed(old["findings"]))), new)["items"]]
    assert first == again == [fp(1), fp(2), fp(3)]


def fixed_copy(tmp_path: Path) -> Path:
    """The example app after its fix: the Umeng SDK starts only after consent (08:30:09.5)."""
    target = tmp_path / "fixed"
    shutil.copytree(EXAMPLE, target)
    lines = (target / "observations.jsonl").read_text().splitlines()
    fixed = []
    for line in lines:
        record = json.loads(line)
        if record["id"] in ("o1", "o2"):
            record["ts"] = record["ts"].replace("08:30:01", "08:30:11")
        fixed.append(json.dumps(record, ensure_ascii=False))
    (target / "observations.jsonl").write_text("\n".join(fixed) + "\n")
    return target


@pytest.mark.slow
def test_retest_of_a_fixed_app_reports_the_fixes(tmp_path: Path) -> None:
    """Real judge, real CLI: the old bundle against the fixed one."""
    new = fixed_copy(tmp_path)
    out = tmp_path / "out"
    result = run_cli(
        "retest",
        str(EXAMPLE),
        str(new),
        "--category",
        "housing_rental_sale",
        "--format",
        "json,html,md",
        "-o",
        str(out),
    )
    retest = json.loads((out / "retest.json").read_text())
    by_rule: dict[str, set[str]] = {}
    for item in retest["items"]:
        by_rule.setdefault(item["rule_id"], set()).add(item["status"])
    assert by_rule["pre_consent_collection"] == {"fixed"}
    assert by_rule["third_party_before_consent"] == {"fixed"}
    location = [i["status"] for i in retest["items"] if i["data_types"] == ["location.precise"]]
    assert location and set(location) == {"still_present"}, "reading location was not part of the fix"
    assert retest["identity"]["same_package"]
    html = (out / "retest.html").read_text()
    assert "已整改" in html and "<script" not in html
    # what remains is medium: at the default threshold (high) the retest passes
    assert result.returncode == 0, result.stderr
    strict = run_cli("retest", str(EXAMPLE), str(new), "--category", "housing_rental_sale", "--fail-on", "medium")
    assert strict.returncode == 1
    assert json.loads(strict.stdout)["summary"]["still_present"] >= 1


@pytest.mark.slow
def test_retest_reads_saved_reports_and_takes_their_category(tmp_path: Path) -> None:
    report_dir = tmp_path / "old"
    done = run_cli(
        "report", str(EXAMPLE), "--category", "housing_rental_sale", "--format", "json", "-o", str(report_dir)
    )
    assert done.returncode == 0, done.stderr
    new = fixed_copy(tmp_path)
    result = run_cli("retest", str(report_dir / "report.json"), str(new))
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)["summary"]
    assert summary["fixed"] >= 2


def test_retest_usage_and_unreadable_exit_codes(tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    old.write_text(json.dumps(judgement()))
    assert run_cli("retest", str(old), str(old), "--fail-on", "severe").returncode == 2
    assert run_cli("retest", str(old), str(old), "--lang", "fr").returncode == 2
    assert run_cli("retest", str(old), str(tmp_path / "missing.json")).returncode == 3
    (tmp_path / "bad.json").write_text("{nope")
    assert run_cli("retest", str(old), str(tmp_path / "bad.json")).returncode == 3
    same = run_cli("retest", str(old), str(old))
    assert same.returncode == 1, "the same high finding is still present"
    assert json.loads(same.stdout)["summary"]["still_present"] == 1


def test_baseline_from_another_lab(tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    new = tmp_path / "new.json"
    old.write_text(json.dumps(judgement()))
    new.write_text(json.dumps(passed_judgement()))
    csv = tmp_path / "problems.csv"
    csv.write_text(
        "序号,条目,问题描述\n1,第三类第1项,同意前收集设备信息\n2,M1.1,无隐私政策\n3,X9.9,未知条目\n", encoding="gb18030"
    )
    result = run_cli("retest", str(old), str(new), "--baseline", str(csv))
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["baseline"]["rows"]
    assert [(r["item_id"], r["status"]) for r in rows] == [
        ("M3.1", "fixed"),
        ("M1.1", "not_checked"),
        ("X9.9", "not_checked"),
    ]
    assert rows[0]["problem"] == "同意前收集设备信息" and rows[0]["ref"] == "1"
    still = run_cli("retest", str(new), str(old), "--baseline", str(csv))
    assert still.returncode == 1
    assert json.loads(still.stdout)["baseline"]["rows"][0]["status"] == "still_present"


def test_retest_html_escapes(tmp_path: Path) -> None:
    from apptest.report.write import write_retest

    old = judgement([finding(fingerprint=fp(1), title={"zh": "<script>alert(1)</script>", "en": "x"})])
    written = write_retest(compare(old, judgement([])), "html,md", tmp_path)
    html = (tmp_path / "retest.html").read_text()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert {p.name for p in written} == {"retest.json", "retest.html", "retest.md"}
