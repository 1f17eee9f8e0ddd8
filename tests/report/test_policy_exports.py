"""The declared-vs-observed matrix in the XLSX and SARIF exports, read back as a lab would.

The bundle holds a real policy (the rental fixture's, which declares the contacts and
never mentions the clipboard) and two runtime reads: contacts (declared and observed)
and the clipboard (observed, never declared).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from apptest.evidence import Bundle
from apptest.policy.collect import collect_file
from apptest.report.i18n import labels
from apptest.report.sarif import render_sarif
from apptest.report.write import prepare_document
from apptest.report.xlsx import render_xlsx
from apptest.rules.judge import judge, read_evidence, resolve_categories
from tests.policy.conftest import RENTAL_POLICY
from tests.policy.test_consistency import APP, make_bundle, reads


def _document(root: Path, knowledge: Any) -> dict[str, Any]:
    judgement = judge(read_evidence(root), knowledge, resolve_categories(knowledge, "news"))
    return prepare_document(judgement, root, knowledge=knowledge)


@pytest.fixture(scope="module")
def document(tmp_path_factory, knowledge) -> dict[str, Any]:
    root = make_bundle(
        tmp_path_factory.mktemp("exports") / "bundle", [reads(10, "clipboard"), reads(11, "contacts", APP)]
    )
    collect_file(root, RENTAL_POLICY, knowledge)
    return _document(root, knowledge)


def _rows(data: bytes, sheet: str) -> list[dict[str, Any]]:
    """A sheet as dicts keyed by its header row."""
    rows = list(load_workbook(io.BytesIO(data))[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_xlsx_matrix_sheet(document: dict[str, Any], lang: str) -> None:
    t = labels(lang)
    data = render_xlsx(document, lang)
    names = load_workbook(io.BytesIO(data)).sheetnames
    assert names.index(t["sheet_permissions"]) < names.index(t["sheet_policy"]) < names.index(t["sheet_coverage"])
    rows = _rows(data, t["sheet_policy"])
    assert list(rows[0])[:5] == [t["policy_col_compared"], "id", t["policy_col_name"], t["policy_col_status"], "status"]
    by_id = {(r[t["policy_col_compared"]], r["id"]): r for r in rows}
    contacts = by_id[(t["data_types"], "contacts")]
    assert contacts["status"] == "declared" and contacts[t["policy_col_status"]] == t["policy_status_declared"]
    assert contacts[t["policy_col_declared"]] == t["policy_declared_affirmed"]
    assert contacts[t["policy_col_observed"]] == t["level_called"]
    assert "通讯录" in contacts[t["policy_col_quote"]] and contacts[t["location"]].startswith("policy/")
    clipboard = by_id[(t["data_types"], "clipboard")]
    assert clipboard["status"] == "undeclared" and clipboard[t["policy_col_status"]] == t["policy_status_undeclared"]
    assert clipboard[t["policy_col_declared"]] == t["policy_declared_none"]
    assert clipboard[t["policy_col_observed"]] == t["level_called"] and not clipboard[t["policy_col_quote"]]
    assert by_id[(t["policy_statements"], "contact")]["status"] == "stated"
    assert {r["status"] for r in rows if r[t["policy_col_compared"]] == t["sdk"]} <= {
        "listed",
        "unlisted",
        "unclear",
        "library",
    }
    matrix = document["judgement"]["policy_matrix"]
    assert len(rows) == len(matrix["data_types"]) + len(matrix["sdks"]) + len(matrix["statements"])


def test_xlsx_documents_sheet_before_sealing(document: dict[str, Any]) -> None:
    t = labels("en")
    (row,) = _rows(render_xlsx(document, "en"), t["sheet_policy_documents"])
    (doc,) = document["judgement"]["policy_matrix"]["documents"]
    assert row[t["policy_col_file"]] == doc["file"] and row["SHA-256"] == doc["sha256"]
    assert row[t["policy_col_origin"]] == t["policy_origin_given"]
    assert row[t["policy_col_after_sealing"]] == t["no"]


def test_xlsx_and_sarif_say_a_policy_came_after_sealing(tmp_path: Path, knowledge) -> None:
    root = make_bundle(tmp_path / "bundle", [reads(10, "clipboard")])
    Bundle.open(root).seal()
    collected = collect_file(root, RENTAL_POLICY, knowledge)
    document = _document(root, knowledge)
    for lang in ("zh", "en"):
        t = labels(lang)
        (row,) = _rows(render_xlsx(document, lang), t["sheet_policy_documents"])
        assert row[t["policy_col_after_sealing"]] == t["policy_after_sealing"]
        assert row["SHA-256"] == collected.sha256 and row[t["policy_col_file"]].startswith("derived/policy/")
    (doc,) = render_sarif(document)["runs"][0]["properties"]["policy_matrix"]["documents"]
    assert doc["after_sealing"] is True and doc["sha256"] == collected.sha256


def test_xlsx_without_a_policy_says_so(tmp_path: Path, knowledge) -> None:
    document = _document(make_bundle(tmp_path / "bundle", [reads(10, "clipboard")]), knowledge)
    t = labels("en")
    data = render_xlsx(document, "en")
    rows = list(load_workbook(io.BytesIO(data))[t["sheet_policy"]].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [t["policy_none"]]
    assert _rows(data, t["sheet_policy_documents"]) == []


def test_xlsx_of_a_judgement_without_a_matrix_has_no_policy_sheets(document: dict[str, Any]) -> None:
    old = dict(document)
    old["judgement"] = {k: v for k, v in document["judgement"].items() if k != "policy_matrix"}
    names = load_workbook(io.BytesIO(render_xlsx(old, "en"))).sheetnames
    assert "Policy vs observed" not in names and "Policy texts" not in names
    assert "policy_matrix" not in render_sarif(old)["runs"][0]["properties"]


def test_sarif_carries_the_matrix(document: dict[str, Any]) -> None:
    log = json.loads(json.dumps(render_sarif(document, "en"), ensure_ascii=False))
    matrix = log["runs"][0]["properties"]["policy_matrix"]
    assert matrix == document["judgement"]["policy_matrix"]
    rows = {r["data_type"]: r for r in matrix["data_types"]}
    assert rows["contacts"]["status"] == "declared" and rows["clipboard"]["status"] == "undeclared"
    assert [d["after_sealing"] for d in matrix["documents"]] == [False]
