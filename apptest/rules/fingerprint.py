"""A finding's identity across runs: rule id + the rule's grouping key, nothing volatile.

`apptest retest OLD NEW` and suppressions compare findings by this value, so it must not
change when the same app does the same thing again: no host name (CDNs rotate), no time,
no observation id, no line or offset. A rule's `group_by` may only name stable fields
(data type, permission, actor id/kind, destination party and SDK, API, component), which
the rule schema enforces; the key is serialised with sorted keys and sorted lists, so the
order observations arrived in never matters.

Renaming a rule id or a data type id changes every fingerprint built from it: ids are
stable forever (retire, never rename).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

VOLATILE = frozenset({"id", "ts", "pid", "destination.host", "evidence"})


def _stable(value: Any) -> Any:
    if isinstance(value, list | tuple | set | frozenset):
        return sorted((_stable(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, Mapping):
        return {str(k): _stable(v) for k, v in value.items()}
    return value


def fingerprint(rule_id: str, key: Mapping[str, Any]) -> str:
    """32 hex characters of SHA-256 over the rule id and the grouping key."""
    bad = sorted(set(key) & VOLATILE)
    if bad:
        raise ValueError(f"volatile field in a fingerprint: {bad[0]}")
    payload = json.dumps([rule_id, _stable(dict(key))], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]
