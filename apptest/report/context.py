"""Report document -> the plain view model the HTML template draws (pure).

Everything a template shows is decided here, in Python that tests can call: the verdict
sentence, which facts go on the first page, each finding's evidence excerpts with the
masked value highlighted, the timeline geometry, the tables. The template only lays it
out. Captured text stays plain strings; escaping is the template engine's job, never
this module's, so there is exactly one place where text becomes markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from apptest.model import SEVERITIES, parse_ts
from apptest.report import checks, inventory, tables
from apptest.report.i18n import labels
from apptest.report.labelling import Namer
from apptest.report.masking import highlight, scrub
from apptest.report.policy_section import policy_view
from apptest.report.timeline import consent_at, layout, rel_label

MAX_EVIDENCE = 6
MAX_FRAMES = 14
FRAMEWORK = ("android.", "androidx.", "java.", "javax.", "kotlin.", "dalvik.", "com.android.", "sun.", "libcore.")


def _ts(text: Any) -> datetime | None:
    try:
        return parse_ts(str(text))
    except (ValueError, TypeError):
        return None


def start_moment(doc: Mapping[str, Any]) -> datetime | None:
    """The zero of every relative time in the report: the first phase or observation."""
    evidence = doc.get("evidence") or {}
    moments = [
        m
        for m in (
            *(_ts(p.get("ts")) for p in evidence.get("phases") or []),
            *(_ts(o.get("ts")) for o in evidence.get("observations") or []),
        )
        if m is not None
    ]
    return min(moments) if moments else None


def verdict(doc: Mapping[str, Any], namer: Namer) -> dict[str, Any]:
    """The one-sentence outcome on the first page, and the counts behind it."""
    judgement = doc["judgement"]
    findings = judgement.get("findings") or []
    by_sev = {s: sum(1 for f in findings if f["severity"] == s) for s in SEVERITIES}
    verdicts = {
        v: sum(1 for r in judgement.get("rule_results") or [] if r["verdict"] == v)
        for v in ("failed", "unchecked", "passed")
    }
    if any(f["status"] == "violation" for f in findings):
        key = "fail"
    elif findings:
        key = "review"
    elif verdicts["unchecked"]:
        key = "incomplete"
    else:
        key = "pass"
    return {
        "key": key,
        "text": namer.label("verdict_text_" + key),
        "findings": len(findings),
        "by_severity": [{"key": s, "label": namer.severity(s), "count": by_sev[s]} for s in SEVERITIES],
        "rules": [{"key": v, "label": namer.verdict(v), "count": verdicts[v]} for v in verdicts],
        "suppressed": (judgement.get("summary") or {}).get("suppressed", len(judgement.get("suppressed") or [])),
    }


def _evidence_item(
    obs: Mapping[str, Any], namer: Namer, t0: datetime | None, phases: list[Mapping[str, Any]]
) -> dict[str, Any]:
    detail = obs.get("detail") or {}
    at = _ts(obs.get("ts"))
    dest = obs.get("destination") or {}
    stack = [str(f) for f in detail.get("stack") or []] if isinstance(detail.get("stack"), list) else []
    first_own = next((n for n, f in enumerate(stack) if not f.startswith(FRAMEWORK)), None)
    frames = [{"text": f, "own": n == first_own} for n, f in enumerate(stack[:MAX_FRAMES])]
    url = detail.get("url")
    return {
        "id": obs.get("id"),
        "ts": obs.get("ts"),
        "rel": rel_label((at - t0).total_seconds()) if at and t0 else "",
        "source": namer.label("source_" + str(obs.get("source")), str(obs.get("source"))),
        "action": namer.label("action_" + str(obs.get("action")), str(obs.get("action"))),
        "data_types": namer.data_types(obs.get("data_types")),
        "actor": namer.actor_full(obs.get("actor")),
        "destination": dest.get("host"),
        "party": namer.label("party_" + str(dest.get("party")), "") if dest else "",
        "api": detail.get("api"),
        "method": detail.get("method"),
        "url": scrub(str(url)) if url else None,
        "location": detail.get("location"),
        "encoding": detail.get("encoding"),
        "excerpt": highlight(scrub(str(detail["excerpt"]))) if detail.get("excerpt") else None,
        "outcome": detail.get("outcome"),
        "confidence": namer.label("conf_" + str(obs.get("confidence")), "") if obs.get("confidence") else "",
        "consent": namer.label("consent_" + consent_at(at, phases)) if at and phases else "",
        "frames": frames,
        "frames_more": max(len(stack) - MAX_FRAMES, 0),
    }


def _facts(finding: Mapping[str, Any], namer: Namer) -> list[tuple[str, str]]:
    """What the judge measured or reported beyond the evidence rows (thresholds, hosts …)."""
    detail = finding.get("detail") or {}
    rows: list[tuple[str, str]] = []
    for key, value in (detail.get("measured") or {}).items():
        rows.append((f"{namer.label('measured')}: {key}", _flat(value)))
    for key, value in (detail.get("reported") or {}).items():
        rows.append((namer.label("field_" + key.replace(".", "_"), key), _flat(value)))
    necessary = (detail.get("categories") or {}).get("necessary_in") or {}
    for dt, cats in necessary.items():
        rows.append((namer.label("necessary_in"), f"{namer.data_type(dt)}: {', '.join(cats)}"))
    for dt, through in ((detail.get("categories") or {}).get("counts_as") or {}).items():
        rows.append((namer.label("counts_as"), f"{namer.data_type(dt)} → {namer.data_types(through)}"))
    for sender in detail.get("senders") or []:
        if isinstance(sender, Mapping) and sender.get("actor"):
            rows.append((namer.label("sender"), namer.actor_full(sender["actor"])))
    return rows


def _flat(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_flat(v) for v in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={_flat(v)}" for k, v in value.items())
    return str(value)


def finding_views(doc: Mapping[str, Any], namer: Namer) -> list[dict[str, Any]]:
    evidence = doc.get("evidence") or {}
    by_id = {o.get("id"): o for o in evidence.get("observations") or []}
    phases = list(evidence.get("phases") or [])
    t0 = start_moment(doc)
    out = []
    for number, finding in enumerate(doc["judgement"].get("findings") or [], start=1):
        obs_ids = list(finding.get("observations") or [])
        found = [by_id[i] for i in obs_ids if i in by_id]
        detail = finding.get("detail") or {}
        out.append(
            {
                "number": number,
                "anchor": f"finding-{number}",
                "rule_id": finding["rule_id"],
                "fingerprint": finding["fingerprint"],
                "severity": finding["severity"],
                "severity_label": namer.severity(finding["severity"]),
                "status": finding["status"],
                "status_label": namer.status(finding["status"]),
                "title": namer.text(finding.get("title")),
                "explanation": namer.text(finding.get("explanation")),
                "remediation": namer.text(finding.get("remediation")),
                "data_types": [{"id": d, "name": namer.data_type(d)} for d in finding.get("data_types") or []],
                "actors": [namer.actor_full(a) for a in finding.get("actors") or []],
                "states": [namer.state(s) for s in finding.get("states") or []],
                "citations": [namer.citation(c) for c in finding.get("citations") or []],
                "evidence": [_evidence_item(o, namer, t0, phases) for o in found[:MAX_EVIDENCE]],
                "evidence_more": max(len(found) - MAX_EVIDENCE, 0),
                "evidence_missing": len(obs_ids) - len(found),
                "observation_count": len(obs_ids),
                "first_seen": detail.get("first_seen"),
                "facts": _facts(finding, namer),
                "limits": [namer.text(x) for x in detail.get("limits") or []],
            }
        )
    return out


def _timeline(doc: Mapping[str, Any], namer: Namer) -> dict[str, Any] | None:
    evidence = doc.get("evidence") or {}
    flagged = {i for f in doc["judgement"].get("findings") or [] for i in f.get("observations") or []}

    def lane_of(obs: Mapping[str, Any]) -> tuple[str, str]:
        actor = obs.get("actor") or {}
        dest_sdk = (obs.get("destination") or {}).get("sdk")
        if actor.get("kind") == "sdk" and actor.get("id"):
            return f"sdk:{actor['id']}", namer.sdk(actor["id"])
        if actor.get("kind") in (None, "unknown") and dest_sdk:
            return f"sdk:{dest_sdk}", namer.sdk(dest_sdk)
        if actor.get("kind") == "app":
            return "app", namer.label("actor_app")
        if actor.get("kind") == "system":
            return "system", namer.label("actor_system")
        return "unknown", namer.label("actor_unknown")

    return layout(
        evidence.get("observations") or [],
        evidence.get("phases") or [],
        flagged,
        lane_of,
        namer.phase_name,
        other_label=namer.label("other"),
    )


def build_view(doc: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """Everything the HTML template shows, in one language."""
    t = labels(lang)
    namer = Namer(doc, t, lang)
    return {
        "lang": lang,
        "html_lang": "zh-CN" if lang == "zh" else "en",
        "t": t,
        "generated": doc.get("generated"),
        "tool_version": (doc.get("tool") or {}).get("version"),
        "meta": tables.meta_rows(doc, namer),
        "app": tables.app_rows(doc, namer),
        "app_name": tables.app_name(doc, namer),
        "target": tables.target(doc, namer),
        "verdict": verdict(doc, namer),
        "integrity": tables.integrity(doc, namer),
        "notes": tables.notes(doc, namer),
        "timeline": _timeline(doc, namer),
        "findings": finding_views(doc, namer),
        "sdks": inventory.sdk_rows(doc, namer),
        "policy": policy_view(doc, namer),
        "permissions": inventory.permission_rows(doc, namer),
        "coverage": checks.coverage(doc, namer),
        "rules": checks.rule_rows(doc, namer),
        "method": tables.method_rows(doc, namer),
        "phases": tables.phase_rows(doc, namer, start_moment(doc)),
    }
