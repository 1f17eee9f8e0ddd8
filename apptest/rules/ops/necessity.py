"""Operators that ask the category scope and the taxonomy: necessary, sensitive, dangerous."""

from __future__ import annotations

from typing import Any

from apptest.rules.context import Facts, Item
from apptest.rules.ops.compare import as_list


def op_necessary(actual: Any, expected: Any, item: Item, facts: Facts) -> bool:
    return isinstance(actual, str) and facts.scope.is_necessary(actual)


def op_not_necessary(actual: Any, expected: Any, item: Item, facts: Facts) -> bool:
    return isinstance(actual, str) and not facts.scope.is_necessary(actual)


def op_sensitive(actual: Any, expected: Any, item: Item, facts: Facts) -> bool:
    """PIPL art. 28 / GB/T 35273 Annex B, as flagged in the taxonomy."""
    return isinstance(actual, str) and bool((facts.data_types.get(actual) or {}).get("sensitive"))


def op_identifier(actual: Any, expected: Any, item: Item, facts: Facts) -> bool:
    return isinstance(actual, str) and bool((facts.data_types.get(actual) or {}).get("identifier"))


def op_permission_protection_in(actual: Any, expected: Any, item: Item, facts: Facts) -> bool:
    """Protection level from the taxonomy, else the one the static scan recorded."""
    if not isinstance(actual, str):
        return False
    level = (facts.permissions.get(actual) or {}).get("protection")
    if level is None and item.obs is not None:
        level = item.obs.detail.get("protection_level")
    return level is not None and any(str(e) in str(level).split("|") for e in as_list(expected))


def op_reaches_personal_data(actual: Any, expected: Any, item: Item, facts: Facts) -> bool:
    """The permission opens access to at least one personal-data type (taxonomy)."""
    return isinstance(actual, str) and bool((facts.permissions.get(actual) or {}).get("data_types"))


def op_permission_not_needed(actual: Any, expected: Any, item: Item, facts: Facts) -> bool:
    return isinstance(actual, str) and not facts.scope.needs_permission(actual)
