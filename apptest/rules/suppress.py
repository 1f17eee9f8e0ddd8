"""Waivers: a lab may suppress a finding by fingerprint, and must say why.

A suppression never deletes anything: the finding moves from `findings` to `suppressed`
with its justification, who waived it and until when, so the report shows the waiver
and a court sees the reasoning. A waiver past its `until` date no longer applies (the
finding is back, and the report says the waiver expired); one that matched nothing is
listed as unused, so stale files get cleaned up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from apptest.model import Finding
from apptest.rules.config import read_lab_file


def load_suppressions(path: Path) -> list[dict[str, Any]]:
    """Read and validate a suppression file (YAML or JSON); one-line error when broken."""
    return list(read_lab_file(Path(path), "suppressions").get("suppressions") or [])


def _active(entry: dict[str, Any], today: date) -> bool:
    until = entry.get("until")
    return until is None or date.fromisoformat(str(until)) >= today


def apply_suppressions(
    findings: Sequence[Finding], suppressions: Iterable[dict[str, Any]], today: date
) -> tuple[list[Finding], list[dict[str, Any]], list[dict[str, Any]]]:
    """-> (findings kept, suppressed entries, suppressions that did not apply, with why)."""
    entries = list(suppressions)
    active = {e["fingerprint"]: e for e in entries if _active(e, today)}
    kept: list[Finding] = []
    suppressed: list[dict[str, Any]] = []
    used: set[str] = set()
    for finding in findings:
        entry = active.get(finding.fingerprint)
        if entry is None or entry.get("rule_id") not in (None, finding.rule_id):
            kept.append(finding)
            continue
        used.add(finding.fingerprint)
        suppressed.append(
            {
                "fingerprint": finding.fingerprint,
                "rule_id": finding.rule_id,
                "justification": entry["justification"],
                "by": entry.get("by"),
                "until": str(entry["until"]) if entry.get("until") else None,
                "finding": finding.to_dict(),
            }
        )
    unused = []
    for entry in entries:
        if entry["fingerprint"] in used:
            continue
        why = "expired" if not _active(entry, today) else "matched no finding"
        unused.append({"fingerprint": entry["fingerprint"], "rule_id": entry.get("rule_id"), "why": why})
    return kept, suppressed, unused
