"""`apptest policy` (and `analyze --policy`) in one call: given files, then captured pages."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from apptest.policy.captured import collect_captured
from apptest.policy.collect import collect_file


def collect(
    bundle_dir: Path, files: Sequence[Path], knowledge: Any, *, captured: bool = True, fmt: str | None = None
) -> dict[str, Any]:
    """Collect each file, then (with `captured`) the policy pages in the bundle's traffic."""
    done = [collect_file(bundle_dir, Path(f), knowledge, fmt) for f in files]
    errors: list[str] = []
    if captured:
        pages, errors = collect_captured(bundle_dir, knowledge)
        done.extend(pages)
    return {"bundle": str(bundle_dir), "collected": [c.to_dict() for c in done], "errors": errors}
