"""Which identification-method and MIIT items the rules check, and which stay manual.

`profiles/coverage.yaml` maps every item of the 2019 identification method (31 items)
and of the MIIT notices 337 and 164 to the rules that check it, with `automation: full |
partial | manual`. The judgement turns that into one row per item with the verdicts of its
rules and, where a tester filled one in, the manual result — so a lab sees at a glance
what the tool covered and what a person still has to do, instead of reading "no
findings" as "compliant".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from apptest.knowledge import ProfileError, check_schema, load_yaml

FILE = "coverage.yaml"


def load_coverage(knowledge: Any) -> list[dict[str, Any]]:
    """Coverage items from the built-in and lab folders (a lab item replaces by id)."""
    items: dict[str, dict[str, Any]] = {}
    found = False
    for folder in knowledge.dirs:
        path = Path(folder) / FILE
        if not path.exists():
            continue
        found = True
        data = load_yaml(path)
        check_schema(path, "coverage", data)
        for number, item in enumerate(data["items"]):
            if item["item"] not in knowledge.citations:
                raise ProfileError(path, f"items.{number}.item", f"unknown citation {item['item']!r}")
            for n, rule_id in enumerate(item.get("rules") or []):
                if rule_id not in knowledge.rules:
                    raise ProfileError(path, f"items.{number}.rules.{n}", f"unknown rule {rule_id!r}")
            items[item["item"]] = item
    if not found:
        raise ProfileError(Path(knowledge.dirs[0]) / FILE, "(file)", "missing")
    return list(items.values())


def _status(automation: str, verdicts: Sequence[str], manual: Mapping[str, Any] | None) -> str:
    """failed | passed | not_applicable | unchecked | needs_manual, most telling first."""
    if "failed" in verdicts or (manual and manual["verdict"] == "failed"):
        return "failed"
    if manual:
        return str(manual["verdict"])
    if automation == "manual":
        return "needs_manual"
    if not verdicts or "unchecked" in verdicts:
        return "unchecked"
    return "passed" if automation == "full" else "needs_manual"


def coverage_rows(
    items: Iterable[Mapping[str, Any]],
    verdicts: Mapping[str, str],
    citations: Mapping[str, Mapping[str, Any]],
    manual: Iterable[Mapping[str, Any]] = (),
) -> list[dict[str, Any]]:
    """One row per item: its rules and their verdicts, automation, manual result, status."""
    by_item = {m["item"]: m for m in manual}
    rows = []
    for item in items:
        rules = list(item.get("rules") or [])
        rule_verdicts = {r: verdicts.get(r, "unchecked") for r in rules}
        result = by_item.get(item["item"])
        rows.append(
            {
                "item": item["item"],
                "title": dict((citations.get(item["item"]) or {}).get("title") or {}),
                "rules": rules,
                "automated": item["automation"] != "manual",
                "automation": item["automation"],
                "verdicts": rule_verdicts,
                "manual": dict(result) if result else None,
                "status": _status(item["automation"], list(rule_verdicts.values()), result),
                "note": dict(item.get("note") or {}),
            }
        )
    return rows
