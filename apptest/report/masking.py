"""Masked previews: a report shows *that* a value was sent, never the value itself.

Collectors already mask what they write into observations (the traffic excerpt replaces a
matched value with `‹device.imei›`). A report still treats every captured string as
possibly raw — a bundle written by a lab's own tooling may hold an unmasked IMEI — so it
masks again: known raw-value fields are cut to their first and last characters, and long
digit or hex runs in free text (URLs, excerpts) are blanked the same way. Stacks and API
names are left alone: they are code, not personal data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# Detail fields that hold a captured value rather than a description of it.
RAW_KEYS = frozenset(
    {"value", "values", "raw", "return", "return_value", "retval", "result", "body", "canary", "known_value"}
)
_DIGITS = re.compile(r"(?<![0-9A-Za-z*])\d{7,}(?![0-9A-Za-z*])")
_HEXRUN = re.compile(r"(?<![0-9A-Za-z*])[0-9A-Fa-f]{12,}(?![0-9A-Za-z*])")
# `‹data.type›` labels put in by the traffic collector, and runs of `*` left by any masking.
_MARKERS = re.compile(r"‹[^›\n]{1,80}›|[0-9A-Za-z_.-]*\*{3,}[0-9A-Za-z_.-]*")


def mask_value(text: str) -> str:
    """First and last characters kept (2–4 by length), the rest starred: enough to compare."""
    n = len(text)
    if n <= 4:
        return "*" * max(n, 4)
    keep = 1 if n <= 8 else 2 if n <= 16 else 4
    return text[:keep] + "*" * min(n - 2 * keep, 12) + text[-keep:]


def scrub(text: str) -> str:
    """Long digit runs (IMEI, phone numbers) and hex runs (Android ID, MACs) in free text."""
    text = _HEXRUN.sub(lambda m: mask_value(m.group(0)), text)
    return _DIGITS.sub(lambda m: mask_value(m.group(0)), text)


def _mask_any(value: Any) -> Any:
    if isinstance(value, str):
        return mask_value(value)
    if isinstance(value, list | tuple):
        return [_mask_any(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _mask_any(v) for k, v in value.items()}
    if value is None or isinstance(value, bool):
        return value
    return mask_value(str(value))


def mask_detail(detail: Mapping[str, Any]) -> dict[str, Any]:
    """An observation's `detail` with raw-value fields masked and URL/excerpt scrubbed."""
    out: dict[str, Any] = {}
    for key, value in detail.items():
        if key in RAW_KEYS:
            out[key] = _mask_any(value)
        elif key in ("url", "excerpt", "path", "query") and isinstance(value, str):
            out[key] = scrub(value)
        elif isinstance(value, Mapping):
            out[key] = mask_detail(value)
        else:
            out[key] = value
    return out


def clean_observation(record: Mapping[str, Any]) -> dict[str, Any]:
    """An observation as a report carries it: no chain field, detail masked."""
    out = {k: v for k, v in record.items() if k != "prev"}
    if isinstance(out.get("detail"), Mapping):
        out["detail"] = mask_detail(out["detail"])
    return out


def highlight(text: str) -> list[dict[str, Any]]:
    """Split an excerpt into plain and highlighted pieces (masked values and value labels).

    Returns data, not markup: templates escape every piece, so a captured `<script>` stays
    text whichever piece it lands in.
    """
    pieces: list[dict[str, Any]] = []
    pos = 0
    for match in _MARKERS.finditer(text):
        if match.start() > pos:
            pieces.append({"text": text[pos : match.start()], "hit": False})
        pieces.append({"text": match.group(0), "hit": True})
        pos = match.end()
    if pos < len(text):
        pieces.append({"text": text[pos:], "hit": False})
    return pieces
