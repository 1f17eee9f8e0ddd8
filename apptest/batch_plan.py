"""Before any engine starts: identify each app by its SHA-256 and decide what is left to do.

Rerunning the same command must not redo finished work (a campaign of 500 apps dies
with the laptop's battery at app 312). An app is done when `apps/<id>/app.json` holds a
judged result whose key equals the key this run would write: the APK's SHA-256, the
digest of every profile file, the apptest version, the categories, the judging settings
and the report formats. Change any of them and the app is judged again; anything else is
reused as it is. Failed apps are always retried (a timeout may not recur).

An input that is not a regular file (a FIFO named `x.apk`, a device) is failed here,
before anything opens it: opening a FIFO for reading blocks until a writer comes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from apptest.batch_inputs import AppInput, category_for
from apptest.batch_job import APP_RECORD, AppJob, base_row, failed_row
from apptest.report.write import FILENAMES

_UNSAFE = re.compile(r"[^\w.-]+")


@dataclass
class Planned:
    """One input app: either a row already known (reused, or failed before starting) or a job."""

    row: dict[str, Any] | None = None
    job: AppJob | None = None


@dataclass
class Plan:
    entries: list[Planned] = field(default_factory=list)
    duplicates: list[dict[str, str]] = field(default_factory=list)

    @property
    def jobs(self) -> list[AppJob]:
        return [e.job for e in self.entries if e.job is not None]


def app_id(name: str, digest: str) -> str:
    """`<file stem>-<first 12 hex of SHA-256>`: readable, and stable for the same bytes."""
    stem = _UNSAFE.sub("_", Path(name).stem).strip("._") or "app"
    return f"{stem[:48]}-{digest[:12]}"


def file_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def optional_sha256(path: Path | None) -> str | None:
    return file_sha256(path) if path is not None else None


def expected_key(base: Mapping[str, Any], app_category: str | None, package: str | None,
                 by_package: Mapping[str, str]) -> dict[str, Any]:  # fmt: skip
    categories = category_for(app_category, package, by_package)
    return {**base, "categories": categories.split(",") if categories else []}


def reusable(out_dir: Path, job: AppJob) -> dict[str, Any] | None:
    """The recorded row of a finished app when it is still valid for this run, else None."""
    folder = Path(out_dir) / "apps" / job.app_id
    try:
        row = json.loads((folder / APP_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(row, dict):
        return None
    if row.get("status") == "failed":  # only an unreadable APK is kept failed (see batch_task._kind)
        kept = row.get("kind") == "unreadable" and row.get("key") == job.key
        return {**row, "apk": job.given, "reused": True} if kept else None
    if row.get("status") != "ok":
        return None
    if row.get("key") != expected_key(job.key, job.category, row.get("package"), job.by_package):
        return None
    if not all((folder / FILENAMES[f]).is_file() for f in job.formats):
        return None
    return {**row, "apk": job.given, "reused": True}


def _stub(app: AppInput) -> AppJob:
    """A job shell for an app that cannot start (no hash): enough for its failed row."""
    digest = hashlib.sha256(str(app.path).encode("utf-8")).hexdigest()
    return AppJob(app_id=app_id(app.path.name, digest), apk=str(app.path), given=app.given, sha256="", size=0,
                  out_dir="", key={})  # fmt: skip


def plan(
    apps: Sequence[AppInput],
    missing: Sequence[AppInput],
    resolved: Mapping[str, str],
    template: AppJob,
) -> Plan:
    """The entries in input order. `resolved` maps each category name given to its ids
    ("网络约车类" -> "ride_hailing"); `template` carries the options every job shares."""
    out = Plan()
    by_sha: dict[str, str] = {}
    for app in apps:
        try:
            info = os.stat(app.path)
            if not stat.S_ISREG(info.st_mode):
                kind = "a FIFO" if stat.S_ISFIFO(info.st_mode) else "not a regular file"
                out.entries.append(Planned(row=failed_row(_stub(app), f"not an APK file ({kind}); not opened")))
                continue
            digest = file_sha256(app.path)
        except OSError as exc:
            out.entries.append(Planned(row=failed_row(_stub(app), f"{exc.strerror or exc}")))
            continue
        if digest in by_sha:
            out.duplicates.append({"apk": app.given, "same_as": by_sha[digest]})
            continue
        by_sha[digest] = app.given
        job = replace(
            template,
            app_id=app_id(app.path.name, digest),
            apk=str(app.path),
            given=app.given,
            sha256=digest,
            size=info.st_size,
            key={**template.key, "apk_sha256": digest},
            category=resolved[app.category.category] if app.category else None,
        )
        row = reusable(Path(job.out_dir), job)
        out.entries.append(Planned(row=row) if row is not None else Planned(job=job))
    for app in missing:
        out.entries.append(Planned(row=failed_row(_stub(app), "no such file (named in a CSV)")))
    return out


def not_run_row(job: AppJob) -> dict[str, Any]:
    """The row of an app the batch never got to (interrupted)."""
    return {**base_row(job), "status": "not_run", "report": None, "bundle": None, "error": "not run (interrupted)"}
