"""Batch summary -> the overview page (summary.html): the view model (pure) and its rendering.

The summary document is built by `apptest batch` from each app's report; this module
only lays it out, in the same self-contained, script-free HTML as every report (file
names and package names come from the apps under test and are printed as text). Its
fixed words are in `batch_labels.yaml`, kept to the same zh/en rule as `labels.yaml`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import yaml

from apptest.model import SEVERITIES
from apptest.report.html import render_view
from apptest.report.i18n import LANGS, check_lang, labels, pick


@cache
def batch_labels() -> dict[str, dict[str, str]]:
    """batch_labels.yaml as {key: {zh, en}}; raises when a key lacks a language."""
    text = resources.files("apptest.report").joinpath("batch_labels.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    for key, value in data.items():
        if not isinstance(value, dict) or any(not isinstance(value.get(lang), str) for lang in LANGS):
            raise ValueError(f"apptest/report/batch_labels.yaml: {key}: needs zh and en text")
    return data


def _names(items: Any, lang: str) -> str:
    sep = "、" if lang == "zh" else ", "
    return sep.join(pick(i.get("name"), lang) or str(i.get("id")) for i in items or [])


def _report_link(row: Mapping[str, Any], formats: list[str]) -> str | None:
    report = row.get("report")
    if not report:
        return None
    return str(report).replace("report.json", "report.html") if "html" in formats else str(report)


def _app(row: Mapping[str, Any], t: Mapping[str, str], lang: str, formats: list[str]) -> dict[str, Any]:
    by_sev = row.get("by_severity") or {}
    perms = row.get("out_of_scope_permissions")
    return {
        "id": row["id"],
        "file": row.get("file") or row.get("apk"),
        "apk": row.get("apk"),
        "package": row.get("package") or "",
        "version": row.get("version_name") or "",
        "categories": _names(row.get("categories"), lang) or t["batch_uncategorized"],
        "uncategorized": row["status"] == "ok" and not row.get("categories"),
        "status": row["status"],
        "status_label": t["batch_status_" + row["status"]],
        "verdict": row.get("verdict") or "",
        "verdict_label": t.get("batch_verdict_" + str(row.get("verdict")), ""),
        "findings": row.get("findings"),
        "severities": [{"key": s, "count": by_sev.get(s, 0)} for s in SEVERITIES],
        "out_of_scope": [p.rsplit(".", 1)[-1] for p in perms] if perms is not None else None,
        "sdks": _names(row.get("sdks"), lang),
        "error": row.get("error") or "",
        "scan_errors": list(row.get("scan_errors") or []),
        "reused": bool(row.get("reused")),
        "link": _report_link(row, formats),
    }


def build_batch_view(summary: Mapping[str, Any], lang: str = "zh") -> dict[str, Any]:
    """Everything summary.html shows, decided here so tests can read it without HTML."""
    check_lang(lang)
    t = {**labels(lang), **{k: v[lang] for k, v in batch_labels().items()}}
    counts = summary["counts"]
    formats = list((summary.get("options") or {}).get("formats") or ["json"])
    engine = summary.get("engine") or {}
    where = engine.get("cluster") or t["batch_local"]
    return {
        "lang": lang,
        "html_lang": "zh-CN" if lang == "zh" else "en",
        "t": t,
        "generated": summary.get("generated"),
        "tool_version": (summary.get("tool") or {}).get("version"),
        "profiles_sha256": summary.get("profiles_sha256"),
        "interrupted": bool(summary.get("interrupted")),
        "engine": f"Dask · {where} · {engine['workers']} {t['batch_workers']}" if engine.get("workers") else "",
        "elapsed": summary.get("elapsed_s"),
        "speed": summary.get("apps_per_minute"),
        "cards": [
            {"key": key, "label": t[label], "count": counts.get(key, 0)}
            for key, label in (
                ("apps", "batch_apps"),
                ("judged", "batch_judged"),
                ("reused", "batch_reused"),
                ("failed", "batch_failed"),
                ("not_run", "batch_not_run"),
                ("uncategorized", "batch_uncategorized"),
            )
        ],
        "verdicts": [
            {"key": v, "label": t["batch_verdict_" + v], "count": (counts.get("by_verdict") or {}).get(v, 0)}
            for v in ("fail", "review", "incomplete", "pass")
        ],
        "severities": [
            {"key": s, "label": t["sev_" + s], "count": (counts.get("findings_by_severity") or {}).get(s, 0)}
            for s in SEVERITIES
        ],
        "severity_labels": {s: t["sev_" + s] for s in SEVERITIES},
        "apps": [_app(r, t, lang, formats) for r in summary.get("apps") or []],
        "top_findings": [
            {**f, "title_text": pick(f.get("title"), lang) or f["rule_id"], "severity_label": t["sev_" + f["severity"]]}
            for f in summary.get("top_findings") or []
        ],
        "top_sdks": [{**s, "name_text": pick(s.get("name"), lang) or s["id"]} for s in summary.get("top_sdks") or []],
        "failed": list(summary.get("failed") or []),
        "unmatched": list(summary.get("unmatched_packages") or []),
        "duplicates": list(summary.get("duplicates") or []),
        "has_uncategorized": counts.get("uncategorized", 0) > 0,
    }


def render_batch_html(summary: Mapping[str, Any], lang: str = "zh") -> str:
    """summary.html: one self-contained page in `lang` (zh or en)."""
    return render_view("batch.html.j2", build_batch_view(summary, lang))
