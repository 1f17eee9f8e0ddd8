"""The child process that judges one app: limits first, then scan, judge, report.

It runs forked from a worker (`batch_task.run_app`), so it lowers its own address-space
limit, asks the kernel to kill it if the worker dies, and takes SIGINT back to its default
so Ctrl-C stops it at once. It never prints or logs (a lock held by one of the worker's
threads at fork time would stay locked here); everything it has to say goes into files in
its staging folder: the app's bundle and reports and `app.json`, or `error.json`.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import stat
import sys
import traceback
from pathlib import Path
from typing import Any

from apptest.batch_job import AppJob, base_row, write_record
from apptest.batch_worker import worker_knowledge


def _die_with_parent(parent: int) -> None:
    """Linux: the kernel kills this child when its worker dies (no orphan keeps scanning)."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(70)


def _address_space() -> int:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def limit_memory(extra_mb: int) -> None:
    """RLIMIT_AS = what this process already maps + `extra_mb`: the app's own allowance.

    A forked child already maps the worker's memory (its libraries, its thread stacks), so
    an absolute limit would mean something different on every machine; the allowance on top
    of it does not.
    """
    if extra_mb <= 0:
        return
    limit = _address_space() + extra_mb * (1 << 20)
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _check_regular(apk: Path) -> None:
    from apptest.static.container import ApkError

    mode = os.stat(apk).st_mode
    if not stat.S_ISREG(mode):
        raise ApkError(f"{apk.name}: not a regular file ({_file_kind(mode)})")


def _file_kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a device")):
        if test(mode):
            return name
    return "not a plain file"


def judge_app(job: AppJob, staging: Path) -> dict[str, Any]:
    """Scan, judge (static only, as `apptest scan`: with the privacy policy the APK ships)
    and write the reports into `staging`."""
    from apptest.batch_inputs import category_for
    from apptest.batch_summary import app_row
    from apptest.policy.command import collect
    from apptest.report import write_reports
    from apptest.rules.analyze import analyze_bundle
    from apptest.rules.uncategorized import analyze_uncategorized
    from apptest.static.record import record_static
    from apptest.static.scan import scan_apk

    knowledge = worker_knowledge(job.profiles)
    apk = Path(job.apk)
    _check_regular(apk)
    bundle = staging / "bundle"
    result = scan_apk(apk, knowledge, workers=1)  # the batch already uses every core
    if result["apk"]["sha256"] != job.sha256:
        raise RuntimeError(f"{apk.name} changed while the batch ran (SHA-256 differs)")
    record_static(result, knowledge, bundle)
    collect(bundle, [], knowledge, captured=False, apk=apk)  # what it could not read, the judge says it lacked
    categories = category_for(job.category, result["apk"].get("package"), job.by_package)
    config = Path(job.config) if job.config else None
    suppress = Path(job.suppress) if job.suppress else None
    if categories:
        judgement = analyze_bundle(bundle, knowledge, categories, config_path=config, suppress_path=suppress)
    else:
        judgement = analyze_uncategorized(bundle, knowledge, config_path=config, suppress_path=suppress)
    write_reports(judgement, bundle, job.formats, staging, job.lang, knowledge=knowledge)
    doc = json.loads((staging / "report.json").read_text(encoding="utf-8"))
    row = {**base_row(job), "status": "ok", **app_row(doc)}
    row["key"] = {**job.key, "categories": [c["id"] for c in row["categories"]]}
    if not categories:
        row["category_note"] = "no category given: judged on the category-independent rules only"
    return row


def describe(exc: BaseException, memory_mb: int) -> str:
    """One line for the summary: what went wrong, in the user's terms."""
    from apptest.errors import UnreadableInput

    if isinstance(exc, MemoryError):
        return f"memory limit exceeded (more than {memory_mb} MB for this app; see --memory)"
    if isinstance(exc, UnreadableInput):
        return f"unreadable: {exc}"
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")
    return f"{type(exc).__name__}: {exc}"


def _kind(exc: BaseException) -> str:
    """`unreadable` is a property of the APK's bytes: the same file fails the same way again,
    so a rerun keeps that verdict instead of retrying (a timeout or a crash is retried)."""
    from apptest.errors import UnreadableInput

    if isinstance(exc, UnreadableInput):
        return "unreadable"
    return "memory" if isinstance(exc, MemoryError) else "error"


def child_main(job: AppJob, staging: Path, parent: int) -> int:
    """Judge the app into `staging`; the exit code for `os._exit` (0 done, 1 failed)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent(parent)
    # The bundle manifest records the command line: the batch command, not the worker's.
    sys.argv = list(job.argv) or sys.argv
    try:
        limit_memory(job.memory_mb)
        write_record(staging, judge_app(job, staging))
        return 0
    except BaseException as exc:
        error = {"error": describe(exc, job.memory_mb), "kind": _kind(exc), "trace": traceback.format_exc(limit=-6)}
        with contextlib.suppress(OSError):
            (staging / "error.json").write_text(json.dumps(error, ensure_ascii=False), encoding="utf-8")
        return 1
