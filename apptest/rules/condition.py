"""Parse a rule's `and`/`or`/`not` tree once, check every leaf, then evaluate it cheaply.

A leaf is `{op: NAME, field: PATH, value: V}`. At load the operator must be in the one
table, the field must be a known path, a value must be given exactly when the operator
takes one, and `{config: KEY}` references are replaced by the rule's configured value (its
default, or a lab's override). Any problem is a `ConditionError` naming the key path inside
the rule (`condition.and.1.op`), which the loader turns into a one-line profile error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from apptest.rules.context import Facts, Item, check_path, resolve
from apptest.rules.operators import OPERATORS, Operator


class ConditionError(ValueError):
    """A malformed condition: `key` is the dotted path inside the rule."""

    def __init__(self, key: str, problem: str) -> None:
        self.key, self.problem = key, problem
        super().__init__(f"{key}: {problem}")


@dataclass(frozen=True)
class Leaf:
    name: str
    op: Operator
    field: str | None
    value: Any


@dataclass(frozen=True)
class Branch:
    kind: str  # and | or | not
    children: tuple[Node, ...]


Node = Leaf | Branch


def resolve_config(value: Any, config: Mapping[str, Any], key: str) -> Any:
    """Replace every `{config: NAME}` inside `value` with the configured value."""
    if isinstance(value, Mapping):
        if set(value) == {"config"}:
            name = value["config"]
            if name not in config:
                raise ConditionError(key, f"config key {name!r} is not in the rule's config")
            return config[name]
        return {k: resolve_config(v, config, f"{key}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_config(v, config, f"{key}.{n}") for n, v in enumerate(value)]
    return value


def parse(node: Any, key: str, config: Mapping[str, Any], kind: str) -> Node:
    """Compile one tree; `kind` is `item` (rule `condition`) or `group` (rule `having`)."""
    if not isinstance(node, Mapping):
        raise ConditionError(key, "a condition is a mapping (and / or / not / op)")
    branches = [k for k in ("and", "or", "not") if k in node]
    if branches:
        if len(node) != 1:
            raise ConditionError(key, f"{branches[0]!r} must be the only key of its mapping")
        name = branches[0]
        if name == "not":
            return Branch("not", (parse(node["not"], f"{key}.not", config, kind),))
        children = node[name]
        if not isinstance(children, list) or not children:
            raise ConditionError(f"{key}.{name}", "needs a non-empty list")
        return Branch(name, tuple(parse(c, f"{key}.{name}.{n}", config, kind) for n, c in enumerate(children)))
    return _leaf(node, key, config, kind)


def _leaf(node: Mapping[str, Any], key: str, config: Mapping[str, Any], kind: str) -> Leaf:
    extra = set(node) - {"op", "field", "value"}
    if extra:
        raise ConditionError(f"{key}.{sorted(extra)[0]}", "unknown key (a leaf has op, field, value)")
    name = node.get("op")
    op = OPERATORS.get(name) if isinstance(name, str) else None
    if op is None or not isinstance(name, str):
        raise ConditionError(f"{key}.op", f"unknown operator {name!r}")
    if op.kind != kind:
        where = "condition" if kind == "item" else "having"
        raise ConditionError(f"{key}.op", f"{name!r} is a {op.kind} operator; it cannot be used in {where}")
    field = node.get("field", op.field)
    if field is None and kind == "item":
        raise ConditionError(key, f"{name!r} needs a field")
    if field is not None:
        problem = check_path(field)
        if problem:
            raise ConditionError(f"{key}.field", problem)
    if op.value == "required" and "value" not in node:
        raise ConditionError(key, f"{name!r} needs a value")
    if op.value == "none" and "value" in node:
        raise ConditionError(f"{key}.value", f"{name!r} takes no value")
    value = resolve_config(node.get("value"), config, f"{key}.value")
    return Leaf(name=name, op=op, field=field, value=value)


def test_item(node: Node, item: Item, facts: Facts) -> bool:
    """Evaluate an item condition."""
    if isinstance(node, Branch):
        if node.kind == "not":
            return not test_item(node.children[0], item, facts)
        results = (test_item(c, item, facts) for c in node.children)
        return all(results) if node.kind == "and" else any(results)
    actual = resolve(item, facts, node.field or "")
    return bool(node.op.fn(actual, node.value, item, facts))


def test_group(node: Node, items: list[Item], facts: Facts) -> tuple[bool, dict[str, Any]]:
    """Evaluate a `having` condition; also returns what the group operators measured."""
    if isinstance(node, Branch):
        results = [test_group(c, items, facts) for c in node.children]
        detail: dict[str, Any] = {}
        for _, d in results:
            detail.update(d)
        if node.kind == "not":
            return not results[0][0], detail
        flags = [r for r, _ in results]
        return (all(flags) if node.kind == "and" else any(flags)), detail
    ok, measured = node.op.fn(items, facts, node.field, node.value)
    return bool(ok), dict(measured)
