"""report.json: the canonical document, versioned, and enough on its own to re-render."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from apptest.evidence import validate
from apptest.report.document import ReportInputError, build_document, judgement_of, load_document, load_meta
from apptest.report.html import render_html
from apptest.report.write import FORMATS, prepare_document, render_document, write_reports

from .conftest import PACKAGE, judgement


def test_document_validates_and_keeps_the_judgement(hostile_doc: dict[str, Any]) -> None:
    assert validate("report", hostile_doc) == []
    assert hostile_doc["judgement"]["findings"][0]["rule_id"] == "pre_consent_collection"
    assert hostile_doc["evidence"]["integrity"]["sealed"] is True
    assert hostile_doc["glossary"]["citations"]["M3.1"]["ref"]["zh"] == "第三类第1项"
    assert "device.android_id" in hostile_doc["glossary"]["data_types"]
    assert "umeng_analytics" in hostile_doc["glossary"]["sdks"]
    assert judgement_of(hostile_doc) == hostile_doc["judgement"]


def test_a_judgement_breaking_the_contract_is_refused() -> None:
    broken = judgement()
    del broken["findings"][0]["fingerprint"]
    with pytest.raises(ReportInputError, match="fingerprint"):
        build_document(broken)


def test_saved_report_renders_the_same_without_bundle_or_profiles(
    tmp_path: Path, hostile_doc: dict[str, Any], hostile_bundle: Any
) -> None:
    written = write_reports(hostile_doc, None, "json", tmp_path / "out")
    assert [p.name for p in written] == ["report.json"]
    import shutil

    shutil.rmtree(hostile_bundle.root)  # years later: the bundle is in an archive elsewhere
    saved = load_document(tmp_path / "out" / "report.json")
    assert render_html(saved, "zh") == render_html(hostile_doc, "zh")


def test_every_format_is_written(tmp_path: Path, hostile_doc: dict[str, Any]) -> None:
    written = write_reports(hostile_doc, None, "html,md,sarif,xlsx", tmp_path)
    assert sorted(p.name for p in written) == sorted(f"report.{f}" for f in FORMATS)
    assert all(p.stat().st_size > 200 for p in written)
    assert not list(tmp_path.glob("*.tmp"))


def test_judgement_and_bundle_of_different_apps_are_refused(hostile_bundle: Any, knowledge: Any) -> None:
    other = judgement()
    other["bundle"]["package"] = "com.other.app"
    with pytest.raises(ReportInputError, match=r"com\.other\.app"):
        prepare_document(other, hostile_bundle.root, knowledge=knowledge)
    assert (
        prepare_document(judgement(), hostile_bundle.root, knowledge=knowledge)["judgement"]["bundle"]["package"]
        == PACKAGE
    )


def test_meta_file(tmp_path: Path) -> None:
    path = tmp_path / "meta.yaml"
    path.write_text(
        "lab: 某检测中心\nreport_number: AT-2026-001\ndownload_date: 2026-04-30\napp_name: {zh: 示例, en: Demo}\n"
    )
    assert load_meta(path) == {
        "lab": "某检测中心",
        "report_number": "AT-2026-001",
        "download_date": "2026-04-30",
        "app_name": {"zh": "示例", "en": "Demo"},
    }
    path.write_text("lab: [a, b]\n")
    with pytest.raises(ReportInputError, match="lab"):
        load_meta(path)


def test_wrong_version_and_foreign_json_are_refused(tmp_path: Path, hostile_doc: dict[str, Any]) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps({**hostile_doc, "format_version": 99}))
    with pytest.raises(ReportInputError, match="format_version"):
        load_document(path)
    with pytest.raises(ReportInputError):
        judgement_of({"hello": 1})


def test_json_rendering_is_the_document(hostile_doc: dict[str, Any]) -> None:
    assert json.loads(render_document(hostile_doc, "json")) == hostile_doc
