"""`apptest profiles list|show|validate`: the knowledge a judgement uses, for people.

Listing and validating live next to the judge because validation must compile the rules
(operators, fields, config references) and the coverage table exactly as `analyze` will:
a profile that `validate` accepts never fails later in the middle of a judgement.
"""

from __future__ import annotations

import difflib
from typing import Any

from apptest.errors import UnreadableInput
from apptest.rules.coverage import load_coverage
from apptest.rules.rule import compile_rules


class UnknownItem(UnreadableInput):
    """`profiles show ID` for an id no profile has; the message lists close matches."""


def profile_rows(knowledge: Any, kind: str) -> list[dict[str, Any]]:
    """One short row per item, in a stable order."""
    if kind == "categories":
        cats = sorted(knowledge.categories.values(), key=lambda c: c["number"])
        return [
            {
                "number": c["number"],
                "id": c["id"],
                "zh": c["name"]["zh"],
                "en": c["name"]["en"],
                "necessary": len(c.get("necessary") or []) + len(c.get("service_data") or []),
                "no_personal_info_needed": c["no_personal_info_needed"],
            }
            for c in cats
        ]
    if kind == "rules":
        return [
            {"id": r.id, "severity": r.severity, "status": r.status, "en": r.title["en"], "zh": r.title["zh"]}
            for r in compile_rules(knowledge)
        ]
    if kind == "citations":
        return [
            {"id": c["id"], "verification": c.get("verification"), "en": (c.get("title") or {}).get("en")}
            for c in knowledge.citations.values()
        ]
    return [
        {"item": i["item"], "automation": i["automation"], "rules": ",".join(i["rules"]) or "-"}
        for i in load_coverage(knowledge)
    ]


def find_item(knowledge: Any, item_id: str) -> tuple[str, dict[str, Any]]:
    """(kind, item) for a category (slug or Chinese name), rule, citation or data type."""
    try:
        return "category", dict(knowledge.category(item_id))
    except KeyError:
        pass
    for kind, table in (
        ("rule", knowledge.rules),
        ("citation", knowledge.citations),
        ("data type", knowledge.data_types),
        ("permission", knowledge.permissions),
    ):
        if item_id in table:
            return kind, dict(table[item_id])
    names = [*knowledge.categories, *knowledge.rules, *knowledge.citations, *knowledge.data_types]
    close = difflib.get_close_matches(item_id, names, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise UnknownItem(f"no category, rule, citation or data type {item_id!r}{hint}")


def validate_profiles(knowledge: Any) -> dict[str, int]:
    """Load and check everything a judgement needs; raise a ProfileError on the first problem."""
    knowledge.validate_all()
    rules = compile_rules(knowledge)
    coverage = load_coverage(knowledge)
    return {
        "categories": len(knowledge.categories),
        "rules": len(rules),
        "citations": len(knowledge.citations),
        "data types": len(knowledge.data_types),
        "coverage items": len(coverage),
    }
