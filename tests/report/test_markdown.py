"""Markdown for issue trackers: captured text never becomes markup there."""

from __future__ import annotations

from typing import Any

import pytest

from apptest.report.markdown import md_code, md_text, render_markdown

from .conftest import IMG, SCRIPT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ulogs.umeng.com", "ulogs.umeng.com"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("[click](javascript:alert(1))", "\\[click\\](javascript:alert(1))"),
        ("a|b", "a\\|b"),
        ("# title", "\\# title"),
        ("1. item", "1\\. item"),
        ("**bold** _it_ ~~s~~", "\\*\\*bold\\*\\* \\_it\\_ \\~\\~s\\~\\~"),
        ("two\nlines", "two lines"),
    ],
)
def test_md_text(text: str, expected: str) -> None:
    assert md_text(text) == expected


def test_md_code_fence_outgrows_backticks() -> None:
    assert md_code("a`b") == "``a`b``"
    assert md_code("`x`") == "`` `x` ``"
    assert md_code("a|b", table=True) == "`a\\|b`"


def test_report_markdown_has_findings_and_no_live_markup(hostile_doc: dict[str, Any]) -> None:
    text = render_markdown(hostile_doc, "zh")
    assert "征得同意前收集个人信息" in text and "同意后再初始化SDK。" in text
    outside_code = "".join(part for n, part in enumerate(text.split("`")) if n % 2 == 0)
    assert "<script" not in outside_code and "<img" not in outside_code
    assert SCRIPT not in outside_code and IMG not in outside_code
    assert hostile_doc["evidence"]["integrity"]["sums_sha256"] in text
