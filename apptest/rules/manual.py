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


def attach_evidence(bundle: Bundle, base: Path, results: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copy each result's evidence files into the bundle; returns the results as reported.

    A zipped bundle is read from a temporary copy, so nothing can be added to it: the files
    are then only hashed, and the report says they were not copied.
    """
    folder = "derived/manual" if bundle.sealed else "manual"
    zipped = Path(getattr(bundle, "source", bundle.root)) != Path(bundle.root)
    out = []
    for entry in results:
        files = []
        for rel in entry.get("evidence") or []:
            data = (base / rel).read_bytes()
            record: dict[str, Any] = {"sha256": hashlib.sha256(data).hexdigest(), "copied": not zipped}
            if zipped:
                record["path"] = str(base / rel)
            else:
                record["path"] = f"{folder}/{entry['item']}/{Path(rel).name}"
                record["after_sealing"] = bundle.sealed
                bundle.store_file(record["path"], data)
            files.append(record)
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
