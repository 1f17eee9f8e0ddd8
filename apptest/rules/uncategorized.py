"""Judging an app whose category is not known: the category-independent rules only.

A campaign that screens a store's top apps often has no category for some of them. With
an empty category scope every data type would look "not necessary", so the scope rules
(out-of-scope collection, excessive permissions, refusal the basic function did not need)
would fire on everything: false findings. Those rules are not run; they are listed as
`unchecked` with the category as their missing evidence, exactly as a rule that lacks
runtime evidence is, and the judgement says so in its notes. Every other rule is judged
as usual, so an uncategorized app still gets its pre-consent, cleartext, packer and
target-SDK findings.

A rule needs a category when its condition uses an operator that reads the category
scope; that set is named here and a test keeps it equal to the operators whose code
reads `facts.scope`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from apptest.rules.condition import Branch, Leaf, Node
from apptest.rules.config import load_config
from apptest.rules.judge import judge, read_evidence
from apptest.rules.rule import Rule, compile_rules
from apptest.rules.suppress import load_suppressions
from apptest.rules.text import Text, text

CATEGORY_OPERATORS = frozenset(
    {"necessary", "not_necessary", "permission_not_needed", "refusal_not_needed", "category_allows"}
)
MISSING_CATEGORY = text(
    "App 的类别（apptest batch --categories，或 --category）",
    "the app's category (apptest batch --categories, or --category)",
)


def _note(n: int) -> Text:
    return text(
        f"未给出类别：只判定了与类别无关的规则；需要类别的 {n} 条规则未检查",
        f"no category given: only the category-independent rules were judged; "
        f"the {n} rules that need one are unchecked",
    )


def _operators(node: Node | None) -> Iterable[str]:
    if node is None:
        return
    if isinstance(node, Leaf):
        yield node.name
        return
    assert isinstance(node, Branch)
    for child in node.children:
        yield from _operators(child)


def needs_category(rule: Rule) -> bool:
    """True when the rule's condition or `having` asks the category scope."""
    return any(op in CATEGORY_OPERATORS for op in (*_operators(rule.condition), *_operators(rule.having)))


def mark_category_missing(judgement: Mapping[str, Any], skipped: Sequence[Rule]) -> dict[str, Any]:
    """The judgement with the skipped rules added as `unchecked` (pure; rule order kept by id)."""
    out = dict(judgement)
    rows = [
        {
            "rule_id": rule.id,
            "verdict": "unchecked",
            "missing_evidence": [dict(MISSING_CATEGORY)],
            "title": dict(rule.title),
            "severity": rule.severity,
            "status": rule.status,
            "findings": 0,
            "config": dict(rule.config),
            "gaps": [dict(g) for g in rule.gaps],
        }
        for rule in skipped
    ]
    out["rule_results"] = sorted([*judgement["rule_results"], *rows], key=lambda r: r["rule_id"])
    summary = dict(judgement.get("summary") or {})
    verdicts = dict(summary.get("verdicts") or {})
    verdicts["unchecked"] = verdicts.get("unchecked", 0) + len(rows)
    summary["verdicts"] = verdicts
    out["summary"] = summary
    bundle = dict(judgement.get("bundle") or {})
    bundle["notes"] = [*(bundle.get("notes") or []), _note(len(rows))]
    out["bundle"] = bundle
    return out


def analyze_uncategorized(
    bundle_dir: Path, knowledge: Any, *, config_path: Path | None = None, suppress_path: Path | None = None
) -> dict[str, Any]:
    """Judge a bundle with no category, as `analyze_bundle` judges one with a category."""
    config = load_config(config_path)
    rules = compile_rules(knowledge, config.rules)
    run = [r for r in rules if not needs_category(r)]
    skipped = [r for r in rules if needs_category(r)]
    suppressions = load_suppressions(suppress_path) if suppress_path else []
    judgement = judge(read_evidence(bundle_dir), knowledge, [], config=config, rules=run, suppressions=suppressions)
    return mark_category_missing(judgement, skipped)
