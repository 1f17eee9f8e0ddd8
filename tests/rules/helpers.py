"""Write a small bundle into a temporary folder from the case builder's pieces."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.rules.cases.build import Case, case_files


def write_bundle(
    root: Path,
    observations: list[dict[str, Any]],
    phases: list[dict[str, Any]] | None = None,
    static: dict[str, Any] | None = None,
    category: str = "news",
) -> Path:
    case = Case("temp", category, "failed", observations=observations, phases=phases or [], static=static or {})
    root.mkdir(parents=True, exist_ok=True)
    for name, text in case_files(case).items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def shifted(records: list[dict[str, Any]], days: int) -> list[dict[str, Any]]:
    """The same records a number of days later (a retest on another day)."""
    out = []
    for record in records:
        copy = json.loads(json.dumps(record))
        day = int(copy["ts"][8:10]) + days
        copy["ts"] = copy["ts"][:8] + f"{day:02d}" + copy["ts"][10:]
        out.append(copy)
    return out
