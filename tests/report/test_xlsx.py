"""XLSX: the sheets labs filter, and no formula a captured value could smuggle in."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from openpyxl import load_workbook

from apptest.report.xlsx import render_xlsx


def formula_doc(doc: dict[str, Any]) -> dict[str, Any]:
    doc = dict(doc)
    evidence = dict(doc["evidence"])
    observations = [dict(o) for o in evidence["observations"]]
    observations[1]["detail"] = {
        **observations[1]["detail"],
        "url": '=HYPERLINK("http://x","click")',
        "excerpt": "+cmd|' /C calc'!A0",
    }
    evidence["observations"] = observations
    doc["evidence"] = evidence
    doc["meta"] = {"lab": "@SUM(1+1)", "report_number": "-2+3"}
    return doc


def test_sheets_and_rows(hostile_doc: dict[str, Any]) -> None:
    wb = load_workbook(io.BytesIO(render_xlsx(hostile_doc, "zh")))
    assert wb.sheetnames == ["摘要", "问题", "观察记录", "SDK", "权限", "检测项覆盖", "规则", "测试阶段"]
    findings = list(wb["问题"].iter_rows(values_only=True))
    assert findings[1][3] == "pre_consent_collection" and findings[1][-1] == "f" * 32
    observations = list(wb["观察记录"].iter_rows(values_only=True))
    assert [r[0] for r in observations[1:]] == ["h1", "h2", "h3"]
    stack = observations[1][observations[0].index("stack")]
    assert "com.umeng.commonsdk.Tracker.f" in stack and "\n" in stack
    assert observations[1][3] == "同意前" and observations[3][3] == "已同意"
    en = load_workbook(io.BytesIO(render_xlsx(hostile_doc, "en")))
    assert en.sheetnames[:3] == ["Summary", "Findings", "Observations"]


def test_captured_formulas_stay_text(hostile_doc: dict[str, Any]) -> None:
    data = render_xlsx(formula_doc(hostile_doc), "en")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
    assert sheets and not any(b"<f>" in s or b"<f " in s for s in sheets), "no cell is a formula"
    wb = load_workbook(io.BytesIO(data))
    values = [c.value for ws in wb for row in ws.iter_rows() for c in row]
    assert '=HYPERLINK("http://x","click")' in values and "@SUM(1+1)" in values and "-2+3" in values
