"""One app of a batch as a job and as a summary row: plain values that travel to a worker.

Kept apart from the code that runs a job, so the planner, the worker and the child share
one definition without importing each other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

APP_RECORD = "app.json"
STAGING_PREFIX = ".staging-"


@dataclass(frozen=True)
class AppJob:
    """Everything a worker needs to judge one app (plain values: it travels to the cluster)."""

    app_id: str
    apk: str  # absolute path, readable by the worker
    given: str  # as the user or the CSV named it
    sha256: str
    size: int
    out_dir: str
    key: dict[str, Any]  # the resumability key without `categories` (known after the scan)
    category: str | None = None  # resolved category ids "a,b" when known by path
    by_package: dict[str, str] = field(default_factory=dict)
    profiles: tuple[str, ...] = ()
    formats: tuple[str, ...] = ("json",)
    lang: str = "zh"
    timeout: float = 300.0
    memory_mb: int = 4096
    config: str | None = None
    suppress: str | None = None
    argv: tuple[str, ...] = ()


def base_row(job: AppJob) -> dict[str, Any]:
    return {
        "id": job.app_id,
        "apk": job.given,
        "file": Path(job.apk).name,
        "sha256": job.sha256,
        "size": job.size,
        "report": f"apps/{job.app_id}/report.json",
        "bundle": f"apps/{job.app_id}/bundle",
    }


def failed_row(job: AppJob, error: str, seconds: float | None = None) -> dict[str, Any]:
    """The summary row of an app that could not be judged, with the reason."""
    row = {**base_row(job), "status": "failed", "error": error, "report": None, "bundle": None}
    if seconds is not None:
        row["seconds"] = round(seconds, 3)
    return row


def write_record(folder: Path, row: dict[str, Any]) -> None:
    """app.json: the app's summary row and its key (what a rerun compares)."""
    (folder / APP_RECORD).write_text(json.dumps(row, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
