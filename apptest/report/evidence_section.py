"""What a report carries from the bundle: facts, integrity, phases and masked observations.

This is the report's only I/O on evidence (through `apptest.evidence`, the one bundle
reader). Its output is plain JSON, stored in report.json under `evidence`, so a report can
be rendered again years later from report.json alone, without the bundle, and shows the
same excerpts, timeline and integrity facts it showed the day it was written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from apptest.evidence import Bundle, read_jsonl, verify
from apptest.report.masking import clean_observation
from apptest.rules.judge import AFTER_SEALING_POLICY

# static.json parts a report shows (reflection strings and exported components are left in
# the bundle: they explain a finding, they are not one).
STATIC_KEYS = (
    "apk",
    "permissions",
    "api_calls",
    "sdks",
    "auto_start",
    "packers",
    "flags",
    "warnings",
    "errors",
    "analysis_complete",
    "privacy_policy_hints",
)


def integrity(bundle: Bundle, public_key: Path | None = None) -> dict[str, Any]:
    """`apptest verify` in report form: sealed, signed, the SHA256SUMS digest, chain ends."""
    report = verify(bundle, public_key)
    return {
        "sealed": report.sealed,
        "ok": report.ok,
        "sums_sha256": report.sums_sha256,
        "signature": report.signature,
        "problems": list(report.problems),
        "streams": report.streams,
    }


def evidence_section(bundle: Bundle | Path, public_key: Path | None = None) -> dict[str, Any]:
    """Read a bundle (folder or zip) into the `evidence` part of a report document.

    The observations include a policy added after sealing (`derived/policy/`), as the judge
    read them, so every observation a judgement names is in the report.
    """
    if not isinstance(bundle, Bundle):
        bundle = Bundle.open(Path(bundle))
    static = bundle.static()
    observations = bundle.read_stream("observations.jsonl")
    late = read_jsonl(bundle.root / AFTER_SEALING_POLICY, "observation")
    late_policy = [r for r in late.records if r.get("source") == "policy"]
    phases = bundle.read_stream("phases.jsonl")
    return {
        "path": str(bundle.source),
        "manifest": bundle.manifest(),
        "integrity": integrity(bundle, public_key),
        "static": {k: static[k] for k in STATIC_KEYS if k in static},
        "phases": [{k: v for k, v in r.items() if k != "prev"} for r in phases.records],
        "observations": [clean_observation(r) for r in [*observations.records, *late_policy]],
        "read_errors": [*observations.errors, *late.errors, *phases.errors],
    }
