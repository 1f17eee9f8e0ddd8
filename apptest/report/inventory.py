"""What the app holds and what it did with it, as table rows (pure): SDKs and permissions.

"Present is not used" (users' most common complaint about other tools): each SDK row puts
what the APK contains beside what the SDK was seen reading and sending at run time, and
each permission row puts declared beside necessary for the category and used at run time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apptest.model import parse_ts
from apptest.report.labelling import Namer
from apptest.report.timeline import consent_at


def _evidence(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    return doc.get("evidence") or {}


def _static(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    return _evidence(doc).get("static") or {}


def _actor_sdk(obs: Mapping[str, Any]) -> str | None:
    actor = obs.get("actor") or {}
    if actor.get("kind") == "sdk" and actor.get("id"):
        return str(actor["id"])
    if obs.get("action") == "transmits":
        sdk = (obs.get("destination") or {}).get("sdk")
        return str(sdk) if sdk else None
    return None


def _before_consent(obs: Mapping[str, Any], phases: list[Mapping[str, Any]]) -> bool:
    try:
        return consent_at(parse_ts(obs["ts"]), phases) == "before"
    except (KeyError, ValueError, TypeError):
        return False


def sdk_rows(doc: Mapping[str, Any], namer: Namer) -> list[dict[str, Any]]:
    """One row per SDK found in the APK or seen acting at run time: what each collected."""
    static_sdks = {s["id"]: s for s in _static(doc).get("sdks") or [] if s.get("id")}
    phases = list(_evidence(doc).get("phases") or [])
    seen: dict[str, dict[str, Any]] = {}
    for obs in _evidence(doc).get("observations") or []:
        sdk = _actor_sdk(obs)
        if not sdk:
            continue
        row = seen.setdefault(sdk, {"read": set(), "sent": set(), "hosts": set(), "before": set()})
        types = set(obs.get("data_types") or [])
        if obs.get("action") == "reads":
            row["read"] |= types
        elif obs.get("action") == "transmits":
            row["sent"] |= types
            if (obs.get("destination") or {}).get("host"):
                row["hosts"].add(obs["destination"]["host"])
        if obs.get("action") in ("reads", "transmits") and _before_consent(obs, phases):
            row["before"] |= types
    findings: dict[str, int] = {}
    for finding in doc["judgement"].get("findings") or []:
        for actor in finding.get("actors") or []:
            if actor.get("kind") == "sdk" and actor.get("id"):
                findings[actor["id"]] = findings.get(actor["id"], 0) + 1
    rows = []
    for sdk_id in sorted(set(static_sdks) | set(seen), key=lambda s: (s not in seen, namer.sdk(s))):
        found = seen.get(sdk_id, {"read": set(), "sent": set(), "hosts": set(), "before": set()})
        matched = (static_sdks.get(sdk_id) or {}).get("matched") or {}
        rows.append(
            {
                "id": sdk_id,
                "name": namer.sdk(sdk_id),
                "vendor": namer.vendor(sdk_id),
                "in_apk": sdk_id in static_sdks,
                "matched": ", ".join(sorted(matched)) if isinstance(matched, Mapping) else "",
                "read": namer.data_types(sorted(found["read"])),
                "sent": namer.data_types(sorted(found["sent"])),
                "hosts": ", ".join(sorted(found["hosts"])),
                "before_consent": namer.data_types(sorted(found["before"])),
                "findings": findings.get(sdk_id, 0),
                "policy_url": ((doc.get("glossary") or {}).get("sdks") or {}).get(sdk_id, {}).get("policy_url") or "",
            }
        )
    return rows


def _permission_events(doc: Mapping[str, Any]) -> dict[str, list[str]]:
    """Permission name -> what happened at run time (requested, granted, denied)."""
    events: dict[str, list[str]] = {}
    for phase in _evidence(doc).get("phases") or []:
        name, _, param = str(phase.get("mark", "")).partition(":")
        if name.startswith("permission_") and param:
            events.setdefault(param, []).append(name.removeprefix("permission_"))
    for obs in _evidence(doc).get("observations") or []:
        detail = obs.get("detail") or {}
        perm = detail.get("permission")
        if obs.get("action") in ("requests_permission", "permission_result") and isinstance(perm, str):
            result = detail.get("result") or detail.get("outcome") or "requested"
            events.setdefault(perm, []).append(str(result))
    return {k: list(dict.fromkeys(v)) for k, v in events.items()}


def permission_rows(doc: Mapping[str, Any], namer: Namer) -> list[dict[str, Any]]:
    """Declared (manifest) vs necessary (category) vs used (run time) for each permission."""
    declared = {p["name"]: p for p in _static(doc).get("permissions") or [] if p.get("name")}
    necessary = ((doc.get("glossary") or {}).get("scope") or {}).get("permissions") or {}
    events = _permission_events(doc)
    reads: dict[str, int] = {}
    for obs in _evidence(doc).get("observations") or []:
        if obs.get("action") == "reads" and obs.get("source") == "runtime":
            for dt in obs.get("data_types") or []:
                reads[dt] = reads.get(dt, 0) + 1
    scope_known = bool((doc.get("glossary") or {}).get("scope"))
    rows = []
    for name in sorted(set(declared) | set(events), key=lambda n: (n not in declared, n)):
        perm = declared.get(name) or {}
        types = list(perm.get("data_types") or [])
        used = sorted(dt for dt in types if reads.get(dt))
        dangerous = perm.get("protection_level") == "dangerous"
        rows.append(
            {
                "name": name,
                "short": name.rsplit(".", 1)[-1],
                "protection": perm.get("protection_level") or "",
                "declared": name in declared,
                "necessary": (name in necessary) if scope_known else None,
                "runtime": ", ".join(namer.label("perm_" + e, e) for e in events.get(name, [])),
                "used": namer.data_types(used),
                "data_types": namer.data_types(types),
                "flag": dangerous and scope_known and name not in necessary,
            }
        )
    return rows
