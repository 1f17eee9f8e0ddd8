"""One app of a batch: the engine task, which supervises the child that does the work.

An engine cannot stop a task that is already running (Dask, Ray and
`concurrent.futures` all say so), yet a hostile APK can loop, hang on a FIFO or eat all
memory. So the engine task only supervises: it forks a child that scans, judges and
writes the app's reports (`batch_child`), waits at most `timeout` seconds, and kills it
after that. The child lowers its own address-space limit (RLIMIT_AS) first, so a memory
bomb ends as a MemoryError in that child, never as the kernel's OOM killer picking a worker.

Fork, not spawn: the worker judged the sample APK once (`worker_knowledge`), so every
child starts with the profiles loaded and the schema, rule and template caches filled;
a fresh interpreter would spend longer starting than a small app takes to judge. The
child touches no lock of the worker's other threads (no logging, no printing) and exits
with `os._exit`; if it did deadlock, the timeout would still end it.

The child works in a hidden staging folder; only a finished app is renamed to
`apps/<id>/`, so an interrupted batch never leaves a half-written report behind.
"""

from __future__ import annotations

import json
import os
import resource
import secrets
import shutil
import signal
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from apptest.batch_child import child_main
from apptest.batch_job import APP_RECORD, STAGING_PREFIX, AppJob, failed_row, write_record
from apptest.batch_worker import worker_knowledge

# Python 3.12 warns on every fork from a process with threads (a Dask worker has its event
# loop and profiler threads). The child here is built for that (see the module docstring).
warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning, __name__)

__all__ = ["AppJob", "run_app"]


def _wait(pid: int, timeout: float) -> tuple[int, Any] | None:
    """(wait status, rusage) of the child, or None after killing it at the deadline."""
    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return status, usage
        left = deadline - time.monotonic()
        if left <= 0:
            os.kill(pid, signal.SIGKILL)
            os.wait4(pid, 0)
            return None
        time.sleep(min(delay, left))
        delay = min(delay * 2, 0.1)


def _reason(status: int, staging: Path, job: AppJob) -> tuple[str, str]:
    """(why the child failed, kind: unreadable / memory / error / crash)."""
    try:
        error = json.loads((staging / "error.json").read_text(encoding="utf-8"))
        return str(error["error"]), str(error.get("kind") or "error")
    except (OSError, ValueError, KeyError, TypeError):
        pass
    if os.WIFSIGNALED(status):
        sig = signal.Signals(os.WTERMSIG(status)).name
        if sig == "SIGKILL":
            return f"killed (SIGKILL) while judging: out of memory? (--memory {job.memory_mb} MB per app)", "crash"
        return f"crashed ({sig}) while judging", "crash"
    return f"the judging process exited with code {os.waitstatus_to_exitcode(status)} and no message", "crash"


def _mb(maxrss: int) -> float:
    """ru_maxrss in MB (Linux counts KiB, macOS bytes)."""
    return round(maxrss / (1 << 20 if sys.platform == "darwin" else 1 << 10), 1)


def _publish(staging: Path, target: Path) -> None:
    """Swap the finished folder in; an older result for the same APK goes only once replaced."""
    old = None
    if target.exists():
        old = target.with_name(f"{STAGING_PREFIX}old-{target.name}-{os.getpid()}")
        target.rename(old)
    staging.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def run_app(job: AppJob) -> dict[str, Any]:
    """The engine task: judge one app in a child process with a time and memory limit.

    Returns the app's summary row; never raises for a bad app (its row says `failed`).
    """
    if not hasattr(os, "fork"):
        return failed_row(job, "apptest batch workers need os.fork (Linux or macOS)")
    worker_knowledge(job.profiles)
    apps = Path(job.out_dir) / "apps"
    apps.mkdir(parents=True, exist_ok=True)
    staging = apps / f"{STAGING_PREFIX}{job.app_id}-{os.getpid()}-{secrets.token_hex(4)}"
    staging.mkdir()
    started = time.monotonic()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child never returns from here
        code = 70
        try:
            code = child_main(job, staging, parent)
        finally:
            os._exit(code)
    try:
        outcome = _wait(pid, job.timeout)
        seconds = time.monotonic() - started
        if outcome is None:
            return failed_row(job, f"timed out after {job.timeout:g} s (killed; see --timeout)", seconds)
        status, usage = outcome
        if not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):
            reason, kind = _reason(status, staging, job)
            row = {**failed_row(job, reason, seconds), "kind": kind}
            if kind == "unreadable":  # kept, so the rerun does not retry the same bytes
                shutil.rmtree(staging)
                staging.mkdir()
                row["key"] = job.key
                write_record(staging, row)
                _publish(staging, apps / job.app_id)
            return row
        row = json.loads((staging / APP_RECORD).read_text(encoding="utf-8"))
        row["seconds"] = round(seconds, 3)
        row["peak_rss_mb"] = _mb(usage.ru_maxrss)
        row["worker"] = {"pid": os.getpid(), "peak_rss_mb": _mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)}
        write_record(staging, row)
        (staging / "error.json").unlink(missing_ok=True)
        _publish(staging, apps / job.app_id)
        return row
    finally:
        shutil.rmtree(staging, ignore_errors=True)
