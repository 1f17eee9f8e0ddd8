"""`manifest.target`: a report of the demo says on its first page, in its language, that the
tested "phone" was a stand-in, without the lab having to say so in --meta."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from apptest.evidence import Bundle
from apptest.model import PhaseMark
from apptest.report.markdown import md_text
from apptest.report.write import prepare_document, render_document
from apptest.report.xlsx import render_xlsx

from .conftest import PACKAGE, SCRIPT, judgement

TARGET = {
    "kind": "stand-in",
    "description": {
        "zh": f"演示替身：在本机JVM上运行的租房App替身，不是真实的App或手机{SCRIPT}",
        "en": f"Demo stand-in: a rental app on the local JVM, not a real app or phone{SCRIPT}",
    },
}


def _doc(tmp_path: Path, knowledge: Any, target: dict[str, Any] | None) -> dict[str, Any]:
    manifest: dict[str, Any] = {"apk": {"package": PACKAGE, "sha256": "a" * 64}, "started": "2026-05-01T08:30:00.000Z"}
    if target is not None:
        manifest["target"] = target
    bundle = Bundle.create(tmp_path / "bundle", manifest)
    bundle.add_phase(PhaseMark(mark="launch", ts="2026-05-01T08:30:00.000Z"))
    bundle.seal()
    return prepare_document(judgement(), bundle.root, knowledge=knowledge)


@pytest.mark.parametrize(("lang", "other"), [("zh", "en"), ("en", "zh")])
def test_the_first_page_says_what_was_tested(tmp_path, knowledge, lang, other) -> None:
    doc = _doc(tmp_path, knowledge, TARGET)
    html = str(render_document(doc, "html", lang))
    cover = html[html.index('<header class="cover"') : html.index("</header>")]
    notice = cover[cover.index('id="target"') : cover.index('id="verdict"')]  # before the verdict
    assert TARGET["description"][lang].replace(SCRIPT, "") in notice
    assert "&lt;script&gt;" in notice and SCRIPT not in html
    assert TARGET["description"][other].replace(SCRIPT, "") not in html
    assert ("演示替身，不是真实的App或手机" if lang == "zh" else "demo stand-in, not a real app or phone") in notice

    markdown = str(render_document(doc, "md", lang))
    head = markdown.split("\n\n")[1]  # the block right under the title, before the verdict
    assert md_text(TARGET["description"][lang]) in head and head.startswith("> **")
    summary = load_workbook(io.BytesIO(render_xlsx(doc, lang))).worksheets[0]
    assert any(TARGET["description"][lang] in str(row[1]) for row in summary.iter_rows(values_only=True))


def test_no_target_no_notice(tmp_path, knowledge) -> None:
    doc = _doc(tmp_path, knowledge, None)
    assert 'id="target"' not in str(render_document(doc, "html", "zh"))
    assert not str(render_document(doc, "md", "zh")).split("\n\n")[1].startswith(">")


def test_the_demo_no_longer_puts_the_target_in_the_lab_details() -> None:
    from apptest.demo.run import demo_meta

    assert "test_target" not in demo_meta()
