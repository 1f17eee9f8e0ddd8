"""A group of items that broke a rule -> one Finding, carrying everything a report needs.

Shaped like checkov's Record: rule id, title, severity, status, citations, explanation and
remediation come from the rule; data types, actors, states and observation ids from the
evidence. `detail` adds what a reviewer asks next: which category the judgement used (and
which data types were necessary only because they reveal a necessary one, `counts_as`),
who sent a transmission and whether that is proven by a stack or guessed from a domain,
the three evidence levels, what a threshold measured, and any blind spot of the bundle
(`{zh, en}` sentences).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from apptest.model import Actor, Finding
from apptest.rules.context import MISSING, Facts, Item, resolve
from apptest.rules.fingerprint import fingerprint
from apptest.rules.levels import evidence_levels
from apptest.rules.rule import Rule

MAX_JOINED = 5


def _distinct(values: Iterable[Any]) -> list[Any]:
    seen: dict[str, Any] = {}
    for value in values:
        seen.setdefault(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str), value)
    return [seen[k] for k in sorted(seen)]


def _data_types(members: Sequence[Item], facts: Facts) -> list[str]:
    out: set[str] = set()
    for item in members:
        if item.data_type:
            out.add(item.data_type)
        elif item.permission:
            out.update((facts.permissions.get(item.permission) or {}).get("data_types") or ())
        elif item.obs is not None:
            out.update(item.obs.data_types)
    return sorted(out)


def _actors(members: Sequence[Item], facts: Facts) -> list[dict[str, Any]]:
    """Distinct actors; for a transmission, its sender (stack-proven when joined)."""
    unique: set[Actor] = set()
    for item in members:
        if item.obs is not None:
            sender = facts.senders.get(item.obs.id)
            unique.add(sender.actor if sender else item.obs.actor)
    return _distinct(a.to_dict() for a in unique)


def _senders(members: Sequence[Item], facts: Facts) -> list[dict[str, Any]]:
    """Per sender and proof: how many transmissions, and a few runtime records proving it."""
    summary: dict[tuple[Actor, str], list[str | None]] = {}
    for item in members:
        sender = facts.senders.get(item.obs.id) if item.obs is not None else None
        if sender is not None:
            summary.setdefault((sender.actor, sender.proof), []).append(sender.joined)
    out = []
    for (actor, proof), joined in summary.items():
        entry: dict[str, Any] = {"actor": actor.to_dict(), "proof": proof, "count": len(joined)}
        proving = sorted({j for j in joined if j})[:MAX_JOINED]
        if proving:
            entry["joined_observations"] = proving
        out.append(entry)
    return _distinct(out)


def _reported(rule: Rule, members: Sequence[Item], facts: Facts) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path in rule.report_fields:
        values = [v for i in members if (v := resolve(i, facts, path)) is not MISSING and v is not None]
        flat: list[Any] = []
        for value in values:
            flat.extend(value if isinstance(value, list) else [value])
        if flat:
            out[path] = _distinct(flat)
    return out


def _categories(data_types: Sequence[str], facts: Facts) -> dict[str, Any]:
    scope = facts.scope
    necessary_in = {dt: scope.basis(dt) for dt in data_types if scope.is_necessary(dt)}
    out: dict[str, Any] = {"used": list(scope.categories)}
    if necessary_in:
        out["necessary_in"] = necessary_in
    conditional = sorted(dt for dt in data_types if dt in scope.conditional)
    if conditional:
        out["conditional"] = conditional
    counted = {dt: list(scope.counted_as[dt]) for dt in data_types if dt in scope.counted_as}
    if counted:
        out["counts_as"] = counted
    return out


def build_finding(
    rule: Rule,
    key: Mapping[str, Any],
    members: Sequence[Item],
    facts: Facts,
    measured: Mapping[str, Any],
    notes: Sequence[Mapping[str, str]],
) -> Finding:
    """One finding from one group of items."""
    observed = [(i.at.isoformat() if i.at else "", i.obs.id, i.obs.ts) for i in members if i.obs is not None]
    observed.sort()
    obs_ids = list(dict.fromkeys(oid for _, oid, _ in observed))
    data_types = _data_types(members, facts)
    detail: dict[str, Any] = {"group": {k: list(v) if isinstance(v, tuple) else v for k, v in key.items()}}
    detail["categories"] = _categories(data_types, facts)
    if obs_ids:
        detail["first_seen"] = observed[0][2]
        detail["evidence_levels"] = evidence_levels(data_types, obs_ids, facts)
    senders = _senders(members, facts)
    if senders:
        detail["senders"] = senders
    if measured:
        detail["measured"] = dict(measured)
    reported = _reported(rule, members, facts)
    if reported:
        detail["reported"] = reported
    if rule.config:
        detail["config"] = dict(rule.config)
    if notes:
        detail["limits"] = [dict(n) for n in notes]
    return Finding(
        rule_id=rule.id,
        fingerprint=fingerprint(rule.id, detail["group"]),
        title=dict(rule.title),
        severity=rule.severity,  # type: ignore[arg-type]
        status=rule.status,  # type: ignore[arg-type]
        data_types=tuple(data_types),
        actors=tuple(_actors(members, facts)),
        states=tuple(_distinct(s.to_dict() for s in {i.state for i in members if i.state is not None and i.obs})),
        observations=tuple(obs_ids),
        citations=rule.citations,
        explanation=dict(rule.explanation),
        remediation=dict(rule.remediation),
        detail=detail,
    )
