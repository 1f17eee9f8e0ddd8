"""The judge's own sentences (notes, missing evidence, limits) print in the report's language,
in every format; a report.json from before they were bilingual prints its strings as they are."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from apptest.report.document import validate_document
from apptest.report.markdown import md_text, render_markdown, render_retest_markdown
from apptest.report.retest import compare
from apptest.report.write import render_document
from apptest.report.xlsx import render_xlsx

from .conftest import finding, judgement

NOTE = {"zh": "证据包未封存：完整性未得到证明", "en": "bundle is unsealed: its integrity is not proven"}
MISSING = {"zh": "测试中的拒绝操作（consent_refused 标记）", "en": "a refusal in the test (consent_refused mark)"}
LIMIT = {"zh": "2 个主机的通信内容无法读取：a.example", "en": "content not readable for 2 host(s): a.example"}
OLD_NOTE = "no consent mark in phases.jsonl: every observation was judged as before consent"


def _judgement(note: Any = NOTE, missing: Any = MISSING, limit: Any = LIMIT) -> dict[str, Any]:
    found = finding(detail={"group": {"data_type": "device.android_id"}, "limits": [limit]})
    out = judgement([found])
    out["bundle"] = {**out["bundle"], "notes": [note]}
    for result in out["rule_results"]:
        if result["verdict"] == "unchecked":
            result["missing_evidence"] = [missing]
    return out


@pytest.fixture
def doc(hostile_bundle, knowledge) -> dict[str, Any]:
    from apptest.report.write import prepare_document

    return prepare_document(_judgement(), hostile_bundle.root, knowledge=knowledge)


def _xlsx_text(doc: dict[str, Any], lang: str) -> str:
    wb = load_workbook(io.BytesIO(render_xlsx(doc, lang)))
    return "\n".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None)


@pytest.mark.parametrize("fmt", ["html", "md", "xlsx"])
@pytest.mark.parametrize(("lang", "other"), [("zh", "en"), ("en", "zh")])
def test_notes_missing_evidence_and_limits_in_the_report_language(doc, fmt, lang, other) -> None:
    text = _xlsx_text(doc, lang) if fmt == "xlsx" else str(render_document(doc, fmt, lang))
    wanted = [NOTE, LIMIT] if fmt == "md" else [NOTE, LIMIT, MISSING]  # Markdown has no rule table
    for sentence in wanted:
        assert sentence[lang] in text, (fmt, lang, sentence)
        assert sentence[other] not in text, (fmt, lang, sentence)


def test_a_report_written_with_plain_strings_still_renders(hostile_bundle, knowledge) -> None:
    from apptest.report.write import prepare_document

    old = prepare_document(
        _judgement(note=OLD_NOTE, missing="runtime hook observations", limit="the APK is packed (Jiagu)"),
        hostile_bundle.root,
        knowledge=knowledge,
    )
    assert validate_document(old) == []
    for lang in ("zh", "en"):
        html = str(render_document(old, "html", lang))
        assert OLD_NOTE in html and "runtime hook observations" in html and "the APK is packed (Jiagu)" in html
        assert OLD_NOTE in render_markdown(old, lang)
        assert "runtime hook observations" in _xlsx_text(old, lang)


def test_a_finding_not_rechecked_says_why_in_the_retest_language() -> None:
    before = judgement([finding()])
    after = judgement([])
    for result in after["rule_results"]:
        result["verdict"] = "unchecked"
        result["missing_evidence"] = [MISSING]
    retest = compare(before, after)
    (item,) = retest["items"]
    assert item["status"] == "not_rechecked" and item["missing_evidence"] == [MISSING]
    from apptest.report.html import render_view
    from apptest.report.retest_view import build_retest_view

    for lang, other in (("zh", "en"), ("en", "zh")):
        page = render_view("retest.html.j2", build_retest_view(retest, lang))
        assert MISSING[lang] in page and MISSING[other] not in page
        markdown = render_retest_markdown(retest, lang)
        assert md_text(MISSING[lang]) in markdown and md_text(MISSING[other]) not in markdown
