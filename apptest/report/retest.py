"""`apptest retest OLD NEW`: what changed, per finding, by fingerprint (pure).

Set arithmetic on fingerprints, like detect-secrets' baseline compare: a fingerprint in
both runs is still present, one only in the new run is new, one only in the old run is
fixed — with two honest exceptions a prosecutor needs:

* **not rechecked**: the old finding's rule could not run in the retest (verdict
  `unchecked`, or the rule is gone), so absence proves nothing. It is never "fixed", it
  counts as remaining for the exit status, and it carries what the retest lacked (the
  rule's `missing_evidence`, `{zh, en}`);
* **suppressed**: the retest waived the finding with a justification; it is listed with
  the waiver and does not count as remaining.

Order is deterministic (status, severity, rule, fingerprint), so two retests of the same
runs print the same lines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from apptest.model import SEVERITIES, iso_ts
from apptest.report.document import judgement_of

FORMAT = "apptest-retest"
FORMAT_VERSION = 1
STATUSES = ("new", "still_present", "not_rechecked", "suppressed", "fixed")
REMAINING = ("new", "still_present", "not_rechecked")
FAIL_ON = (*SEVERITIES, "none")


def at_or_above(severity: str, threshold: str) -> bool:
    if threshold == "none":
        return False
    return SEVERITIES.index(severity) <= SEVERITIES.index(threshold)


def side(data: Mapping[str, Any]) -> dict[str, Any]:
    """What identifies one run: package, version, APK hash, seal, dates."""
    judgement = judgement_of(data)
    evidence = data.get("evidence") or {} if data.get("format") == "apptest-report" else {}
    manifest = evidence.get("manifest") or {}
    apk = manifest.get("apk") or {}
    bundle = judgement.get("bundle") or {}
    return {
        "package": bundle.get("package") or apk.get("package"),
        "version": apk.get("version_name"),
        "apk_sha256": bundle.get("apk_sha256") or apk.get("sha256"),
        "started": manifest.get("started"),
        "sealed": bundle.get("sealed"),
        "sums_sha256": (evidence.get("integrity") or {}).get("sums_sha256"),
        "findings": len(judgement.get("findings") or []),
        "report_generated": data.get("generated"),
    }


def _entry(
    status: str,
    finding: Mapping[str, Any],
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    out = {
        "status": status,
        "fingerprint": finding["fingerprint"],
        "rule_id": finding["rule_id"],
        "title": dict(finding.get("title") or {}),
        "severity": finding["severity"],
        "data_types": list(finding.get("data_types") or []),
        "actors": list(finding.get("actors") or []),
        "citations": list(finding.get("citations") or []),
        "old_observations": len((old or {}).get("observations") or []) if old else None,
        "new_observations": len((new or {}).get("observations") or []) if new else None,
    }
    if old and new and old.get("severity") != new.get("severity"):
        out["old_severity"] = old.get("severity")
    out.update(extra or {})
    return out


def compare(old: Mapping[str, Any], new: Mapping[str, Any], fail_on: str = "high") -> dict[str, Any]:
    """Compare two reports or judgements; returns the retest document (see retest.schema.json)."""
    if fail_on not in FAIL_ON:
        raise ValueError(f"fail_on {fail_on!r}: choose one of {', '.join(FAIL_ON)}")
    old_j, new_j = judgement_of(old), judgement_of(new)
    old_f = {f["fingerprint"]: f for f in old_j.get("findings") or []}
    new_f = {f["fingerprint"]: f for f in new_j.get("findings") or []}
    waived = {s["fingerprint"]: s for s in new_j.get("suppressed") or [] if s.get("fingerprint")}
    verdicts = {r["rule_id"]: r["verdict"] for r in new_j.get("rule_results") or []}
    missing = {r["rule_id"]: list(r.get("missing_evidence") or []) for r in new_j.get("rule_results") or []}
    items = []
    for fp, finding in new_f.items():
        items.append(_entry("still_present" if fp in old_f else "new", finding, old_f.get(fp), finding))
    for fp, finding in old_f.items():
        if fp in new_f:
            continue
        if fp in waived:
            entry = waived[fp]
            waiver = {"waiver": {k: entry.get(k) for k in ("justification", "by", "until")}}
            items.append(_entry("suppressed", finding, finding, None, waiver))
        elif verdicts.get(finding["rule_id"]) in (None, "unchecked"):
            extra: dict[str, Any] = {
                "new_verdict": verdicts.get(finding["rule_id"], "missing"),
                "missing_evidence": missing.get(finding["rule_id"], []),
            }
            items.append(_entry("not_rechecked", finding, finding, None, extra))
        else:
            items.append(_entry("fixed", finding, finding, None))
    sev = {s: n for n, s in enumerate(SEVERITIES)}
    items.sort(key=lambda i: (STATUSES.index(i["status"]), sev[i["severity"]], i["rule_id"], i["fingerprint"]))
    counts = {s: sum(1 for i in items if i["status"] == s) for s in STATUSES}
    blocking = [i for i in items if i["status"] in REMAINING and at_or_above(i["severity"], fail_on)]
    old_side, new_side = side(old), side(new)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "generated": iso_ts(),
        "fail_on": fail_on,
        "old": old_side,
        "new": new_side,
        "identity": {
            "same_package": old_side["package"] == new_side["package"],
            "apk_changed": old_side["apk_sha256"] != new_side["apk_sha256"],
        },
        "summary": {**counts, "blocking": len(blocking), "passed": not blocking},
        "items": items,
        "baseline": None,
        "glossary": dict(new.get("glossary") or old.get("glossary") or {}),
    }


def with_baseline(result: Mapping[str, Any], baseline: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Attach the other lab's problem list (already matched, see baseline.py) to a retest."""
    out = dict(result)
    rows = list(baseline)
    out["baseline"] = {
        "rows": rows,
        "summary": {s: sum(1 for r in rows if r["status"] == s) for s in ("fixed", "still_present", "not_checked")},
    }
    # the other lab's list carries no severity: any item still present blocks, unless --fail-on none
    still = sum(1 for r in rows if r["status"] == "still_present") if out.get("fail_on") != "none" else 0
    summary = dict(out["summary"])
    summary["blocking"] = summary["blocking"] + still
    summary["passed"] = summary["passed"] and still == 0
    out["summary"] = summary
    return out
