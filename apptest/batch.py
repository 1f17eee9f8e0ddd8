"""`apptest batch`: many apps at once, each scanned and judged statically, then one summary.

The wiring only: INPUTS -> apps (`batch_inputs`) -> what is left to do (`batch_plan`) ->
the engine (`batch_engine`, Dask) running one supervised task per app (`batch_task`) ->
the summary (`batch_summary`, rendered by `apptest.report`). Each app's result is a
folder `apps/<id>/` (bundle, report.json, app.json) that appears only when complete, so
Ctrl-C or a crash keeps every finished app and the rerun carries on from there. The
summary is written at the end and after an interruption.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apptest import __version__
from apptest.batch_engine import EngineError, check_workers, open_client, run_jobs
from apptest.batch_inputs import InputError, Tagged, collect, unmatched_packages
from apptest.batch_job import STAGING_PREFIX, AppJob
from apptest.batch_plan import Plan, not_run_row, optional_sha256, plan, reusable
from apptest.batch_progress import progress
from apptest.batch_summary import summarize, write_summary
from apptest.errors import UnreadableInput
from apptest.manifest_facts import profile_facts
from apptest.model import iso_ts
from apptest.rules.judge import resolve_categories

__all__ = ["BatchOptions", "BatchResult", "EngineError", "InputError", "run_batch"]


@dataclass
class BatchOptions:
    inputs: list[Path]
    output: Path
    categories: Path | None = None
    workers: int | None = None
    cluster: str | None = None
    timeout: float = 300.0
    memory_mb: int = 4096
    formats: tuple[str, ...] = ("json",)
    lang: str = "zh"
    config: Path | None = None
    suppress: Path | None = None
    profiles: list[Path] = field(default_factory=list)
    argv: list[str] = field(default_factory=list)
    bar: bool | None = None


@dataclass
class BatchResult:
    summary: dict[str, Any]
    interrupted: bool
    written: list[Path]


class OutputBusy(Exception):
    """Another batch is writing into the same output folder."""


@contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """One batch per output folder: two would judge the same apps and race on the summary."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / ".batch.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputBusy(f"-o {out}: another apptest batch is writing there") from None
        yield


def clean_staging(out: Path) -> None:
    """Remove what a killed batch left half-written (never a finished app's folder)."""
    apps = out / "apps"
    for leftover in apps.glob(f"{STAGING_PREFIX}*") if apps.is_dir() else ():
        shutil.rmtree(leftover, ignore_errors=True)


def resolve_names(knowledge: Any, tags: Iterable[Tagged]) -> dict[str, str]:
    """Each category name given -> its ids ("网络约车类" -> "ride_hailing"); unknown names stop
    the batch before any scan, naming the CSV line."""
    out: dict[str, str] = {}
    for tag in tags:
        if tag.category not in out:
            try:
                out[tag.category] = ",".join(c["id"] for c in resolve_categories(knowledge, tag.category))
            except UnreadableInput as exc:
                raise InputError(f"{tag.where}: {exc}") from None
    return out


def _template(options: BatchOptions, out: Path, knowledge: Any, by_package: dict[str, str]) -> AppJob:
    key = {
        "apptest": __version__,
        "profiles_sha256": profile_facts(knowledge.versions())["sha256"],
        "config_sha256": optional_sha256(options.config),
        "suppress_sha256": optional_sha256(options.suppress),
        "formats": sorted(options.formats),
        "lang": options.lang,
    }
    return AppJob(
        app_id="",
        apk="",
        given="",
        sha256="",
        size=0,
        out_dir=str(out),
        key=key,
        by_package=by_package,
        profiles=tuple(str(Path(p).resolve()) for p in options.profiles),
        formats=tuple(options.formats),
        lang=options.lang,
        timeout=options.timeout,
        memory_mb=options.memory_mb,
        config=str(options.config.resolve()) if options.config else None,
        suppress=str(options.suppress.resolve()) if options.suppress else None,
        argv=tuple(options.argv),
    )


def _execute(
    options: BatchOptions, todo: Plan, template: AppJob, rows: dict[str, dict[str, Any]], say: Callable[[str], None]
) -> dict[str, Any]:
    """Run the jobs on the engine; fills `rows` by app id as apps finish. Returns engine facts."""
    jobs = todo.jobs
    workers = options.workers or os.cpu_count() or 1
    engine: dict[str, Any] = {"name": "dask", "cluster": options.cluster, "workers": 0}
    if not jobs:
        return engine
    clock = time.monotonic()
    with open_client(options.cluster, min(workers, len(jobs)) if not options.cluster else workers) as client:
        engine["workers"] = check_workers(client, template.profiles, template.key)
        engine["startup_s"] = round(time.monotonic() - clock, 2)  # cluster up, profiles loaded and warm
        say(f"apptest batch: {len(jobs)} apps to judge on {engine['workers']} Dask workers"
            + (f" at {options.cluster}" if options.cluster else ""))  # fmt: skip
        with progress(len(jobs), say, options.bar) as advance:

            def finished(row: dict[str, Any]) -> None:
                rows[row["id"]] = row
                advance(row)

            run_jobs(client, jobs, finished)
    return engine


def _finished_unseen(job: AppJob) -> dict[str, Any] | None:
    """An app a worker finished after Ctrl-C reached the client: its folder is complete."""
    row = reusable(Path(job.out_dir), job)
    return {**row, "reused": False} if row is not None else None


def run_batch(options: BatchOptions, knowledge: Any, say: Callable[[str], None]) -> BatchResult:
    """Judge every app of INPUTS into `options.output`; returns the summary written there."""
    started, clock = iso_ts(), time.monotonic()
    inputs = collect(options.inputs, options.categories)
    if not inputs.apps and not inputs.missing:
        raise InputError("no .apk, .apks or .xapk file in INPUTS")
    resolved = resolve_names(knowledge, inputs.categories())
    out = options.output.resolve()
    with output_lock(out):
        clean_staging(out)
        by_package = {pkg: resolved[tag.category] for pkg, tag in inputs.by_package.items()}
        template = _template(options, out, knowledge, by_package)
        todo = plan(inputs.apps, inputs.missing, resolved, template)
        rows: dict[str, dict[str, Any]] = {}
        reused = sum(1 for e in todo.entries if e.row is not None and e.row.get("reused"))
        if reused:
            say(f"apptest batch: {reused} apps reused from an earlier run (same APK, profiles and options)")
        interrupted = False
        engine: dict[str, Any] = {}
        try:
            engine = _execute(options, todo, template, rows, say)
        except KeyboardInterrupt:
            interrupted = True
        ordered = []
        for entry in todo.entries:
            if entry.row is not None:
                ordered.append(entry.row)
            elif entry.job is not None:
                ordered.append(rows.get(entry.job.app_id) or _finished_unseen(entry.job) or not_run_row(entry.job))
        elapsed = time.monotonic() - clock
        judged_now = sum(1 for r in rows.values() if r["status"] == "ok")
        meta = {
            "generated": iso_ts(),
            "started": started,
            "tool": {"name": "apptest", "version": __version__},
            "profiles_sha256": template.key["profiles_sha256"],
            "command_line": list(options.argv),
            "engine": engine,
            "options": {
                "timeout_s": options.timeout,
                "memory_mb": options.memory_mb,
                "formats": list(options.formats),
                "lang": options.lang,
            },
            "interrupted": interrupted,
            "elapsed_s": round(elapsed, 2),
            "apps_per_minute": round(60 * len(rows) / elapsed, 2) if rows and elapsed > 0 else None,
            "judged_this_run": judged_now,
            "duplicates": todo.duplicates,
        }
        found = [r.get("package") for r in ordered]
        summary = summarize(ordered, meta, unmatched_packages(inputs.by_package, found))
        written = write_summary(out, summary, options.lang)
    return BatchResult(summary=summary, interrupted=interrupted, written=written)
