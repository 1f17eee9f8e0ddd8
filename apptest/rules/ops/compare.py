"""Plain comparisons over a field's value (checkov's attribute solvers)."""

from __future__ import annotations

from typing import Any

from apptest.rules.context import MISSING, Facts, Item


def present(actual: Any) -> bool:
    return actual is not MISSING and actual not in (None, "", [], {})


def as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple | set | frozenset) else [value]


def number(actual: Any) -> float | None:
    return float(actual) if isinstance(actual, int | float) and not isinstance(actual, bool) else None


def op_equals(actual: Any, expected: Any, item: Item, facts: Facts) -> bool:
    return actual is not MISSING and actual == expected


def op_not_equals(actual: Any, expected: Any, item: Item, facts: Facts) -> bool:
    return not op_equals(actual, expected, item, facts)


def op_in(actual: Any, expected: Any, item: Item, facts: Facts) -> bool:
    return actual is not MISSING and actual in as_list(expected)


def op_not_in(actual: Any, expected: Any, item: Item, facts: Facts) -> bool:
    return not op_in(actual, expected, item, facts)


def op_contains_any(actual: Any, expected: Any, item: Item, facts: Facts) -> bool:
    if not present(actual):
        return False
    return any(e in as_list(actual) for e in as_list(expected))


def op_exists(actual: Any, expected: Any, item: Item, facts: Facts) -> bool:
    return present(actual) == (True if expected is None else bool(expected))


def op_starts_with(actual: Any, expected: Any, item: Item, facts: Facts) -> bool:
    return isinstance(actual, str) and any(actual.startswith(str(e)) for e in as_list(expected))


def op_less_than(actual: Any, expected: Any, item: Item, facts: Facts) -> bool:
    value = number(actual)
    return value is not None and value < float(expected)


def op_greater_than(actual: Any, expected: Any, item: Item, facts: Facts) -> bool:
    value = number(actual)
    return value is not None and value > float(expected)
