"""`apptest report` as a user runs it: formats, languages, inputs, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import run_cli

from .conftest import EXAMPLE, build_hostile_bundle, judgement

pytestmark = pytest.mark.slow


def test_real_judgement_of_the_example_bundle(tmp_path: Path) -> None:
    """Bundle in, the judge runs, every format out — the path `apptest analyze` users take."""
    meta = tmp_path / "meta.yaml"
    meta.write_text("lab: 示例检测实验室\nreport_number: AT-2026-0001\napp_name: 示例租房\nstore: 应用宝\n")
    out = tmp_path / "out"
    result = run_cli(
        "report",
        str(EXAMPLE),
        "--category",
        "housing_rental_sale",
        "--format",
        "html,json,md,sarif,xlsx",
        "-o",
        str(out),
        "--meta",
        str(meta),
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads((out / "report.json").read_text())
    assert doc["format"] == "apptest-report" and doc["judgement"]["format"] == "apptest-judgement"
    rules = {f["rule_id"] for f in doc["judgement"]["findings"]}
    assert "pre_consent_collection" in rules
    html = (out / "report.html").read_text()
    assert "示例检测实验室" in html and "AT-2026-0001" in html and "应用宝" in html
    assert "征得同意前收集个人信息" in html and 'class="timeline"' in html
    assert "ulogs.umeng.com" in html and "<mark>" in html, "the request excerpt, value highlighted"
    items = [r["item"] for r in doc["judgement"]["coverage"] if r["item"][:1] == "M" and r["item"][1:2].isdigit()]
    assert len(items) == 31, "the 31 identification-method items are all listed"
    sarif = json.loads((out / "report.sarif").read_text())
    assert len(sarif["runs"][0]["results"]) == len(doc["judgement"]["findings"])
    assert load_workbook(out / "report.xlsx").sheetnames[0] == "摘要"


def test_rerender_saved_report_in_english(tmp_path: Path) -> None:
    bundle = build_hostile_bundle(tmp_path / "b")
    judged = tmp_path / "j.json"
    j = judgement()
    j["bundle"]["path"] = str(bundle.root)
    judged.write_text(json.dumps(j))
    first = run_cli("report", str(judged), "--format", "json", "-o", str(tmp_path / "one"))
    assert first.returncode == 0, first.stderr
    again = run_cli("report", str(tmp_path / "one" / "report.json"), "--format", "html", "--lang", "en")
    assert again.returncode == 0, again.stderr
    assert 'lang="en"' in again.stdout and "Personal information collected before consent" in again.stdout
    assert bundle.sums_digest() in again.stdout


def test_json_to_stdout_without_output(tmp_path: Path) -> None:
    judged = tmp_path / "j.json"
    judged.write_text(json.dumps(judgement()))
    result = run_cli("report", str(judged))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["format"] == "apptest-report"


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--format", "pdf"], 2),
        (["--lang", "fr"], 2),
        (["--format", "xlsx"], 2),  # binary to stdout
        (["--format", "html,md"], 2),  # several formats need -o
    ],
)
def test_usage_errors(tmp_path: Path, args: list[str], code: int) -> None:
    judged = tmp_path / "j.json"
    judged.write_text(json.dumps(judgement()))
    assert run_cli("report", str(judged), *args).returncode == code


def test_unreadable_inputs(tmp_path: Path) -> None:
    assert run_cli("report", str(tmp_path / "missing.json")).returncode == 3
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    assert run_cli("report", str(bad)).returncode == 3
    broken = judgement()
    del broken["findings"][0]["severity"]
    bad.write_text(json.dumps(broken))
    result = run_cli("report", str(bad))
    assert result.returncode == 3 and "severity" in result.stderr and "Traceback" not in result.stderr
    bundle = build_hostile_bundle(tmp_path / "b")
    no_category = run_cli("report", str(bundle.root))
    assert no_category.returncode == 2 and "--category" in no_category.stderr
