"""One generic engine: a compiled rule + the judgement's facts -> a verdict and findings.

The engine knows no rule by name. For every rule it does the same five steps:

1. evidence: without what `requires:` names, the verdict is `unchecked` (say what is
   missing), never `passed`;
2. items: the observations `applies_to:` selects, one item per data type or permission
   (`each:`), each with the state at its timestamp; a bundle-scope rule judges one item;
3. `condition:` keeps the items that break the rule;
4. `group_by:` gathers them into finding candidates, and `having:` (counts, rates) keeps
   the groups that cross a threshold;
5. each remaining group is one finding; `limited_by:` blind spots turn a clean result into
   `unchecked` and are listed next to a failed one.

What is missing and what limits a verdict are `{zh, en}` sentences (`text.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from apptest.model import Finding, Observation, RuleResult, Verdict
from apptest.rules.condition import test_group, test_item
from apptest.rules.context import MISSING, Facts, Item, resolve
from apptest.rules.findings import build_finding
from apptest.rules.limits import LIMITS
from apptest.rules.requirements import NEEDS
from apptest.rules.rule import Rule
from apptest.rules.state import full_permission


def _permissions_of(detail: dict[str, Any]) -> list[str]:
    perms = detail.get("permissions")
    if isinstance(perms, list):
        return [full_permission(str(p)) for p in perms]
    perm = detail.get("permission")
    return [full_permission(perm)] if isinstance(perm, str) else []


def _candidates(rule: Rule, facts: Facts) -> Iterator[Observation]:
    """The observations whose source and action the rule selects, in time order."""
    sources = rule.applies_to.get("source")
    actions = rule.applies_to.get("action")
    if sources is None or actions is None:
        yield from facts.observations
        return
    picked = [o for s in sources for a in actions for o in facts.by_kind.get((str(s), str(a)), ())]
    yield from sorted(picked, key=lambda o: (facts.moments[o.id], o.id)) if len(sources) * len(actions) > 1 else picked


def items_of(rule: Rule, facts: Facts) -> Iterator[Item]:
    """The items a rule judges, in observation order."""
    if rule.scope == "bundle":
        yield Item()
        return
    for obs in _candidates(rule, facts):
        at = facts.moments.get(obs.id)
        base = Item(obs=obs, at=at, state=facts.states.get(obs.id))
        if not all(_selected(resolve(base, facts, f), allowed) for f, allowed in rule.applies_to.items()):
            continue
        if rule.each == "data_type":
            for dt in dict.fromkeys(obs.data_types):
                yield Item(obs=obs, at=at, state=base.state, data_type=dt)
        elif rule.each == "permission":
            for perm in dict.fromkeys(_permissions_of(obs.detail)):
                yield Item(obs=obs, at=at, state=base.state, permission=perm)
        else:
            yield base


def _selected(actual: Any, allowed: tuple[Any, ...]) -> bool:
    return actual is not MISSING and actual in allowed


def _key(rule: Rule, item: Item, facts: Facts) -> tuple[tuple[str, Any], ...]:
    out = []
    for name in rule.group_by:
        value = resolve(item, facts, name)
        value = None if value is MISSING else value
        out.append((name, tuple(value) if isinstance(value, list) else value))
    return tuple(out)


def run_rule(rule: Rule, facts: Facts) -> tuple[RuleResult, list[Finding]]:
    """Judge one rule. Pure: same rule and facts, same result."""
    missing = [dict(NEEDS[k].missing) for k in rule.requires if not NEEDS[k].check(facts)]
    limits = [(LIMITS[k].downgrades, note) for k in rule.limited_by if (note := LIMITS[k].check(facts))]
    notes = [note for _, note in limits]
    if missing:
        return RuleResult(rule.id, "unchecked", tuple(missing + notes)), []
    groups: dict[tuple[tuple[str, Any], ...], list[Item]] = {}
    for item in items_of(rule, facts):
        if rule.condition is None or test_item(rule.condition, item, facts):
            groups.setdefault(_key(rule, item, facts), []).append(item)
    findings: list[Finding] = []
    for key, members in groups.items():
        measured: dict[str, Any] = {}
        if rule.having is not None:
            ok, measured = test_group(rule.having, members, facts)
            if not ok:
                continue
        findings.append(build_finding(rule, dict(key), members, facts, measured, notes))
    findings.sort(key=lambda f: (f.fingerprint, f.observations))
    verdict: Verdict = "passed"
    if findings:
        verdict = "failed"
    elif any(downgrades for downgrades, _ in limits):
        verdict = "unchecked"
    return RuleResult(rule.id, verdict, tuple(notes)), findings
