"""Scan every dex file of an APK, in this process or spread over the cores.

A large app has a dozen dex files that are independent of each other, so a machine with
two cores scans it in about half the time. Workers are forked (the opened APK and the
resolved knowledge are inherited, nothing is pickled on the way in); each returns plain
rows. Batch mode, which already runs one app per core, asks for one worker.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import struct
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from apptest.attribution import SdkIndex
from apptest.static.callsites import resolve_targets, scan_dex
from apptest.static.container import ApkPart
from apptest.static.dex import Dex, DexError

PARALLEL_MIN_BYTES = 8 << 20
_URL = re.compile(rb"https?://[\x21-\x7e]{4,300}")


@dataclass
class DexResult:
    label: str
    calls: list[dict[str, Any]] = field(default_factory=list)
    reflection: list[dict[str, Any]] = field(default_factory=list)
    class_names: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    read: bool = False


@dataclass
class Shared:
    """What every dex scan needs, resolved once before the workers start."""

    apis: list[dict[str, Any]]
    reflection_names: dict[str, list[str]]
    content_uris: list[dict[str, Any]]
    index: SdkIndex
    policy_keywords: list[str]


def scan_one(part: ApkPart, name: str, shared: Shared) -> DexResult:
    label = f"{part.name}!{name}" if part.name else name
    result = DexResult(label)
    before = len(part.errors)
    data = part.read(name)
    result.errors.extend(part.errors[before:])
    del part.errors[before:]
    if data is None:
        return result

    def owner(class_name: str) -> dict[str, Any] | None:
        sdk_id = shared.index.by_class(class_name)
        return shared.index.ref(sdk_id).to_dict() if sdk_id else None

    try:
        dex = Dex(data, label)
        targets = resolve_targets(dex, shared.apis, shared.reflection_names)
        result.calls, result.reflection = scan_dex(dex, targets, shared.content_uris, owner)
        result.class_names = dex.class_names
        result.read = True
    except (DexError, struct.error, IndexError, ValueError) as exc:
        result.errors.append(f"{label}: unreadable dex ({exc})")
        return result
    for match in _URL.finditer(data):
        url = match.group().decode("ascii", "replace").rstrip("\"';),")
        if any(k in url.lower() for k in shared.policy_keywords):
            result.urls.append(url)
    return result


_JOBS: tuple[Sequence[tuple[ApkPart, str]], Shared] | None = None


def _work(number: int) -> DexResult:
    assert _JOBS is not None
    part, name = _JOBS[0][number]
    return scan_one(part, name, _JOBS[1])


def default_workers(jobs: Sequence[tuple[ApkPart, str]]) -> int:
    """One worker unless there are several dex files with enough code to be worth a fork."""
    if len(jobs) < 2:
        return 1
    total = sum(part.size_of(name) for part, name in jobs)
    return min(os.cpu_count() or 1, len(jobs)) if total >= PARALLEL_MIN_BYTES else 1


def scan_all(
    jobs: Sequence[tuple[ApkPart, str]],
    shared: Shared,
    workers: int,
    progress: Callable[[], AbstractContextManager[Callable[[], None] | None]] = nullcontext,
) -> list[DexResult]:
    """Results in job order. `progress()` yields a per-dex callback; it is entered only after
    the workers are forked, so its display thread never exists in a forked child."""
    global _JOBS
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        results = []
        with progress() as done:
            for part, name in jobs:
                results.append(scan_one(part, name, shared))
                if done:
                    done()
        return results
    _JOBS = (jobs, shared)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool, progress() as done:
            results = []
            for result in pool.imap(_work, range(len(jobs))):
                results.append(result)
                if done:
                    done()
            return results
    finally:
        _JOBS = None
