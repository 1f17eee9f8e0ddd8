"""The XLSX report's policy sheets: the declared-vs-observed matrix and the policy texts (pure).

The rows come from `policy_section` (the same ones HTML and Markdown print), so a lab
filtering the spreadsheet for "not declared" sees exactly the rows the printed report
flags. Statements, data types and SDKs share one sheet with a column saying which they
are, so one filter runs over the whole comparison; the documents get their own sheet,
because what pins each text (its SHA-256, whether it joined after the seal) is what a
court asks about first, and it has different columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apptest.report.labelling import Namer
from apptest.report.policy_section import policy_view

Table = tuple[list[str], list[list[Any]], list[int]]


# (column key in policy_section's rows, header label key or None for a raw header, width)
MATRIX_COLUMNS = (
    ("compared", "policy_col_compared", 16),
    ("id", None, 22),
    ("name", "policy_col_name", 24),
    ("status_label", "policy_col_status", 22),
    ("status", None, 12),
    ("declared", "policy_col_declared", 16),
    ("observed", "policy_col_observed", 22),
    ("actors", "policy_col_actors", 36),
    ("vendor", "vendor", 20),
    ("declared_types", "policy_col_declared_types", 28),
    ("missing_types", "policy_col_missing_types", 28),
    ("quote", "policy_col_quote", 60),
    ("where", "location", 30),
)


def matrix_table(view: Mapping[str, Any], t: Mapping[str, str]) -> Table:
    """One row per statement, data type and SDK; a single note row when there is no policy.

    The raw status id sits beside its printed label so a filter or a script does not
    depend on the report's language.
    """
    header = [t[label] if label else key for key, label, _ in MATRIX_COLUMNS]
    widths = [width for _, _, width in MATRIX_COLUMNS]
    if not view["found"]:
        return header, [[t["policy_none"]]], widths
    parts = [
        [{**r, "id": r["kind"], "name": r["label"], "compared": t["policy_statements"]} for r in view["statements"]],
        [{**r, "compared": t["data_types"]} for r in view["data_types"]],
        [{**r, "compared": t["sdk"]} for r in view["sdks"]],
    ]
    rows = [[r.get(key, "") for key, _, _ in MATRIX_COLUMNS] for part in parts for r in part]
    return header, rows, widths


def documents_table(view: Mapping[str, Any], namer: Namer, t: Mapping[str, str]) -> Table:
    """One row per policy text the judge read, with where it came from and what pins it.

    A text added to a sealed bundle says so in its own column: SHA256SUMS does not cover
    it, so its SHA-256 here is the reader's only anchor for it.
    """
    header = [
        t["policy_col_file"],
        t["policy_col_title"],
        t["policy_col_origin"],
        t["policy_col_source"],
        "SHA-256",
        t["policy_col_after_sealing"],
    ]
    rows = [
        [
            d["file"],
            d["title"] or "",
            namer.label("policy_origin_" + str(d["origin"]), str(d["origin"] or "")),
            d["source"],
            d["sha256"],
            t["policy_after_sealing"] if d["after_sealing"] else t["no"],
        ]
        for d in view["documents"]
    ]
    return header, rows, [34, 28, 16, 44, 66, 40]


def policy_tables(doc: Mapping[str, Any], namer: Namer, t: Mapping[str, str]) -> list[tuple[str, Table]]:
    """(sheet title, table) for each policy sheet; none for a judgement made before the matrix."""
    view = policy_view(doc, namer)
    if view is None:
        return []
    return [
        (t["sheet_policy"], matrix_table(view, t)),
        (t["sheet_policy_documents"], documents_table(view, namer, t)),
    ]
