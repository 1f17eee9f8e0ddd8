"""Per-app report documents -> one row each -> the batch summary (pure, except `write_summary`).

A campaign over 200 apps is read as a table first: which apps failed, which SDKs are
everywhere, which finding is the common one. Each row is taken from the app's canonical
report document with the same functions the app's own HTML report uses (its verdict
sentence, its permission and SDK tables), so the overview and the reports never disagree.
Names stay `{zh, en}` objects in the rows, so one summary.json renders in either language.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from apptest.model import SEVERITIES
from apptest.report.context import verdict
from apptest.report.i18n import labels
from apptest.report.inventory import permission_rows
from apptest.report.labelling import Namer

FORMAT = "apptest-batch-summary"
FORMAT_VERSION = 1
TOP = 20
CSV_COLUMNS = (
    "id", "apk", "status", "reused", "package", "version_name", "categories", "verdict", "findings",
    *SEVERITIES, "out_of_scope_permissions", "sdks", "scan_errors", "error", "seconds", "report",
)  # fmt: skip


def app_row(doc: Mapping[str, Any]) -> dict[str, Any]:
    """What the summary shows of one judged app, from its report document."""
    judgement = doc["judgement"]
    evidence = doc.get("evidence") or {}
    static = evidence.get("static") or {}
    apk = static.get("apk") or {}
    namer = Namer(doc, labels("en"), "en")
    categories = [{"id": c["id"], "name": dict(c.get("name") or {})} for c in judgement.get("categories") or []]
    findings = judgement.get("findings") or []
    rules: dict[str, dict[str, Any]] = {}
    for finding in findings:
        row = rules.setdefault(
            finding["rule_id"],
            {"rule_id": finding["rule_id"], "title": dict(finding.get("title") or {}), "severity": finding["severity"]},
        )
        row["count"] = row.get("count", 0) + 1
    glossary_sdks = (doc.get("glossary") or {}).get("sdks") or {}
    sdks = [
        {"id": s["id"], "name": dict((glossary_sdks.get(s["id"]) or s).get("name") or {}), "kind": s.get("kind")}
        for s in static.get("sdks") or []
        if s.get("id")
    ]
    out_of_scope = [p["name"] for p in permission_rows(doc, namer) if p["flag"]] if categories else None
    return {
        "package": apk.get("package") or (judgement.get("bundle") or {}).get("package"),
        "version_name": apk.get("version_name"),
        "version_code": apk.get("version_code"),
        "categories": categories,
        "verdict": verdict(doc, namer)["key"],
        "findings": len(findings),
        "by_severity": {s: sum(1 for f in findings if f["severity"] == s) for s in SEVERITIES},
        "rules": sorted(rules.values(), key=lambda r: (SEVERITIES.index(r["severity"]), r["rule_id"])),
        "out_of_scope_permissions": out_of_scope,
        "sdks": sorted(sdks, key=lambda s: s["id"]),
        "analysis_complete": static.get("analysis_complete"),
        "scan_errors": list((judgement.get("bundle") or {}).get("errors") or []),
        "notes": list((judgement.get("bundle") or {}).get("notes") or []),
    }


def _top_rules(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    apps: Counter[str] = Counter()
    total: Counter[str] = Counter()
    about: dict[str, Mapping[str, Any]] = {}
    for row in rows:
        for rule in row.get("rules") or []:
            apps[rule["rule_id"]] += 1
            total[rule["rule_id"]] += rule["count"]
            about.setdefault(rule["rule_id"], rule)
    order = sorted(apps, key=lambda r: (-apps[r], SEVERITIES.index(about[r]["severity"]), r))
    return [
        {
            "rule_id": r,
            "title": dict(about[r].get("title") or {}),
            "severity": about[r]["severity"],
            "apps": apps[r],
            "findings": total[r],
        }
        for r in order[:TOP]
    ]


def _top_sdks(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    apps: Counter[str] = Counter()
    about: dict[str, Mapping[str, Any]] = {}
    for row in rows:
        for sdk in row.get("sdks") or []:
            apps[sdk["id"]] += 1
            about.setdefault(sdk["id"], sdk)
    order = sorted(apps, key=lambda s: (-apps[s], s))
    return [
        {"id": s, "name": dict(about[s].get("name") or {}), "kind": about[s].get("kind"), "apps": apps[s]}
        for s in order[:TOP]
    ]


def summarize(
    rows: Iterable[Mapping[str, Any]], meta: Mapping[str, Any], unmatched_packages: Sequence[str] = ()
) -> dict[str, Any]:
    """The summary document: per-app rows in input order, counts, the common findings and SDKs."""
    apps = [dict(r) for r in rows]
    judged = [r for r in apps if r["status"] == "ok"]
    failed = [r for r in apps if r["status"] == "failed"]
    severities = {s: sum(r["by_severity"][s] for r in judged) for s in SEVERITIES}
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        **dict(meta),
        "counts": {
            "apps": len(apps),
            "judged": len(judged),
            "reused": sum(1 for r in judged if r.get("reused")),
            "failed": len(failed),
            "not_run": sum(1 for r in apps if r["status"] == "not_run"),
            "uncategorized": sum(1 for r in judged if not r.get("categories")),
            "with_scan_errors": sum(1 for r in judged if r.get("scan_errors")),
            "by_verdict": dict(Counter(r["verdict"] for r in judged)),
            "findings_by_severity": severities,
        },
        "top_findings": _top_rules(judged),
        "top_sdks": _top_sdks(judged),
        "failed": [{"id": r["id"], "apk": r["apk"], "error": r.get("error")} for r in failed],
        "unmatched_packages": list(unmatched_packages),
        "apps": apps,
    }


def _names(items: Iterable[Mapping[str, Any]], key: str = "id") -> str:
    return "; ".join(str(i[key]) for i in items)


def csv_text(summary: Mapping[str, Any]) -> str:
    """summary.csv: one line per app, the columns of CSV_COLUMNS (lists joined with `; `)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in summary["apps"]:
        by_severity = row.get("by_severity") or {}
        perms = row.get("out_of_scope_permissions")
        values = {
            **{k: row.get(k) for k in ("id", "apk", "status", "package", "version_name", "verdict", "error")},
            "reused": "yes" if row.get("reused") else "",
            "categories": _names(row.get("categories") or []),
            "findings": row.get("findings", ""),
            **{s: by_severity.get(s, "") for s in SEVERITIES},
            "out_of_scope_permissions": "; ".join(perms) if perms is not None else "",
            "sdks": _names(row.get("sdks") or []),
            "scan_errors": " | ".join(row.get("scan_errors") or []),
            "seconds": f"{row['seconds']:.2f}" if isinstance(row.get("seconds"), float) else "",
            "report": row.get("report") or "",
        }
        writer.writerow(["" if values[c] is None else values[c] for c in CSV_COLUMNS])
    return buffer.getvalue()


def write_summary(out_dir: Path, summary: Mapping[str, Any], lang: str = "zh") -> list[Path]:
    """summary.json, summary.csv (UTF-8 with BOM, so Excel reads the Chinese) and summary.html."""
    from apptest.report.batch_view import render_batch_html

    out_dir = Path(out_dir)
    files = {
        "summary.json": json.dumps(summary, ensure_ascii=False, indent=2) + "\n",
        "summary.csv": "\ufeff" + csv_text(summary),
        "summary.html": render_batch_html(summary, lang),
    }
    written = []
    for name, text in files.items():
        target = out_dir / name
        tmp = target.with_name(name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
        written.append(target)
    return written


def apps_at_or_above(summary: Mapping[str, Any], severity: str) -> list[str]:
    """Ids of judged apps with a finding at or above `severity` (for --fail-on; `none`: never)."""
    if severity == "none":
        return []
    wanted = SEVERITIES[: SEVERITIES.index(severity) + 1]
    return [
        row["id"]
        for row in summary["apps"]
        if row["status"] == "ok" and any((row.get("by_severity") or {}).get(s) for s in wanted)
    ]
