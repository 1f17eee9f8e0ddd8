"""The declared-vs-observed matrix: per data type and per SDK, what the policy says beside
what the evidence shows (pure; part of the judgement as `policy_matrix`).

Labs check every collected data type and every embedded SDK against the privacy policy
and its third-party list; this is that check as a table a reader can audit row by row.
It uses the statuses of `apptest.rules.policy`, the same ones the policy rules test, so a
row marked `undeclared` and a finding of `policy_data_type_undeclared` always agree.
Observed means what the rules count: a call site in the APK (`present`), a runtime read
(`called`), a captured transmission (`sent`); a permission in the manifest alone is not a
collection and is not counted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from apptest.model import Actor, Observation
from apptest.rules.context import Facts
from apptest.rules.policy import STATEMENTS, PolicyIndex

DATA_TYPE_ORDER = {"undeclared": 0, "other_party": 1, "unclear": 2, "declared": 3, "not_observed": 4}
SDK_ORDER = {"unlisted": 0, "unclear": 1, "listed": 2, "library": 3}
POLARITY_RANK = ("affirmed", "broad", "conditional", "negated")


def observed_level(obs: Observation) -> str | None:
    """present / called / sent, or None for what is no collection (see the module doc)."""
    if obs.source == "static" and obs.action == "references":
        return "present"
    if obs.source == "runtime" and obs.action == "reads" and obs.detail.get("outcome") != "exception":
        return "called"
    if obs.source == "traffic" and obs.action == "transmits":
        return "sent"
    return None


def _declared(index: PolicyIndex, data_type: str) -> str:
    mentions = index.data_types.get(data_type, ())
    labels = {"broad" if m.broad and m.polarity == "affirmed" else m.polarity for m in mentions}
    return next((p for p in POLARITY_RANK if p in labels), "none")


def _actor_key(actor: Actor) -> tuple[str, str]:
    return actor.kind, actor.id or ""


def data_type_rows(facts: Facts) -> list[dict[str, Any]]:
    index = facts.policy
    seen: dict[str, dict[tuple[str, str], dict[str, Any]]] = {}
    counts: dict[str, dict[str, int]] = {}
    for obs in facts.observations:
        level = observed_level(obs)
        if level is None:
            continue
        for dt in dict.fromkeys(obs.data_types):
            counts.setdefault(dt, {"present": 0, "called": 0, "sent": 0})[level] += 1
            row = seen.setdefault(dt, {}).setdefault(
                _actor_key(obs.actor), {"actor": obs.actor, "levels": set(), "observations": []}
            )
            row["levels"].add(level)
            if len(row["observations"]) < 5:
                row["observations"].append(obs.id)
    rows: list[dict[str, Any]] = []
    for dt in sorted(set(seen) | set(index.data_types)):
        actors = []
        for entry in sorted(seen.get(dt, {}).values(), key=lambda e: _actor_key(e["actor"])):
            actor: Actor = entry["actor"]
            actors.append(
                {
                    **actor.to_dict(),
                    "status": index.data_type_status(dt, actor),
                    "levels": [lv for lv in ("present", "called", "sent") if lv in entry["levels"]],
                    "observations": entry["observations"],
                }
            )
        status = min((a["status"] for a in actors), key=DATA_TYPE_ORDER.__getitem__, default="not_observed")
        rows.append(
            {
                "data_type": dt,
                "status": status,
                "declared": _declared(index, dt),
                "observed": counts.get(dt, {"present": 0, "called": 0, "sent": 0}),
                "actors": actors,
                "quotes": index.quotes(index.data_types.get(dt, ())),
            }
        )
    rows.sort(key=lambda r: (DATA_TYPE_ORDER[r["status"]], r["data_type"]))
    return rows


def sdk_rows(facts: Facts, catalogue: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    index = facts.policy
    found: dict[str, dict[str, Any]] = {}

    def slot(sdk_id: str) -> dict[str, Any]:
        return found.setdefault(sdk_id, {"present": False, "called": False, "sent": False, "types": set()})

    for row in facts.static.get("sdks") or []:
        if isinstance(row, Mapping) and row.get("id"):
            slot(str(row["id"]))["present"] = True
    for obs in facts.observations:
        ids = {obs.actor.id} if obs.actor.kind == "sdk" and obs.actor.id else set()
        if obs.destination is not None and obs.destination.sdk:
            ids.add(obs.destination.sdk)
        level = observed_level(obs)
        for sdk_id in ids:
            entry = slot(str(sdk_id))
            if obs.source == "static":
                entry["present"] = True
            elif obs.source == "runtime":
                entry["called"] = True
            elif obs.source == "traffic":
                entry["sent"] = True
            if level is not None:
                entry["types"].update(obs.data_types)
    rows: list[dict[str, Any]] = []
    for sdk_id in sorted(set(found) | set(index.sdks)):
        status = index.sdk_status(sdk_id)
        if status == "library" and sdk_id not in index.sdks:
            continue
        entry = found.get(sdk_id, {"present": False, "called": False, "sent": False, "types": set()})
        declared = sorted(dt for dt, ms in index.data_types.items() if any(m.firm and sdk_id in m.sdks for m in ms))
        observed = sorted(entry["types"])
        info = catalogue.get(sdk_id) or {}
        rows.append(
            {
                "sdk": sdk_id,
                "name": dict(info["name"]) if isinstance(info.get("name"), Mapping) else info.get("name"),
                "vendor": dict(info["vendor"]) if isinstance(info.get("vendor"), Mapping) else info.get("vendor"),
                "status": status,
                "observed": {k: entry[k] for k in ("present", "called", "sent")},
                "data_types_observed": observed,
                "data_types_declared": declared,
                "data_types_not_declared": [dt for dt in observed if dt not in declared] if status == "listed" else [],
                "quotes": index.quotes(index.sdks.get(sdk_id, ())),
            }
        )
    rows.sort(key=lambda r: (SDK_ORDER[r["status"]], not any(r["observed"].values()), r["sdk"]))
    return rows


def policy_matrix(facts: Facts, sdk_catalogue: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """The whole matrix: documents, statements, one row per data type, one per SDK."""
    index = facts.policy
    summary = index.summary()
    return {
        "policy_found": index.found,
        "documents": [
            {
                "observation": d.id,
                **{
                    k: d.detail.get(k)
                    for k in ("file", "text", "title", "language", "format", "origin", "source", "sha256")
                },
                "after_sealing": bool(d.detail.get("after_sealing")),
            }
            for d in index.documents
        ],
        "statements": {
            kind: {"status": summary[kind], "quotes": index.quotes(index.statements.get(kind, ()))}
            for kind in STATEMENTS
        }
        | {
            "complaint": {
                "status": summary["complaint"],
                "quotes": index.quotes(m for m in index.statements.get("contact", ()) if m.complaint),
            }
        },
        "data_types": data_type_rows(facts),
        "sdks": sdk_rows(facts, {str(s["id"]): s for s in sdk_catalogue}),
    }
