"""`apptest policy`, `analyze --policy` and the live run's last collection, in one call:
given files, then the policy the APK ships, then captured pages.

The order decides which origin a text is filed under when two hold the same bytes (it is
stored once, the later one is reported as already in the bundle): the tester's explicit
choice first, then the APK's own copy (pinned to the APK's SHA-256), then what the
proxy happened to capture.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from apptest.policy.captured import collect_captured
from apptest.policy.collect import collect_file
from apptest.policy.shipped import collect_shipped


def collect(
    bundle_dir: Path,
    files: Sequence[Path],
    knowledge: Any,
    *,
    captured: bool = True,
    shipped: bool = True,
    fmt: str | None = None,
    apk: Path | None = None,
) -> dict[str, Any]:
    """Collect each file, then (with `shipped`) the APK's policy assets, then (with
    `captured`) the policy pages in the bundle's traffic.

    `apk` is the APK to read the assets from (default: the one static.json names). A
    sealed bundle folder keeps its seal: every step writes under `derived/policy/`
    (`collect.placement`); a zip is refused by the first step, before anything is written.
    """
    done = [collect_file(bundle_dir, Path(f), knowledge, fmt) for f in files]
    passed_over = []
    errors: list[str] = []
    if shipped:
        found = collect_shipped(bundle_dir, knowledge, apk)
        done.extend(found.collected)
        passed_over.extend(found.passed_over)
        errors.extend(found.errors)
    if captured:
        pages, page_errors = collect_captured(bundle_dir, knowledge)
        done.extend(pages)
        errors.extend(page_errors)
    return {
        "bundle": str(bundle_dir),
        "collected": [c.to_dict() for c in done],
        "passed_over": [c.to_dict() for c in passed_over],
        "errors": errors,
    }
