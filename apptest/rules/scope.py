"""The category scope: which data types and permissions the basic function needs.

An app that is several things at once (`--category A,B`) gets the union of the
categories' necessary data and permissions, and every decision remembers which category
made an item necessary, so a finding can say which profile it used. Items the rule lists
as alternatives ("或": fund account, bank card or payment account) each count as
necessary, and items necessary only for part of the service (conditional) count too: the
engine gives the app the benefit of the doubt here and leaves the narrower question to the
sensitive-data rule and to a human.
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


def build_scope(categories: Iterable[Mapping[str, Any]]) -> Scope:
    """Union of the categories' `necessary` + `service_data` items and `permissions`."""
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
    return Scope(
        categories=tuple(c["id"] for c in cats),
        necessary={k: tuple(dict.fromkeys(v)) for k, v in necessary.items()},
        conditional=frozenset(set(necessary) - unconditional),
        permissions={k: tuple(dict.fromkeys(v)) for k, v in permissions.items()},
        no_personal_info=bool(cats) and all(c.get("no_personal_info_needed") for c in cats),
    )
