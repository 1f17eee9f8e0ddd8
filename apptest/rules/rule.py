"""A rule YAML compiled once into what the engine runs.

`knowledge.rules` has already checked the file against `rule.schema.json` and its
citations against `citations.yaml`; this step checks what a schema cannot: operator
arguments, field paths, `{config: KEY}` references, evidence keys. A lab's `--config`
file overrides a rule's `config:` defaults here (thresholds are tool defaults, never law,
so a lab must be able to set its own and the report shows which values were used).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apptest.knowledge import ProfileError
from apptest.rules.condition import ConditionError, Node, parse
from apptest.rules.context import check_path
from apptest.rules.limits import LIMITS
from apptest.rules.requirements import NEEDS

EACH = ("data_type", "permission", "observation")


@dataclass(frozen=True)
class Rule:
    """One compiled rule; every field comes from the YAML (see rule.schema.json)."""

    id: str
    title: Mapping[str, str]
    explanation: Mapping[str, str]
    remediation: Mapping[str, str]
    severity: str
    status: str
    citations: tuple[str, ...]
    scope: str = "observations"
    applies_to: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    each: str = "data_type"
    condition: Node | None = None
    having: Node | None = None
    group_by: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    limited_by: tuple[str, ...] = ()
    config: Mapping[str, Any] = field(default_factory=dict)
    report_fields: tuple[str, ...] = ()
    gaps: tuple[Mapping[str, str], ...] = ()


def compile_rule(path: Path | str, data: Mapping[str, Any], overrides: Mapping[str, Any] | None = None) -> Rule:
    """Build a `Rule`; any problem is a ProfileError naming the file and the key."""
    config = dict(data.get("config") or {})
    for key, value in (overrides or {}).items():
        if key not in config:
            known = ", ".join(sorted(config)) or "none"
            raise ProfileError(path, f"config.{key}", f"rule {data.get('id')} has no such setting (known: {known})")
        config[key] = value
    try:
        condition = parse(data["condition"], "condition", config, "item") if "condition" in data else None
        having = parse(data["having"], "having", config, "group") if "having" in data else None
    except ConditionError as exc:
        raise ProfileError(path, exc.key, exc.problem) from exc
    for key_name, table in (("requires", NEEDS), ("limited_by", LIMITS)):
        for n, key in enumerate(data.get(key_name) or []):
            if key not in table:
                raise ProfileError(path, f"{key_name}.{n}", f"unknown evidence key {key!r}")
    fields = [("applies_to", f) for f in data.get("applies_to") or {}]
    fields += [(f"group_by.{n}", f) for n, f in enumerate(data.get("group_by") or [])]
    fields += [(f"report_fields.{n}", f) for n, f in enumerate(data.get("report_fields") or [])]
    for key, name in fields:
        problem = check_path(name)
        if problem:
            raise ProfileError(path, key, problem)
    each = data.get("each", "data_type")
    if each not in EACH:
        raise ProfileError(path, "each", f"{each!r}: choose one of {', '.join(EACH)}")
    return Rule(
        id=data["id"],
        title=dict(data["title"]),
        explanation=dict(data["explanation"]),
        remediation=dict(data["remediation"]),
        severity=data["severity"],
        status=data["status"],
        citations=tuple(data["citations"]),
        scope=data.get("scope", "observations"),
        applies_to={k: tuple(v if isinstance(v, list) else [v]) for k, v in (data.get("applies_to") or {}).items()},
        each=each,
        condition=condition,
        having=having,
        group_by=tuple(data.get("group_by") or ()),
        requires=tuple(data.get("requires") or ()),
        limited_by=tuple(data.get("limited_by") or ()),
        config=config,
        report_fields=tuple(data.get("report_fields") or ()),
        gaps=tuple(data.get("gaps") or ()),
    )


def compile_rules(knowledge: Any, overrides: Mapping[str, Mapping[str, Any]] | None = None) -> list[Rule]:
    """All rules of a Knowledge, sorted by id (deterministic output order)."""
    overrides = dict(overrides or {})
    unknown = sorted(set(overrides) - set(knowledge.rules))
    if unknown:
        raise ProfileError("--config", f"rules.{unknown[0]}", "no rule has this id")
    paths = knowledge.rule_paths
    out = []
    for rule_id, data in sorted(knowledge.rules.items()):
        out.append(compile_rule(paths[rule_id], data, overrides.get(rule_id)))
    return out
