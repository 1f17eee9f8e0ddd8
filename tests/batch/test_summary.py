"""Per-app rows from real report documents, the summary across apps, CSV and the HTML overview."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from apptest.batch_summary import CSV_COLUMNS, app_row, apps_at_or_above, csv_text, summarize
from apptest.knowledge import Knowledge
from apptest.report.batch_view import batch_labels, build_batch_view, render_batch_html
from apptest.report.write import prepare_document
from apptest.rules.analyze import analyze_bundle
from apptest.rules.uncategorized import analyze_uncategorized
from apptest.static.scan import scan_to_bundle
from tests.batch.conftest import BUILT


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """rental judged as ride-hailing and without a category; legacy22 as ride-hailing."""
    knowledge = Knowledge.load()
    root = tmp_path_factory.mktemp("judged")
    out = {}
    for name in ("rental", "legacy22"):
        bundle = root / name
        scan_to_bundle(BUILT / f"{name}.apk", knowledge, bundle)
        out[name] = prepare_document(analyze_bundle(bundle, knowledge, "ride_hailing"), bundle, knowledge=knowledge)
    out["rental_uncategorized"] = prepare_document(
        analyze_uncategorized(root / "rental", knowledge), root / "rental", knowledge=knowledge
    )
    return out


def _row(doc: dict[str, Any], name: str, **extra: Any) -> dict[str, Any]:
    return {"id": name, "apk": f"{name}.apk", "file": f"{name}.apk", "status": "ok", **app_row(doc), **extra}


def test_app_row_agrees_with_the_judgement_and_the_static_facts(docs: dict[str, dict[str, Any]]) -> None:
    doc = docs["rental"]
    row = app_row(doc)
    judgement = doc["judgement"]
    assert row["package"] == "com.example.rental"
    assert row["findings"] == judgement["summary"]["findings"]
    assert row["by_severity"] == judgement["summary"]["by_severity"]
    assert sum(r["count"] for r in row["rules"]) == row["findings"]
    assert [s["id"] for s in row["sdks"]] == sorted(s["id"] for s in doc["evidence"]["static"]["sdks"])
    # out-of-scope permissions: dangerous ones ride-hailing does not list; each of them is also
    # what the judge's excessive-permission rule reports when the permission reaches personal data
    necessary = set(doc["glossary"]["scope"]["permissions"])
    declared = {p["name"]: p for p in doc["evidence"]["static"]["permissions"]}
    assert row["out_of_scope_permissions"] == sorted(
        n for n, p in declared.items() if p["protection_level"] == "dangerous" and n not in necessary
    )
    flagged = {f["detail"]["group"]["permission"] for f in judgement["findings"]
               if f["rule_id"] == "excessive_permission_declared"}  # fmt: skip
    assert flagged <= set(row["out_of_scope_permissions"])
    assert "android.permission.ACCESS_FINE_LOCATION" not in row["out_of_scope_permissions"]
    assert row["verdict"] == "review"  # risks, no violation


def test_an_uncategorized_row_has_no_out_of_scope_verdict(docs: dict[str, dict[str, Any]]) -> None:
    row = app_row(docs["rental_uncategorized"])
    assert row["categories"] == [] and row["out_of_scope_permissions"] is None
    assert not any(r["rule_id"].startswith("excessive_permission") for r in row["rules"])
    assert any("no category given" in n["en"] for n in row["notes"])


def test_summary_counts_common_findings_and_sdks_and_failures(docs: dict[str, dict[str, Any]]) -> None:
    rows = [
        _row(docs["rental"], "a", seconds=1.5),
        _row(docs["rental"], "b", reused=True),
        _row(docs["legacy22"], "c"),
        {"id": "d", "apk": "d.apk", "status": "failed", "error": "unreadable: not a zip"},
        {"id": "e", "apk": "e.apk", "status": "not_run", "error": "not run (interrupted)"},
    ]
    summary = summarize(rows, {"interrupted": True}, ["com.missing"])
    assert summary["interrupted"] is True and summary["unmatched_packages"] == ["com.missing"]
    assert summary["counts"] | {"findings_by_severity": None} == {
        "apps": 5, "judged": 3, "reused": 1, "failed": 1, "not_run": 1, "uncategorized": 0, "with_scan_errors": 0,
        "by_verdict": {"review": 2, "fail": 1}, "findings_by_severity": None,
    }  # fmt: skip
    assert summary["failed"] == [{"id": "d", "apk": "d.apk", "error": "unreadable: not a zip"}]
    top = summary["top_findings"]
    assert [t["apps"] for t in top] == sorted((t["apps"] for t in top), reverse=True)
    by_rule = {t["rule_id"]: t for t in top}
    rental_rules = {r["rule_id"]: r["count"] for r in app_row(docs["rental"])["rules"]}
    legacy_rules = {r["rule_id"] for r in app_row(docs["legacy22"])["rules"]}
    for rule_id, count in rental_rules.items():
        assert by_rule[rule_id]["apps"] == 2 + (rule_id in legacy_rules)
        assert by_rule[rule_id]["findings"] >= 2 * count
    assert summary["top_sdks"][0]["apps"] == 2
    assert [r["id"] for r in summary["apps"]] == ["a", "b", "c", "d", "e"]  # input order kept


@pytest.mark.parametrize(("severity", "expected"), [("high", ["c"]), ("medium", ["a", "c"]), ("none", [])])
def test_fail_on_looks_at_judged_apps_only(docs: dict[str, dict[str, Any]], severity: str, expected: list[str]) -> None:
    rows = [_row(docs["rental"], "a"), _row(docs["legacy22"], "c"), {"id": "d", "apk": "d", "status": "failed"}]
    assert app_row(docs["rental"])["by_severity"]["high"] == 0 < app_row(docs["legacy22"])["by_severity"]["high"]
    assert apps_at_or_above(summarize(rows, {}), severity) == expected


def test_csv_has_one_line_per_app(docs: dict[str, dict[str, Any]]) -> None:
    rows = [_row(docs["rental"], "a", seconds=1.25), {"id": "d", "apk": "d.apk", "status": "failed", "error": "x"}]
    table = list(csv.reader(io.StringIO(csv_text(summarize(rows, {})))))
    assert tuple(table[0]) == CSV_COLUMNS
    first = dict(zip(CSV_COLUMNS, table[1], strict=True))
    assert first["package"] == "com.example.rental" and first["categories"] == "ride_hailing"
    assert "android.permission.CAMERA" in first["out_of_scope_permissions"].split("; ")
    assert first["seconds"] == "1.25"
    assert dict(zip(CSV_COLUMNS, table[2], strict=True))["error"] == "x"


def test_overview_is_inert_whatever_the_file_names(docs: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    evil = '<script>alert(1)</script>.apk'
    rows = [_row(docs["rental"], "a", file=evil, apk=evil, report="apps/a/report.json"),
            {"id": "b", "apk": "b<img src=x onerror=alert(2)>.apk", "status": "failed", "error": "<b>bad</b>"}]  # fmt: skip
    summary = summarize(rows, {"options": {"formats": ["json", "html"]}})
    html = render_batch_html(summary, "en")
    assert "<script>" not in html and "<img" not in html and "<b>bad" not in html
    assert "&lt;script&gt;" in html and 'href="apps/a/report.html"' in html
    view = build_batch_view(summary, "zh")
    assert view["apps"][0]["verdict_label"] == batch_labels()["batch_verdict_review"]["zh"]
    assert view["failed"][0]["error"] == "<b>bad</b>"  # escaped by the template, never by the view
