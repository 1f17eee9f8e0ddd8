"""XLSX for labs and prosecutors, who work in spreadsheets: one sheet per table.

Sheets: summary, findings, observations (with stacks), SDKs, permissions, the privacy
policy declared vs observed and the policy texts (when the judgement has its
`policy_matrix`; `xlsx_policy.py`), coverage, rules, phases — all from the report document,
through the same row builders as the HTML report, so a filtered spreadsheet and the
printed report agree.

Captured text is hostile here too: a value starting with `=`, `+`, `-` or `@` is a formula
to a spreadsheet (CSV/formula injection), so every text cell is stored explicitly as a
string, never as a formula; characters XML forbids are dropped and cells are cut at
Excel's 32,767-character limit.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from apptest.model import parse_ts
from apptest.report import checks, inventory, tables
from apptest.report.context import finding_views, start_moment, verdict
from apptest.report.i18n import labels
from apptest.report.labelling import Namer
from apptest.report.timeline import consent_at, rel_label
from apptest.report.xlsx_policy import policy_tables

MAX_CELL = 32767
HEADER_FILL = PatternFill("solid", fgColor="E8ECF0")
WRAP = Alignment(wrap_text=True, vertical="top")


def cell_text(value: Any) -> Any:
    """A safe cell value: numbers and booleans as they are, everything else as clean text."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple):
        value = "\n".join(str(v) for v in value)
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return text[:MAX_CELL]


def _sheet(
    wb: Workbook, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[int] | None = None
) -> Worksheet:
    ws = wb.create_sheet(title[:31])
    ws.append([cell_text(h) for h in header])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.data_type = "s"
    for row in rows:
        ws.append([cell_text(v) for v in row])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
                cell.alignment = WRAP
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    for n, width in enumerate(widths or [18] * len(header), start=1):
        ws.column_dimensions[get_column_letter(n)].width = width
    return ws


def _summary_rows(doc: Mapping[str, Any], namer: Namer, t: Mapping[str, str]) -> list[list[Any]]:
    outcome = verdict(doc, namer)
    integ = tables.integrity(doc, namer)
    rows: list[list[Any]] = [[t["report_title"], tables.app_name(doc, namer)]]
    target = tables.target(doc, namer)
    if target:
        rows.append([t["target_title"], f"{target['label']}: {target['text']}" if target["text"] else target["label"]])
    rows.append([t["verdict"], outcome["text"]])
    rows += [[f"{t['severity']}: {s['label']}", s["count"]] for s in outcome["by_severity"]]
    rows += [[f"{t['rules_word']}: {r['label']}", r["count"]] for r in outcome["rules"]]
    rows.append([t["sums_digest"], integ["sums_sha256"] or t["not_sealed"]])
    rows.append([t["sealed"], t["yes"] if integ["sealed"] else t["no"]])
    if integ["known"]:
        rows.append([t["verify_result"], t["verify_ok"] if integ["ok"] else t["verify_problems"]])
        rows.append([t["signature"], integ["signature"]])
    rows += [list(r) for r in tables.meta_rows(doc, namer)]
    rows += [list(r) for r in tables.app_rows(doc, namer)]
    rows += [list(r) for r in tables.method_rows(doc, namer)]
    rows += [[t["notes"], n] for n in tables.notes(doc, namer)]
    return rows


def _observation_rows(doc: Mapping[str, Any], namer: Namer) -> list[list[Any]]:
    evidence = doc.get("evidence") or {}
    phases = list(evidence.get("phases") or [])
    t0 = start_moment(doc)
    cited: dict[str, list[str]] = {}
    for number, finding in enumerate(doc["judgement"].get("findings") or [], start=1):
        for obs_id in finding.get("observations") or []:
            cited.setdefault(obs_id, []).append(str(number))
    rows = []
    for obs in sorted(evidence.get("observations") or [], key=lambda o: (str(o.get("ts")), str(o.get("id")))):
        detail = obs.get("detail") or {}
        actor = obs.get("actor") or {}
        dest = obs.get("destination") or {}
        try:
            at: datetime | None = parse_ts(str(obs.get("ts")))
        except ValueError:
            at = None
        stack = detail["stack"] if isinstance(detail.get("stack"), list) else []
        rows.append(
            [
                obs.get("id"),
                obs.get("ts"),
                rel_label((at - t0).total_seconds()) if at and t0 else "",
                namer.label("consent_" + consent_at(at, phases)) if at else "",
                namer.label("source_" + str(obs.get("source")), str(obs.get("source"))),
                namer.label("action_" + str(obs.get("action")), str(obs.get("action"))),
                ", ".join(obs.get("data_types") or []),
                namer.data_types(obs.get("data_types")),
                namer.actor(actor),
                actor.get("proof") or "",
                dest.get("host") or "",
                dest.get("party") or "",
                detail.get("api") or "",
                detail.get("method") or "",
                detail.get("url") or "",
                detail.get("location") or "",
                detail.get("excerpt") or "",
                "\n".join(str(f) for f in stack),
                obs.get("confidence") or "",
                ", ".join(cited.get(str(obs.get("id")), [])),
                "/".join(str(v) for v in (obs.get("evidence") or {}).values()),
            ]
        )
    return rows


def render_xlsx(doc: Mapping[str, Any], lang: str = "zh") -> bytes:
    """The report document as an XLSX workbook (bytes)."""
    t = labels(lang)
    namer = Namer(doc, t, lang)
    wb = Workbook()
    wb.remove(wb.active)
    with contextlib.suppress(ValueError):  # a fixed date makes the same report give the same file
        wb.properties.created = wb.properties.modified = parse_ts(str(doc.get("generated"))).replace(tzinfo=None)
    wb.properties.creator = "apptest"
    _sheet(wb, t["sheet_summary"], ["", ""], _summary_rows(doc, namer, t), [34, 90])
    findings = finding_views(doc, namer)
    _sheet(
        wb,
        t["sheet_findings"],
        [
            "#",
            t["severity"],
            t["status"],
            t["rule"],
            t["finding"],
            t["data_types"],
            t["actors"],
            t["states"],
            t["first_seen"],
            t["evidence"],
            t["citations"],
            t["explanation"],
            t["remediation"],
            t["limits"],
            t["fingerprint"],
        ],
        [
            [
                f["number"],
                f["severity_label"],
                f["status_label"],
                f["rule_id"],
                f["title"],
                ", ".join(d["name"] for d in f["data_types"]),
                "; ".join(f["actors"]),
                "; ".join(f["states"]),
                f["first_seen"],
                f["observation_count"],
                "\n".join(namer.citation_short(c["id"]) for c in f["citations"]),
                f["explanation"],
                f["remediation"],
                "\n".join(f["limits"]),
                f["fingerprint"],
            ]
            for f in findings
        ],
        [5, 8, 10, 24, 30, 24, 28, 24, 24, 8, 34, 50, 50, 40, 34],
    )
    _sheet(
        wb,
        t["sheet_observations"],
        [
            "id",
            t["time"],
            "+",
            t["consent_state"],
            "source",
            "action",
            "data_types",
            t["data_types"],
            t["actor"],
            "proof",
            "host",
            "party",
            "API",
            "method",
            "URL",
            "location",
            "excerpt",
            "stack",
            "confidence",
            t["finding"],
            "ref",
        ],
        _observation_rows(doc, namer),
        [14, 24, 9, 10, 10, 10, 22, 22, 26, 8, 24, 8, 36, 7, 40, 10, 40, 60, 9, 8, 20],
    )
    _sheet(
        wb,
        t["sheet_sdks"],
        [
            t["sdk"],
            "id",
            t["vendor"],
            t["in_apk"],
            t["sdk_read"],
            t["sdk_sent"],
            "hosts",
            t["before_consent"],
            t["findings_total"],
            "policy",
        ],
        [
            [
                s["name"],
                s["id"],
                s["vendor"],
                t["yes"] if s["in_apk"] else t["no"],
                s["read"],
                s["sent"],
                s["hosts"],
                s["before_consent"],
                s["findings"],
                s["policy_url"],
            ]
            for s in inventory.sdk_rows(doc, namer)
        ],
        [28, 20, 30, 8, 30, 30, 30, 30, 8, 30],
    )

    def yes_no(value: bool | None) -> str:
        return "" if value is None else (t["yes"] if value else t["no"])

    _sheet(
        wb,
        t["sheet_permissions"],
        [
            t["permission"],
            t["protection"],
            t["declared"],
            t["necessary"],
            t["runtime_events"],
            t["used"],
            t["data_types"],
        ],
        [
            [
                p["name"],
                p["protection"],
                yes_no(p["declared"]),
                yes_no(p["necessary"]),
                p["runtime"],
                p["used"],
                p["data_types"],
            ]
            for p in inventory.permission_rows(doc, namer)
        ],
        [44, 12, 8, 10, 20, 30, 40],
    )
    for title, (header, rows, widths) in policy_tables(doc, namer, t):
        _sheet(wb, title, header, rows, widths)
    _sheet(
        wb,
        t["sheet_coverage"],
        ["", t["item"], "", t["item_title"], t["automation"], t["status"], t["rules_word"], "manual"],
        [
            [g["label"], r["item"], r["ref"], r["title"], r["automation"], r["status_label"], r["rules"], r["manual"]]
            for g in checks.coverage(doc, namer)
            for r in g["rows"]
        ],
        [18, 10, 16, 50, 12, 14, 30, 30],
    )
    _sheet(
        wb,
        t["sheet_rules"],
        [t["rule"], "", t["verdict"], t["findings_total"], t["missing_evidence"]],
        [
            [r["rule_id"], r["title"], r["verdict_label"], r["findings"], r["missing"]]
            for r in checks.rule_rows(doc, namer)
        ],
        [30, 40, 10, 8, 50],
    )
    _sheet(
        wb,
        t["sheet_phases"],
        [t["time"], "+", t["phase"]],
        [[p["ts"], p["rel"], p["label"]] for p in tables.phase_rows(doc, namer, start_moment(doc))],
        [26, 10, 50],
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
