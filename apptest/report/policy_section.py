"""The declared-vs-observed section: the judgement's `policy_matrix` as printable rows (pure).

Labs check every collected data type and every embedded SDK against the privacy policy and
its third-party list, and a reader of the report wants that check as a table: what the
policy says (with the sentence, so nobody has to trust the tool's reading), beside what
the APK contains, what was called at run time and what was sent. The judge computed the
statuses (`apptest/rules/policy_matrix.py`); this module only names and orders them, so
HTML and Markdown print the same rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apptest.report.labelling import Namer

MAX_SENTENCE = 160
LEVELS = ("present", "called", "sent")


def _quote(quotes: list[Mapping[str, Any]] | None) -> str:
    """The first quoted sentence, cut to a readable length."""
    if not quotes:
        return ""
    text = str(quotes[0].get("sentence") or "")
    return text if len(text) <= MAX_SENTENCE else text[: MAX_SENTENCE - 1] + "…"


def _where(quotes: list[Mapping[str, Any]] | None) -> str:
    if not quotes:
        return ""
    first = quotes[0]
    return f"{first.get('file') or ''} @{first.get('offset')}"


def _levels(namer: Namer, observed: Mapping[str, Any]) -> str:
    shown = [namer.label("level_" + lv, lv) for lv in LEVELS if observed.get(lv)]
    return " / ".join(shown) if shown else namer.label("policy_not_observed")


def data_type_rows(matrix: Mapping[str, Any], namer: Namer) -> list[dict[str, Any]]:
    rows = []
    for row in matrix.get("data_types") or []:
        actors = "; ".join(
            f"{namer.actor(a)}: {namer.label('policy_status_' + str(a.get('status')), str(a.get('status')))}"
            for a in row.get("actors") or []
        )
        rows.append(
            {
                "id": row["data_type"],
                "name": namer.data_type(row["data_type"]),
                "status": row["status"],
                "status_label": namer.label("policy_status_" + row["status"], row["status"]),
                "flag": row["status"] in ("undeclared", "other_party", "unclear"),
                "declared": namer.label("policy_declared_" + row["declared"], row["declared"]),
                "observed": _levels(namer, row.get("observed") or {}),
                "actors": actors,
                "quote": _quote(row.get("quotes")),
                "where": _where(row.get("quotes")),
            }
        )
    return rows


def sdk_rows(matrix: Mapping[str, Any], namer: Namer) -> list[dict[str, Any]]:
    rows = []
    for row in matrix.get("sdks") or []:
        rows.append(
            {
                "id": row["sdk"],
                "name": namer.sdk(row["sdk"]),
                "vendor": namer.vendor(row["sdk"]),
                "status": row["status"],
                "status_label": namer.label("policy_status_" + row["status"], row["status"]),
                "flag": row["status"] in ("unlisted", "unclear"),
                "observed": _levels(namer, row.get("observed") or {}),
                "declared_types": namer.data_types(row.get("data_types_declared")),
                "missing_types": namer.data_types(row.get("data_types_not_declared")),
                "quote": _quote(row.get("quotes")),
                "where": _where(row.get("quotes")),
            }
        )
    return rows


def statement_rows(matrix: Mapping[str, Any], namer: Namer) -> list[dict[str, Any]]:
    rows = []
    for kind, entry in (matrix.get("statements") or {}).items():
        status = str(entry.get("status"))
        rows.append(
            {
                "kind": kind,
                "label": namer.label("policy_statement_" + kind, kind),
                "status": status,
                "status_label": namer.label("policy_status_" + status, status),
                "flag": status != "stated",
                "quote": _quote(entry.get("quotes")),
            }
        )
    return rows


def policy_view(doc: Mapping[str, Any], namer: Namer) -> dict[str, Any] | None:
    """The section's rows, or None for a judgement made before the matrix existed.

    A document added to a sealed bundle (`after_sealing`) keeps its SHA-256 beside it: the
    seal does not cover that text, so the report is where a reader finds what pins it.
    """
    matrix = (doc.get("judgement") or {}).get("policy_matrix")
    if not isinstance(matrix, Mapping):
        return None
    return {
        "found": bool(matrix.get("policy_found")),
        "documents": [
            {
                "file": d.get("file"),
                "title": d.get("title"),
                "origin": d.get("origin"),
                "source": d.get("source"),
                "sha256": d.get("sha256"),
                "after_sealing": bool(d.get("after_sealing")),
            }
            for d in matrix.get("documents") or []
        ],
        "statements": statement_rows(matrix, namer),
        "data_types": data_type_rows(matrix, namer),
        "sdks": sdk_rows(matrix, namer),
    }
