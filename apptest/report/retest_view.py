"""Retest document -> rows for the retest page and Markdown (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apptest.report.i18n import labels
from apptest.report.labelling import Namer
from apptest.report.retest import STATUSES


def build_retest_view(result: Mapping[str, Any], lang: str) -> dict[str, Any]:
    t = labels(lang)
    namer = Namer({"glossary": result.get("glossary") or {}, "judgement": {}}, t, lang)
    summary = result["summary"]
    items = [
        {
            **item,
            "status_label": t["st_" + item["status"]],
            "severity_label": namer.severity(item["severity"]),
            "title_text": namer.text(item.get("title")) or item["rule_id"],
            "data_types_text": namer.data_types(item.get("data_types")),
            "actors_text": "; ".join(namer.actor_full(a) for a in item.get("actors") or []),
            "waiver_text": ", ".join(str(v) for v in (item.get("waiver") or {}).values() if v),
            "why_text": ("；" if lang == "zh" else "; ").join(
                namer.text(m) for m in item.get("missing_evidence") or []
            ),
        }
        for item in result.get("items") or []
    ]
    baseline = result.get("baseline")
    base_rows = []
    if baseline:
        for row in baseline["rows"]:
            basis = row.get("basis") or {}
            cov = basis.get("coverage")
            base_rows.append(
                {
                    **row,
                    "status_label": t["st_" + row["status"]],
                    "citation": namer.citation_short(row["item_id"]),
                    "basis_text": "; ".join(
                        x
                        for x in (
                            t.get("cov_" + str(cov), str(cov)) if cov else "",
                            ", ".join(f"{k}: {namer.verdict(v)}" for k, v in (basis.get("verdicts") or {}).items()),
                            f"{t['finding']}: {len(row.get('findings') or [])}" if row.get("findings") else "",
                        )
                        if x
                    ),
                }
            )
    return {
        "lang": lang,
        "html_lang": "zh-CN" if lang == "zh" else "en",
        "t": t,
        "generated": result.get("generated"),
        "old": result["old"],
        "new": result["new"],
        "identity": result["identity"],
        "passed": summary["passed"],
        "fail_on": result["fail_on"],
        "fail_on_label": namer.severity(result["fail_on"]) if result["fail_on"] != "none" else "none",
        "counts": [{"key": s, "label": t["st_" + s], "count": summary[s]} for s in STATUSES],
        "items": items,
        "baseline": base_rows,
        "baseline_counts": [
            {"key": s, "label": t["st_" + s], "count": n} for s, n in ((baseline or {}).get("summary") or {}).items()
        ],
    }
