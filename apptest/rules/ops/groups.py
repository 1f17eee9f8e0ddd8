"""Group operators: counts and rates over all items a rule grouped into one finding."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from apptest.rules.context import MISSING, Facts, Item, resolve


def _distinct_obs(items: Sequence[Item]) -> list[Item]:
    seen: dict[str, Item] = {}
    for item in items:
        if item.obs is not None:
            seen.setdefault(item.obs.id, item)
    return list(seen.values())


def group_count_at_least(
    items: Sequence[Item], facts: Facts, field: str | None, expected: Any
) -> tuple[bool, dict[str, Any]]:
    count = len(_distinct_obs(items))
    return count >= int(expected), {"count": count}


def group_distinct_at_least(
    items: Sequence[Item], facts: Facts, field: str | None, expected: Any
) -> tuple[bool, dict[str, Any]]:
    values = sorted({str(v) for i in items if (v := resolve(i, facts, field or "data_type")) is not MISSING})
    return len(values) >= int(expected), {"distinct": values}


def group_rate_per_minute_above(
    items: Sequence[Item], facts: Facts, field: str | None, expected: Any
) -> tuple[bool, dict[str, Any]]:
    """Most items in any 60-second window, against a limit (per data type when a mapping).

    A data type absent from the mapping has no limit: thresholds are tool defaults, and a
    rule only judges what it was configured for.
    """
    limit = expected
    if isinstance(expected, Mapping):
        data_type = items[0].data_type if items else None
        limit = expected.get(data_type or "", expected.get("*"))
    if limit is None:
        return False, {}
    times = sorted(i.at for i in _distinct_obs(items) if i.at is not None)
    most, start = 0, 0
    for end, moment in enumerate(times):
        while (moment - times[start]).total_seconds() >= 60:
            start += 1
        most = max(most, end - start + 1)
    return most > float(limit), {"max_per_minute": most, "limit_per_minute": limit}
