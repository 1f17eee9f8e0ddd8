"""Another lab's problem list: item ids as labs write them, files as spreadsheets export them."""

from __future__ import annotations

from pathlib import Path

import pytest

from apptest.report.baseline import BaselineError, match_baseline, normalise_item, read_baseline

from .conftest import finding, judgement


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("M3.1", "M3.1"),
        ("m3.1", "M3.1"),
        ("3.1", "M3.1"),
        ("3-1", "M3.1"),
        ("M 6.05", "M6.5"),
        ("第三类第1项", "M3.1"),
        ("第6类第5项", "M6.5"),
        ("337-1", "N337-1"),
        ("N164-10", "N164-10"),
        ("337号文第2项", "N337-2"),
        ("N26-autostart", "N26-autostart"),
        # must not be read as an identification-method item
        ("7.1", "7.1"),
        ("M3", "M3"),
        ("GB35273-5.3", "GB35273-5.3"),
    ],
)
def test_normalise_item(text: str, item: str) -> None:
    assert normalise_item(text) == item


def test_headerless_utf8_bom_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes("M3.1;before consent\nN337-1;no consent\n".encode("utf-8-sig"))
    rows = read_baseline(path)
    assert [(r["item_id"], r["problem"], r["line"]) for r in rows] == [
        ("M3.1", "before consent", 1),
        ("N337-1", "no consent", 2),
    ]


def test_english_header_any_column_order(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text('description,item,no\n"sends IMEI, before consent",3.1,A-7\n')
    rows = read_baseline(path)
    assert rows == [
        {"line": 2, "item": "3.1", "item_id": "M3.1", "ref": "A-7", "problem": "sends IMEI, before consent"}
    ]


def test_missing_item_and_empty_file_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("item,problem\n,no id here\n")
    with pytest.raises(BaselineError, match=":2"):
        read_baseline(path)
    path.write_text("\n\n")
    with pytest.raises(BaselineError, match="empty"):
        read_baseline(path)


def test_match_uses_findings_and_coverage() -> None:
    rows = [
        {"line": n, "item": i, "item_id": i, "ref": "", "problem": ""}
        for n, i in enumerate(["M3.1", "N337-1", "M1.1", "M9.9"], start=1)
    ]
    j = judgement([finding(citations=["N337-1"])])
    j["coverage"][0]["status"] = "passed"  # the rule passed, yet a finding cites N337-1
    result = {r["item_id"]: r["status"] for r in match_baseline(rows, j)}
    assert result == {"M3.1": "fixed", "N337-1": "still_present", "M1.1": "not_checked", "M9.9": "not_checked"}
    j["coverage"][1]["manual"] = {"item": "M1.1", "verdict": "passed", "tester": "Li"}
    j["coverage"][1]["status"] = "passed"
    assert match_baseline(rows, j)[2]["status"] == "fixed", "a tester's manual result counts"
