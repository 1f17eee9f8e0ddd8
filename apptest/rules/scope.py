"""The category scope: which data types and permissions the basic function needs.

An app that is several things at once (`--category A,B`) gets the union of the
categories' necessary data and permissions, and every decision remembers which category
made an item necessary, so a finding can say which profile it used. Items the rule lists
as alternatives ("或": fund account, bank card or payment account) each count as
necessary, and items necessary only for part of the service (conditional) count too: the
engine gives the app the benefit of the doubt here and leaves the narrower question to the
sensitive-data rule and to a human.

A data type that reveals another (`counts_as` in the taxonomy: cell and Wi-Fi access-point
data reveal approximate location) is necessary wherever a type it counts as is. That is
decided here, once, when the scope is built, so every operator, every finding and the
judgement's `scope` section agree on it: a map app reading cell info is in scope, a news
app doing so is not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Scope:
    """Necessary data types and permissions of one or more categories."""

    categories: tuple[str, ...]
    necessary: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    conditional: frozenset[str] = frozenset()
    permissions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    no_personal_info: bool = False
    counted_as: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def is_necessary(self, data_type: str | None) -> bool:
        return data_type is not None and data_type in self.necessary

    def needs_permission(self, permission: str | None) -> bool:
        return permission is not None and permission in self.permissions

    def basis(self, data_type: str | None) -> list[str]:
        """The categories that make `data_type` necessary (empty when none does)."""
        return list(self.necessary.get(data_type or "", ()))


def _item_types(item: Mapping[str, Any]) -> list[str]:
    if item.get("data_type"):
        return [item["data_type"]]
    return list(item.get("any_of") or [])


def build_scope(
    categories: Iterable[Mapping[str, Any]], data_types: Mapping[str, Mapping[str, Any]] | None = None
) -> Scope:
    """Union of the categories' `necessary` + `service_data` items and `permissions`, with
    the taxonomy's `counts_as` applied (`data_types`: the taxonomy's types by id)."""
    cats = list(categories)
    necessary: dict[str, list[str]] = {}
    permissions: dict[str, list[str]] = {}
    unconditional: set[str] = set()
    for cat in cats:
        for item in [*(cat.get("necessary") or []), *(cat.get("service_data") or [])]:
            for dt in _item_types(item):
                necessary.setdefault(dt, []).append(cat["id"])
                if not item.get("condition"):
                    unconditional.add(dt)
        for perm in cat.get("permissions") or []:
            permissions.setdefault(perm["name"], []).append(cat["id"])
    counted_as: dict[str, tuple[str, ...]] = {}
    for dt_id, info in sorted((data_types or {}).items()):
        if dt_id in necessary:
            continue  # necessary in its own right: its own basis says more
        through = tuple(t for t in info.get("counts_as") or () if t in necessary)
        if not through:
            continue
        counted_as[dt_id] = through
        necessary[dt_id] = [cat for t in through for cat in necessary[t]]
        if any(t in unconditional for t in through):
            unconditional.add(dt_id)
    return Scope(
        categories=tuple(c["id"] for c in cats),
        necessary={k: tuple(dict.fromkeys(v)) for k, v in necessary.items()},
        conditional=frozenset(set(necessary) - unconditional),
        permissions={k: tuple(dict.fromkeys(v)) for k, v in permissions.items()},
        no_personal_info=bool(cats) and all(c.get("no_personal_info_needed") for c in cats),
        counted_as=counted_as,
    )


def _items(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for item in items:
        entry: dict[str, Any] = (
            {"data_type": item["data_type"]} if item.get("data_type") else {"any_of": list(item.get("any_of") or [])}
        )
        if item.get("label"):
            entry["label"] = dict(item["label"])
        entry["condition"] = dict(item["condition"]) if item.get("condition") else None
        out.append(entry)
    return out


def describe_scope(categories: Iterable[Mapping[str, Any]], scope: Scope) -> dict[str, Any]:
    """The scope as the judgement states it: each category's own items, as its profile said
    on the day, and the data types made necessary through `counts_as`. A report renders
    the necessary data and permissions from this, never from the profiles of its own day."""
    return {
        "categories": [
            {
                "id": cat["id"],
                "name": dict(cat["name"]),
                "no_personal_info_needed": bool(cat.get("no_personal_info_needed")),
                "necessary": _items(cat.get("necessary") or []),
                "service_data": _items(cat.get("service_data") or []),
                "permissions": [
                    {"name": p["name"], "condition": dict(p["condition"]) if p.get("condition") else None}
                    for p in cat.get("permissions") or []
                ],
            }
            for cat in categories
        ],
        "counts_as": {dt: list(through) for dt, through in scope.counted_as.items()},
    }
