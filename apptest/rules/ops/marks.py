"""Operators over the state and the phase marks: consent, denials, launches, steps."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from apptest.rules.context import Facts, Item
from apptest.rules.state import full_permission


def op_separately_consented(actual: Any, expected: Any, item: Item, facts: Facts) -> bool:
    return item.state is not None and isinstance(actual, str) and actual in item.state.separate


def op_covered_by_denied_permission(actual: Any, expected: Any, item: Item, facts: Facts) -> bool:
    """The data type is reachable only through permissions the user had denied at that
    moment (none granted in the test, and no install-time permission, reaches it): a value
    read anyway came through another path, a bypass of the refusal."""
    if item.state is None or not isinstance(actual, str):
        return False

    def reaches(perm: str) -> bool:
        return actual in ((facts.permissions.get(perm) or {}).get("data_types") or ())

    if not any(reaches(p) for p in item.state.denied) or any(reaches(p) for p in item.state.granted):
        return False
    # a permission granted at install (normal protection) is another lawful path to the data
    return not any(reaches(name) for name, p in facts.permissions.items() if p.get("protection") == "normal")


def op_refusal_not_needed(actual: Any, expected: Any, item: Item, facts: Facts) -> bool:
    """A recorded refusal the basic function did not need: a denied permission outside the
    category's permissions, or a refused/withdrawn policy in a category that needs no
    personal information (NPI art. 4, PIPL art. 16)."""
    if not isinstance(actual, str) or item.at is None:
        return False
    name, _, param = actual.partition(":")
    if param and name.startswith("permission_"):
        param = full_permission(param)
    marks = [m for m in facts.timeline.find(name, param or None) if m.at <= item.at]
    if not marks:
        return False
    if name == "permission_denied" and param:
        return not facts.scope.needs_permission(param)
    if name in ("consent_refused", "consent_withdrawn"):
        return facts.scope.no_personal_info
    return False


def op_denied_earlier(actual: Any, expected: Any, item: Item, facts: Facts) -> bool:
    """The permission was denied before, within `within_hours`, and (with `without_step`)
    the tester did nothing between the denial and this request."""
    if item.state is None or item.at is None or not isinstance(actual, str):
        return False
    denied = item.state.denial_time(actual)
    if denied is None or denied >= item.at:
        return False
    options = expected or {}
    if item.at - denied > timedelta(hours=float(options.get("within_hours", 48))):
        return False
    if options.get("without_step"):
        last_step = item.state.last_step
        return last_step is None or last_step <= denied
    return True


def op_within_seconds_after(actual: Any, expected: Any, item: Item, facts: Facts) -> bool:
    """At most `seconds` after the latest `mark` at or before the item."""
    if item.at is None:
        return False
    at = item.at
    marks = [m.at for m in facts.timeline.find(str(expected["mark"])) if m.at <= at]
    return bool(marks) and (at - max(marks)).total_seconds() <= float(expected["seconds"])


def op_before_first_mark(actual: Any, expected: Any, item: Item, facts: Facts) -> bool:
    """No `expected` mark (e.g. `step`: nothing done by the tester yet) at or before the item."""
    if item.at is None:
        return False
    at = item.at
    return not any(m.at <= at for m in facts.timeline.find(str(expected)))


def op_category_allows(actual: Any, expected: Any, item: Item, facts: Facts) -> bool:
    """`expected` maps category id -> data types a rule tolerates there (a configured list)."""
    allowed = expected or {}
    return any(actual in (allowed.get(cat) or ()) for cat in facts.scope.categories)
