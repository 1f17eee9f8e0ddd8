"""`apptest retest --baseline FILE.csv`: another lab's problem list, item by item.

A retest often follows another lab's test: the prosecutor holds that lab's list of
problems, each keyed by an item of the identification method (`M3.1`, "第三类第1项") or of
a MIIT notice (`N337-1`, `164-3`). Each row is answered from the retest's coverage table:

* **still present** — the item failed in the retest (a rule or a tester's manual result),
  or a finding cites it;
* **fixed** — the item passed (every rule for a fully automated item passed, or a tester
  recorded passed / not applicable);
* **not checked** — the retest could not decide (rules unchecked, a manual item with no
  manual result, or an item apptest does not know). Never read as fixed.

Labs export these lists from spreadsheets, so the reader accepts UTF-8 (with or without
BOM) and GB18030, a header row in Chinese or English, or no header at all (item, problem).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from apptest.errors import UnreadableInput

ITEM_HEADERS = (
    "item",
    "clause",
    "id",
    "条目",
    "条款",
    "认定方法条目",
    "对应条款",
    "认定条款",
    "问题编号",
    "编号",
    "检测项",
)
PROBLEM_HEADERS = ("problem", "description", "finding", "问题", "问题描述", "描述", "说明", "问题说明")
REF_HEADERS = ("ref", "no", "number", "序号", "问题序号")
_ZH_DIGITS = {"一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6"}
_M_ITEM = re.compile(r"^M?\s*([1-6])\s*[.．\-_ 、]\s*(\d{1,2})$", re.IGNORECASE)
_M_ZH = re.compile(r"^第?([一二三四五六1-6])类\s*第?(\d{1,2})项?$")
_N_ITEM = re.compile(r"^N?\s*(337|164)\s*(?:号文?)?\s*[\-_.、第\s]*\s*(\d{1,2})\s*(?:项|类问题|类)?$", re.IGNORECASE)


class BaselineError(UnreadableInput):
    """A baseline CSV that cannot be read (exit 3)."""


def normalise_item(text: str) -> str:
    """`3.1`, `m3-1`, `第三类第1项` -> `M3.1`; `337-1`, `N337 第1项` -> `N337-1`; others unchanged."""
    raw = text.strip()
    match = _M_ITEM.match(raw)
    if match:
        return f"M{match.group(1)}.{int(match.group(2))}"
    match = _M_ZH.match(raw)
    if match:
        return f"M{_ZH_DIGITS.get(match.group(1), match.group(1))}.{int(match.group(2))}"
    match = _N_ITEM.match(raw)
    if match:
        return f"N{match.group(1)}-{int(match.group(2))}"
    return raw


def _decode(data: bytes, path: Path) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BaselineError(f"{path}: not UTF-8 or GB18030 text")


def _column(header: Sequence[str], names: Sequence[str]) -> int | None:
    lowered = [h.strip().lower() for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return None


def read_baseline(path: Path) -> list[dict[str, Any]]:
    """Rows of {line, item, item_id, ref, problem}; a file without item ids is refused."""
    path = Path(path)
    try:
        text = _decode(path.read_bytes(), path)
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    dialect: Any
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [r for r in csv.reader(io.StringIO(text), dialect) if any(c.strip() for c in r)]
    if not rows:
        raise BaselineError(f"{path}: empty")
    item_col = _column(rows[0], ITEM_HEADERS)
    if item_col is not None:
        header, body, first_line = rows[0], rows[1:], 2
        problem_col = _column(header, PROBLEM_HEADERS)
        ref_col = _column(header, REF_HEADERS)
    else:
        body, first_line = rows, 1
        item_col, problem_col, ref_col = 0, 1, None
    out = []
    for number, row in enumerate(body, start=first_line):
        item = row[item_col].strip() if item_col < len(row) else ""
        if not item:
            raise BaselineError(f"{path}:{number}: no item id (give e.g. M3.1 or N337-1)")
        out.append(
            {
                "line": number,
                "item": item,
                "item_id": normalise_item(item),
                "ref": row[ref_col].strip() if ref_col is not None and ref_col < len(row) else "",
                "problem": row[problem_col].strip() if problem_col is not None and problem_col < len(row) else "",
            }
        )
    return out


def match_baseline(rows: Sequence[Mapping[str, Any]], new: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Answer each baseline row from the retest judgement (pure)."""
    coverage = {c["item"]: c for c in new.get("coverage") or []}
    citing: dict[str, list[str]] = {}
    for finding in new.get("findings") or []:
        for cite in finding.get("citations") or []:
            citing.setdefault(cite, []).append(finding["fingerprint"])
    out = []
    for row in rows:
        item = row["item_id"]
        cov = coverage.get(item)
        findings = sorted(set(citing.get(item, [])))
        basis: dict[str, Any] = {}
        if cov is not None:
            basis = {"coverage": cov.get("status"), "verdicts": dict(cov.get("verdicts") or {})}
            if cov.get("manual"):
                basis["manual"] = dict(cov["manual"])
        if findings or (cov is not None and cov.get("status") == "failed"):
            status = "still_present"
        elif cov is not None and cov.get("status") in ("passed", "not_applicable"):
            status = "fixed"
        else:
            status = "not_checked"
            if cov is None:
                basis = {"coverage": "unknown_item"}
        out.append({**row, "status": status, "basis": basis, "findings": findings})
    return out
