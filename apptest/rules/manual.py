"""What only a person can judge: manual results for identification-method items.

Policy readability (M1.4), deceptive consent (M3.7) or back-end deletion (M6.4) cannot be
automated. A tester records each verdict in a manual-results file with their name, a
note and evidence files (screenshots, recordings); the judge copies the evidence into the
bundle with its SHA-256, so the report covers all 31 items and each manual verdict points
at preserved evidence. A sealed bundle is never changed: evidence for it goes under
`derived/manual/` (outside SHA256SUMS) and the report says it was added after sealing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from apptest.errors import UnreadableInput
from apptest.evidence import Bundle
from apptest.knowledge import ProfileError
from apptest.rules.config import read_lab_file


def load_manual(path: Path, known_items: Iterable[str]) -> list[dict[str, Any]]:
    """Read and validate a manual-results file; items must be coverage items."""
    path = Path(path)
    data = read_lab_file(path, "manual")
    known = set(known_items)
    results = list(data.get("results") or [])
    for number, entry in enumerate(results):
        if entry["item"] not in known:
            raise ProfileError(path, f"results.{number}.item", f"{entry['item']!r} is not a coverage item")
        for n, rel in enumerate(entry.get("evidence") or []):
            if not (path.parent / rel).is_file():
                raise ProfileError(path, f"results.{number}.evidence.{n}", f"file not found: {rel}")
    return results


class ZippedBundle(UnreadableInput):
    """Manual evidence for a zipped bundle: there is nowhere to keep it."""

    def __init__(self, source: Path) -> None:
        super().__init__(
            f"--manual: {source} is a zipped bundle, which is read from a temporary copy where "
            "the manual evidence would be lost; unzip it and analyze the folder"
        )


def attach_evidence(bundle: Bundle, base: Path, results: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copy each result's evidence files into the bundle; returns the results as reported.

    A zipped bundle is read from a temporary extraction that is deleted afterwards, so
    evidence copied there would be lost while the report claimed it was kept: refused
    (`analyze_bundle` refuses it before judging; this is the last line).
    """
    if Path(bundle.source) != Path(bundle.root):
        raise ZippedBundle(bundle.source)
    folder = "derived/manual" if bundle.sealed else "manual"
    out = []
    for entry in results:
        files = []
        for rel in entry.get("evidence") or []:
            data = (base / rel).read_bytes()
            path = f"{folder}/{entry['item']}/{Path(rel).name}"
            bundle.store_file(path, data)
            files.append({"path": path, "sha256": hashlib.sha256(data).hexdigest(), "after_sealing": bundle.sealed})
        out.append(report_entry(entry, files))
    return out


def report_entry(entry: dict[str, Any], files: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The shape a manual result takes in the judgement."""
    return {
        "item": entry["item"],
        "verdict": entry["verdict"],
        "tester": entry["tester"],
        "date": str(entry["date"]) if entry.get("date") else None,
        "note": entry.get("note"),
        "evidence": files if files is not None else [{"path": p} for p in entry.get("evidence") or []],
    }
