"""Ids to printed names: data types, actors, states, citations — one place for every format.

HTML, Markdown and XLSX all print "友盟+统计分析SDK" for `umeng_analytics` and
"同意前 · 前台" for a state; doing it here keeps the three in agreement (users complain
when an export's verdicts differ from the screen).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apptest.report.i18n import pick


class Namer:
    """Printed names for one document in one language."""

    def __init__(self, doc: Mapping[str, Any], t: Mapping[str, str], lang: str) -> None:
        self.doc, self.t, self.lang = doc, t, lang
        self.glossary = doc.get("glossary") or {}
        judgement = doc.get("judgement") or {}
        evidence = doc.get("evidence") or {}
        manifest = evidence.get("manifest") or {}
        self.package = (judgement.get("bundle") or {}).get("package") or (manifest.get("apk") or {}).get("package")
        self.static_sdks = {s.get("id"): s for s in (evidence.get("static") or {}).get("sdks") or [] if s.get("id")}

    def text(self, value: Any) -> str:
        return pick(value, self.lang)

    def label(self, key: str, fallback: str | None = None) -> str:
        return self.t.get(key, fallback if fallback is not None else key)

    def data_type(self, dt: str) -> str:
        name = (self.glossary.get("data_types") or {}).get(dt)
        return pick(name, self.lang) if name else dt

    def data_types(self, ids: Any) -> str:
        return (
            "、".join(self.data_type(d) for d in ids or [])
            if self.lang == "zh"
            else ", ".join(self.data_type(d) for d in ids or [])
        )

    def sdk(self, sdk_id: str | None) -> str:
        if not sdk_id:
            return self.label("actor_unknown")
        known = (self.glossary.get("sdks") or {}).get(sdk_id) or self.static_sdks.get(sdk_id) or {}
        return pick(known.get("name"), self.lang) or sdk_id

    def vendor(self, sdk_id: str | None) -> str:
        known = (self.glossary.get("sdks") or {}).get(sdk_id or "") or self.static_sdks.get(sdk_id) or {}
        return pick(known.get("vendor"), self.lang)

    def actor(self, actor: Mapping[str, Any] | None) -> str:
        actor = actor or {}
        kind = actor.get("kind") or "unknown"
        if kind == "sdk":
            return self.sdk(actor.get("id")) if actor.get("id") else (actor.get("name") or self.label("actor_sdk"))
        if kind == "app":
            return f"{self.label('actor_app')} ({actor.get('id') or self.package or '?'})"
        if kind == "system":
            return self.label("actor_system")
        return self.label("actor_unknown")

    def actor_full(self, actor: Mapping[str, Any] | None) -> str:
        """Name plus how the attribution is known (stack / domain / static) and the via library."""
        actor = actor or {}
        text = self.actor(actor)
        proof = actor.get("proof")
        if proof and proof != "none":
            text += f" [{self.label('proof_' + proof, proof)}]"
        if actor.get("via"):
            text += f" via {actor['via']}"
        return text

    def phase(self, mark: str) -> str:
        name, _, param = mark.partition(":")
        label = pick((self.glossary.get("phases") or {}).get(name), self.lang) or name
        return f"{label}: {param}" if param else label

    def phase_name(self, name: str) -> str:
        return pick((self.glossary.get("phases") or {}).get(name), self.lang) or name

    def state(self, state: Mapping[str, Any]) -> str:
        parts = []
        if state.get("consent"):
            parts.append(self.label("consent_" + str(state["consent"]), str(state["consent"])))
        if state.get("app"):
            parts.append(self.label("app_" + str(state["app"]), str(state["app"])))
        if state.get("screen"):
            parts.append(self.label("screen_" + str(state["screen"]), str(state["screen"])))
        denied = state.get("denied") or []
        if denied:
            short = ", ".join(str(p).rsplit(".", 1)[-1] for p in denied)
            parts.append(f"{self.label('denied')}: {short}")
        return " · ".join(parts)

    def severity(self, severity: str) -> str:
        return self.label("sev_" + severity, severity)

    def status(self, status: str) -> str:
        return self.label("status_" + status, status)

    def verdict(self, verdict: str) -> str:
        return self.label("verdict_" + verdict, verdict)

    def citation(self, cite_id: str) -> dict[str, Any]:
        cite = (self.glossary.get("citations") or {}).get(cite_id) or {}
        verification = cite.get("verification")
        return {
            "id": cite_id,
            "document": pick(cite.get("document_title"), self.lang) or cite.get("document") or "",
            "number": cite.get("number") or "",
            "ref": pick(cite.get("ref"), self.lang),
            "title": pick(cite.get("title"), self.lang),
            "text": pick(cite.get("text"), self.lang),
            "verification": verification or "",
            "unverified": verification == "UNVERIFIED",
        }

    def citation_short(self, cite_id: str) -> str:
        c = self.citation(cite_id)
        if not c["document"]:
            return cite_id
        return f"{c['document']} {c['ref']}".strip()
