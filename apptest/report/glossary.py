"""Names and texts from the profiles that a report prints beside the ids it carries.

A finding names data types, SDKs and citations by id. The report copies their names, the
citation texts and the category scope into report.json when it is written, so the printed
report and any later re-rendering say exactly what the profiles said on the day of the
test, even after a newer profile version rewords a citation. The scope comes from the
judgement itself (the judge states the scope it used), so the report can never call a
permission necessary that the judge did not; only a judgement too old to state it is
completed from the profiles.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def _ids_in(judgement: Mapping[str, Any], evidence: Mapping[str, Any] | None) -> tuple[set[str], set[str]]:
    """Citation ids and SDK ids the document refers to."""
    citations: set[str] = set()
    sdks: set[str] = set()
    for finding in judgement.get("findings") or []:
        citations.update(finding.get("citations") or [])
        for actor in finding.get("actors") or []:
            if actor.get("kind") == "sdk" and actor.get("id"):
                sdks.add(actor["id"])
    for row in judgement.get("coverage") or []:
        citations.add(row["item"])
    for result in judgement.get("rule_results") or []:
        citations.update(result.get("citations") or [])
    if evidence:
        for obs in evidence.get("observations") or []:
            actor = obs.get("actor") or {}
            if actor.get("kind") == "sdk" and actor.get("id"):
                sdks.add(actor["id"])
            if (obs.get("destination") or {}).get("sdk"):
                sdks.add(obs["destination"]["sdk"])
        for sdk in (evidence.get("static") or {}).get("sdks") or []:
            if sdk.get("id"):
                sdks.add(sdk["id"])
    return citations, sdks


def _citation(cite: Mapping[str, Any], documents: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    doc = documents.get(cite.get("document") or "") or {}
    out = {
        "document": cite.get("document"),
        "document_title": dict(doc.get("title") or {}),
        "number": doc.get("number"),
        "ref": dict(cite.get("ref") or {}),
        "title": dict(cite.get("title") or {}),
        "text": dict(cite.get("text") or {}),
        "verification": cite.get("verification") or doc.get("verification"),
    }
    return {k: v for k, v in out.items() if v not in (None, {})}


def scope_of(categories: Iterable[Mapping[str, Any]], counts_as: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Necessary data types and permissions of the categories used (their union), with the
    data types the judge counted as necessary because they reveal a necessary one."""
    necessary: dict[str, list[str]] = {}
    permissions: dict[str, list[str]] = {}
    for cat in categories:
        for item in [*(cat.get("necessary") or []), *(cat.get("service_data") or [])]:
            for dt in [item["data_type"]] if item.get("data_type") else list(item.get("any_of") or []):
                necessary.setdefault(dt, []).append(cat["id"])
        for perm in cat.get("permissions") or []:
            permissions.setdefault(perm["name"], []).append(cat["id"])
    for dt, through in (counts_as or {}).items():
        basis = [cat for t in through for cat in necessary.get(t, [])]
        if basis and dt not in necessary:
            necessary[dt] = list(dict.fromkeys(basis))
    return {"necessary": necessary, "permissions": permissions}


def judged_scope(knowledge: Any, judgement: Mapping[str, Any]) -> dict[str, Any]:
    """The scope the judge used, from its own `scope` section; a judgement written before the
    judge stated it gets the categories it names, as today's profiles describe them."""
    stated = judgement.get("scope")
    if isinstance(stated, Mapping) and isinstance(stated.get("categories"), list):
        return scope_of(stated["categories"], stated.get("counts_as"))
    categories = []
    for cat in judgement.get("categories") or []:
        found = knowledge.categories.get(cat.get("id"))
        if found:
            categories.append(found)
    return scope_of(categories)


def build_glossary(knowledge: Any, judgement: Mapping[str, Any], evidence: Mapping[str, Any] | None) -> dict[str, Any]:
    """Labels, citation texts, SDK facts, phase labels and category scope for one document."""
    cite_ids, sdk_ids = _ids_in(judgement, evidence)
    citations = knowledge.citations
    documents = knowledge.documents
    sdks = {s["id"]: s for s in knowledge.sdks}
    return {
        "data_types": {dt_id: dict(dt.get("name") or {}) for dt_id, dt in sorted(knowledge.data_types.items())},
        "citations": {cid: _citation(citations[cid], documents) for cid in sorted(cite_ids) if cid in citations},
        "sdks": {
            sid: {
                k: sdks[sid][k]
                for k in ("name", "vendor", "kind", "policy_url", "collects", "packages")
                if sdks[sid].get(k) is not None
            }
            for sid in sorted(sdk_ids)
            if sid in sdks
        },
        "phases": {name: dict(p.get("label") or {}) for name, p in sorted(knowledge.phases.items())},
        "scope": judged_scope(knowledge, judgement),
    }
