"""`apptest analyze`, `scan` and `profiles` as a user runs them: output, exit codes, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "tests/rules/cases/pre_consent_collection/imei_read_before_and_after_consent"
QUIET = ROOT / "tests/rules/cases/out_of_scope_collection/location_in_map"


def _one_line_error(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("apptest: error: "), result.stderr
    return lines[0]


def test_analyze_prints_the_judgement_and_fails_on_high(cli) -> None:
    result = cli("analyze", str(CASE), "--category", "新闻资讯类")
    assert result.returncode == 1, result.stderr
    judgement = json.loads(result.stdout)
    assert judgement["categories"][0]["id"] == "news"
    assert {"pre_consent_collection"} <= {f["rule_id"] for f in judgement["findings"]}
    assert len(judgement["rule_results"]) >= 20
    assert "bundle is unsealed" in judgement["bundle"]["notes"][0]["en"]


def test_fail_on_threshold_and_output_folder(cli, tmp_path) -> None:
    assert cli("analyze", str(CASE), "--category", "news", "--fail-on", "none").returncode == 0
    result = cli("analyze", str(QUIET), "--category", "map_navigation", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr  # only a medium needs_review finding: below high
    document = json.loads((tmp_path / "report.json").read_text())
    assert document["judgement"]["format"] == "apptest-judgement"
    assert cli("analyze", str(QUIET), "--category", "map_navigation", "--fail-on", "medium").returncode == 1


def test_report_formats_through_the_report_module(cli, tmp_path) -> None:
    result = cli("analyze", str(CASE), "--category", "news", "--format", "html,md", "-o", str(tmp_path))
    assert result.returncode == 1, result.stderr
    assert {p.name for p in tmp_path.iterdir()} >= {"report.json", "report.html", "report.md"}
    markdown = cli("analyze", str(CASE), "--category", "news", "--format", "md", "--fail-on", "none")
    assert markdown.returncode == 0 and markdown.stdout.strip()


def test_unknown_category_is_exit_3_with_close_matches(cli) -> None:
    result = cli("analyze", str(CASE), "--category", "newz")
    assert result.returncode == 3
    assert "did you mean news" in _one_line_error(result)


def test_manual_results_with_a_zipped_bundle_is_exit_3(cli, tmp_path) -> None:
    from apptest.bundlezip import zip_bundle

    archive = zip_bundle(CASE, tmp_path / "bundle.zip")
    (tmp_path / "shot.png").write_bytes(b"png")
    manual = tmp_path / "manual.yaml"
    manual.write_text(
        yaml.safe_dump({"results": [{"item": "M1.3", "verdict": "passed", "tester": "T", "evidence": ["shot.png"]}]})
    )
    result = cli("analyze", str(archive), "--category", "news", "--manual", str(manual))
    assert result.returncode == 3
    assert "unzip" in _one_line_error(result) and result.stdout == ""


def test_unreadable_bundle_is_exit_3(cli, tmp_path) -> None:
    result = cli("analyze", str(tmp_path), "--category", "news")
    assert result.returncode == 3
    assert "manifest.json" in _one_line_error(result)


def test_usage_errors_are_exit_2(cli) -> None:
    assert cli("analyze", str(CASE), "--category", "news", "--format", "pdf").returncode == 2
    assert cli("analyze", str(CASE), "--category", "news", "--format", "xlsx").returncode == 2
    assert cli("analyze", str(CASE), "--category", "news", "--fail-on", "severe").returncode == 2


def test_suppress_from_the_command_line(cli, tmp_path) -> None:
    first = json.loads(cli("analyze", str(CASE), "--category", "news").stdout)
    waivers = {
        "suppressions": [
            {"fingerprint": f["fingerprint"], "justification": "accepted by the lab for this retest"}
            for f in first["findings"]
            if f["severity"] == "high"
        ]
    }
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(waivers))
    result = cli("analyze", str(CASE), "--category", "news", "--suppress", str(tmp_path / "s.yaml"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["suppressed"]


def test_hand_written_example_bundle(cli) -> None:
    result = cli("analyze", "apptest/data/example_bundle", "--category", "housing_rental_sale", "--fail-on", "none")
    assert result.returncode == 0, result.stderr
    judgement = json.loads(result.stdout)
    pre = [f for f in judgement["findings"] if f["rule_id"] == "pre_consent_collection"]
    assert {o for f in pre for o in f["observations"]} == {"o1", "o2"}
    assert not judgement["bundle"]["sealed"]
    schema = json.loads((ROOT / "apptest/schemas/judgement.schema.json").read_text())
    Draft202012Validator(schema).validate(judgement)


def test_scan_judges_static_evidence_only(cli, tmp_path) -> None:
    bundle = tmp_path / "bundle"
    result = cli("scan", "apptest/data/sample.apk", "--category", "news", "--bundle", str(bundle), "--fail-on", "none")
    assert result.returncode == 0, result.stderr
    judgement = json.loads(result.stdout)
    verdicts = {r["rule_id"]: r["verdict"] for r in judgement["rule_results"]}
    assert verdicts["pre_consent_collection"] == "unchecked"
    assert verdicts["excessive_permission_declared"] in ("failed", "passed")
    assert verdicts["dynamic_evidence_missing"] == "failed"
    assert (bundle / "static.json").exists() and (bundle / "observations.jsonl").stat().st_size > 0


def test_profiles_list_show_validate(cli, tmp_path) -> None:
    listed = cli("profiles", "list", "--format", "json")
    assert listed.returncode == 0 and len(json.loads(listed.stdout)) == 39
    shown = cli("profiles", "show", "地图导航类")
    assert shown.returncode == 0 and "location.precise" in shown.stdout
    assert cli("profiles", "show", "permission_reprompt").returncode == 0
    assert "profiles OK" in cli("profiles", "validate").stdout
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "lab_rule.yaml").write_text("id: lab_rule\nseverity: [\n")
    broken = cli("profiles", "validate", str(tmp_path))
    assert broken.returncode == 3
    assert str(tmp_path / "rules" / "lab_rule.yaml") in _one_line_error(broken)
