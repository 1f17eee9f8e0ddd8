"""What was checked and what stays manual, as table rows (pure): coverage and rule verdicts.

"No findings" must never read as "compliant": the coverage rows show, item by item of the
identification method and the MIIT notices, whether a rule decided it, a person must, or
nobody could for lack of evidence.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apptest.report.labelling import Namer

COVERAGE_GROUPS = (("M", "cov_group_m"), ("N337-", "cov_group_n337"), ("N164-", "cov_group_n164"))


def _group_of(item: str) -> str:
    if item[:1] == "M" and item[1:2].isdigit():
        return "cov_group_m"
    for prefix, key in COVERAGE_GROUPS[1:]:
        if item.startswith(prefix):
            return key
    return "cov_group_other"


def coverage(doc: Mapping[str, Any], namer: Namer) -> list[dict[str, Any]]:
    """Coverage rows grouped by document, with counts of automated, manual and unchecked."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in doc["judgement"].get("coverage") or []:
        cite = namer.citation(row["item"])
        manual = row.get("manual") or {}
        groups.setdefault(_group_of(row["item"]), []).append(
            {
                "item": row["item"],
                "ref": cite["ref"] or row["item"],
                "title": namer.text(row.get("title")) or cite["title"],
                "text": cite["text"],
                "automation": namer.label("auto_" + str(row.get("automation")), str(row.get("automation") or "")),
                "automated": bool(row.get("automated")),
                "status": str(row.get("status") or "unchecked"),
                "status_label": namer.label("cov_" + str(row.get("status") or "unchecked")),
                "rules": ", ".join(row.get("rules") or []),
                "manual": ", ".join(str(manual[k]) for k in ("verdict", "tester", "note") if manual.get(k)),
                "note": namer.text(row.get("note")),
            }
        )
    order = [key for _, key in COVERAGE_GROUPS] + ["cov_group_other"]
    out = []
    for key in order:
        rows = groups.get(key)
        if not rows:
            continue
        counts = {
            "automated": sum(1 for r in rows if r["automated"]),
            "manual": sum(1 for r in rows if not r["automated"]),
            "failed": sum(1 for r in rows if r["status"] == "failed"),
            "passed": sum(1 for r in rows if r["status"] == "passed"),
            "open": sum(1 for r in rows if r["status"] in ("unchecked", "needs_manual")),
        }
        out.append({"key": key, "label": namer.label(key), "rows": rows, "counts": counts})
    return out


def rule_rows(doc: Mapping[str, Any], namer: Namer) -> list[dict[str, Any]]:
    order = {"failed": 0, "unchecked": 1, "passed": 2}
    rows = []
    for result in doc["judgement"].get("rule_results") or []:
        missing = result.get("missing_evidence") or []
        rows.append(
            {
                "rule_id": result["rule_id"],
                "title": namer.text(result.get("title")) or result["rule_id"],
                "verdict": result["verdict"],
                "verdict_label": namer.verdict(result["verdict"]),
                "findings": result.get("findings", ""),
                "missing": ("；" if namer.lang == "zh" else "; ").join(namer.text(m) for m in missing),
            }
        )
    return sorted(rows, key=lambda r: (order.get(r["verdict"], 3), r["rule_id"]))
