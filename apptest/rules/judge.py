"""Bundle -> judgement: the one entry point of the judge.

`read_evidence` is the only I/O (through `apptest.evidence`, the one bundle reader);
`judge` is pure: the same evidence, profiles and settings always give the same
judgement, in the same order, which is what lets a court re-run it years later. The
judgement is the canonical JSON every report format renders from
(`apptest/schemas/judgement.schema.json`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from apptest import __version__
from apptest.errors import UnreadableInput
from apptest.evidence import LATE_POLICY_STREAM, Bundle, read_jsonl
from apptest.model import SEVERITIES, Finding, Observation, PhaseMark, parse_ts
from apptest.rules.config import JudgeConfig
from apptest.rules.context import Facts
from apptest.rules.coverage import coverage_rows, load_coverage
from apptest.rules.engine import run_rule
from apptest.rules.join import attribute_senders
from apptest.rules.levels import level_index
from apptest.rules.limits import CONSENT_UNMARKED
from apptest.rules.policy import PolicyIndex
from apptest.rules.policy_matrix import policy_matrix
from apptest.rules.rule import Rule, compile_rules
from apptest.rules.scope import build_scope, describe_scope
from apptest.rules.state import build_timeline, effects_of, marks_from_observations
from apptest.rules.suppress import apply_suppressions
from apptest.rules.text import Text, text

FORMAT = "apptest-judgement"
FORMAT_VERSION = 1
# A privacy policy obtained after the bundle was sealed: written by the policy collector
# outside SHA256SUMS (apptest/policy/collect.py names the same path), judged like any policy.
AFTER_SEALING_POLICY = LATE_POLICY_STREAM


class UnknownCategory(UnreadableInput):
    """A --category value that names no profile; the message lists close matches."""


@dataclass
class Evidence:
    """What a bundle holds, as read (bad lines are listed in `errors`, not fatal)."""

    path: str
    manifest: dict[str, Any]
    static: dict[str, Any]
    observations: list[Observation]
    phases: list[PhaseMark]
    sealed: bool = False
    errors: list[str] = field(default_factory=list)


def read_evidence(root: Path) -> Evidence:
    """Open a bundle (BundleError when it is not one) and read its four judged parts.

    A policy added after sealing (`derived/policy/`) joins the observations: only its
    `source: policy` records, so nothing else can enter the judgement from outside the seal.
    """
    bundle = Bundle.open(Path(root))
    observations, obs_errors = bundle.observations()
    late = read_jsonl(bundle.root / AFTER_SEALING_POLICY, "observation")
    late_errors = [f"{AFTER_SEALING_POLICY}: {e}" for e in late.errors]
    for record in late.records:
        if record.get("source") == "policy":
            observations.append(Observation.from_dict(record))
        else:
            late_errors.append(f"{AFTER_SEALING_POLICY}: {record.get('id')}: not a policy observation; ignored")
    phases, phase_errors = bundle.phases()
    return Evidence(
        path=str(root),
        manifest=bundle.manifest(),
        static=bundle.static(),
        observations=observations,
        phases=phases,
        sealed=bundle.sealed,
        errors=[*bundle.static().get("errors", []), *obs_errors, *late_errors, *phase_errors],
    )


def resolve_categories(knowledge: Any, spec: str | Sequence[str]) -> list[dict[str, Any]]:
    """`map_navigation,新闻资讯类` -> category profiles; unknown names list close matches."""
    names = [n.strip() for n in (spec.split(",") if isinstance(spec, str) else spec) if n.strip()]
    if not names:
        raise UnknownCategory("--category: give a category slug or Chinese name (apptest profiles list)")
    out = []
    for name in names:
        try:
            out.append(knowledge.category(name))
        except KeyError:
            choices = {c["id"]: c["id"] for c in knowledge.categories.values()}
            choices.update({c["name"]["zh"]: c["id"] for c in knowledge.categories.values()})
            close = difflib.get_close_matches(name, list(choices), n=3, cutoff=0.4)
            hint = f"; did you mean {', '.join(close)}?" if close else "; see apptest profiles list"
            raise UnknownCategory(f"--category: unknown category {name!r}{hint}") from None
    return list({c["id"]: c for c in out}.values())


def build_facts(
    evidence: Evidence, knowledge: Any, categories: Sequence[Mapping[str, Any]], config: JudgeConfig
) -> Facts:
    """Everything rules share: scope, timeline, senders, taxonomy maps, bundle counts."""
    observations = sorted(evidence.observations, key=lambda o: parse_ts(o.ts))
    marks = [*evidence.phases, *marks_from_observations(observations)]
    timeline = build_timeline(marks, effects_of(knowledge.phases))
    counts: dict[str, int] = {}
    by_kind: dict[tuple[str, str], list[Observation]] = {}
    for obs in observations:
        counts[obs.source] = counts.get(obs.source, 0) + 1
        by_kind.setdefault((obs.source, obs.action), []).append(obs)
    moments = {o.id: parse_ts(o.ts) for o in observations}
    policy = PolicyIndex.build(observations, knowledge.sdks)
    return Facts(
        scope=build_scope(categories, knowledge.data_types),
        timeline=timeline,
        static=evidence.static,
        data_types=knowledge.data_types,
        permissions=knowledge.permissions,
        observations=tuple(observations),
        senders=attribute_senders(observations, config.join_window_seconds),
        bundle={
            "observations": len(observations),
            "runtime": counts.get("runtime", 0),
            "traffic": counts.get("traffic", 0),
            "static": counts.get("static", 0),
            "scenario": counts.get("scenario", 0),
            "dynamic": counts.get("runtime", 0) + counts.get("traffic", 0),
            "sealed": evidence.sealed,
            "consent_marked": timeline.consent_marked,
            "marks": sorted({m.name for m in timeline.marks}),
            "policy": policy.summary(),
        },
        moments=moments,
        by_id={o.id: o for o in observations},
        states={oid: timeline.at(at) for oid, at in moments.items()},
        by_kind={k: tuple(v) for k, v in by_kind.items()},
        levels=level_index(observations),
        policy=policy,
    )


def _notes(evidence: Evidence, facts: Facts) -> list[Text]:
    """How the bundle was judged, in both languages (a report prints them beside its own labels)."""
    notes = []
    if not evidence.sealed:
        notes.append(
            text(
                "证据包未封存（没有 SHA256SUMS）：照常判定，但其完整性未得到证明",
                "bundle is unsealed (no SHA256SUMS): judged all the same; its integrity is not proven",
            )
        )
    late = [d for d in facts.policy.documents if d.detail.get("after_sealing")]
    if late:
        files = ", ".join(str(d.detail.get("file")) for d in late)
        notes.append(
            text(
                f"隐私政策文本在证据包封存后加入（{files}）：不受 SHA256SUMS 保护，照常判定",
                f"privacy policy text added after the bundle was sealed ({files}): not covered by SHA256SUMS; "
                "judged all the same",
            )
        )
    if not facts.timeline.consent_marked and facts.bundle["dynamic"]:
        notes.append(dict(CONSENT_UNMARKED))
    if facts.timeline.unknown:
        marks = ", ".join(facts.timeline.unknown)
        notes.append(
            text(
                f"不在 profiles/phases.yaml 中的阶段标记已被忽略：{marks}",
                f"phase marks not in profiles/phases.yaml were ignored: {marks}",
            )
        )
    return notes


def _summary(findings: Sequence[Finding], results: Sequence[dict[str, Any]], suppressed: int) -> dict[str, Any]:
    by_severity = {s: sum(1 for f in findings if f.severity == s) for s in SEVERITIES}
    verdicts = {v: sum(1 for r in results if r["verdict"] == v) for v in ("failed", "unchecked", "passed")}
    return {"findings": len(findings), "by_severity": by_severity, "verdicts": verdicts, "suppressed": suppressed}


def judge(
    evidence: Evidence,
    knowledge: Any,
    categories: Sequence[Mapping[str, Any]],
    *,
    config: JudgeConfig | None = None,
    rules: Sequence[Rule] | None = None,
    suppressions: Iterable[dict[str, Any]] = (),
    manual: Sequence[dict[str, Any]] = (),
    today: date | None = None,
) -> dict[str, Any]:
    """The judgement dict: findings, rule_results, coverage, bundle, categories, scope, …"""
    config = config or JudgeConfig()
    rules = list(rules) if rules is not None else compile_rules(knowledge, config.rules)
    facts = build_facts(evidence, knowledge, categories, config)
    findings: list[Finding] = []
    results: list[dict[str, Any]] = []
    for rule in rules:
        result, found = run_rule(rule, facts)
        findings.extend(found)
        results.append(
            {
                **result.to_dict(),
                "title": dict(rule.title),
                "severity": rule.severity,
                "status": rule.status,
                "findings": len(found),
                "config": dict(rule.config),
                "gaps": [dict(g) for g in rule.gaps],
            }
        )
    order = {s: n for n, s in enumerate(SEVERITIES)}
    findings.sort(key=lambda f: (order[f.severity], f.rule_id, f.fingerprint))
    kept, suppressed, unused = apply_suppressions(findings, suppressions, today or datetime.now(UTC).date())
    verdicts = {r["rule_id"]: r["verdict"] for r in results}
    manifest_apk = evidence.manifest.get("apk") or {}
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "tool": {"name": "apptest", "version": __version__},
        "bundle": {
            "path": evidence.path,
            "package": manifest_apk.get("package"),
            "apk_sha256": manifest_apk.get("sha256"),
            "sealed": evidence.sealed,
            "observations": len(facts.observations),
            "phase_marks": len(facts.timeline.marks),
            "errors": list(evidence.errors),
            "notes": _notes(evidence, facts),
        },
        "categories": [{"id": c["id"], "number": c.get("number"), "name": dict(c["name"])} for c in categories],
        "scope": describe_scope(categories, facts.scope),
        "summary": _summary(kept, results, len(suppressed)),
        "findings": [f.to_dict() for f in kept],
        "rule_results": results,
        "coverage": coverage_rows(load_coverage(knowledge), verdicts, knowledge.citations, manual),
        "suppressed": suppressed,
        "unused_suppressions": unused,
        "manual": list(manual),
        "policy_matrix": policy_matrix(facts, knowledge.sdks),
    }


def at_or_above(findings: Iterable[Mapping[str, Any]], severity: str) -> bool:
    """True when a finding has `severity` or a higher one (for --fail-on)."""
    if severity == "none":
        return False
    limit = SEVERITIES.index(severity)
    return any(SEVERITIES.index(f["severity"]) <= limit for f in findings)
