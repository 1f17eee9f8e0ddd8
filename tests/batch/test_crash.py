"""An app whose child dies on a signal (a native crash in a parser, the kernel's SIGKILL) fails
alone: the batch goes on, the row names the signal, and the rerun tries that app again.

The crash is real: `judge_app`, the function the forked child runs, is replaced in this
process before `run_app` forks, and the child inherits the replacement with the rest of its
memory. For one chosen APK it crashes the way native code does (a read of address 0, an
abort) or is killed; every other APK is judged by the real function.
"""

from __future__ import annotations

import ctypes
import faulthandler
import json
import os
import resource
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import apptest.batch_child
from apptest import __version__
from apptest.batch import BatchOptions, run_batch
from apptest.batch_inputs import AppInput
from apptest.batch_job import AppJob
from apptest.batch_plan import plan
from apptest.batch_task import run_app
from apptest.batch_worker import worker_knowledge
from apptest.knowledge import Knowledge
from apptest.manifest_facts import profile_facts
from tests.batch.conftest import BUILT, variant

# under pytest-xdist (and with the in-process Dask cluster below) this process has threads;
# apptest.batch_task forks on purpose (see its docstring)
pytestmark = pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")

CRASHER = "crasher.apk"
REAL_JUDGE = apptest.batch_child.judge_app


def _read_address_zero() -> None:
    ctypes.string_at(0)


def _kill_self() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


CRASHES: dict[str, tuple[Callable[[], Any], signal.Signals]] = {
    "segfault": (_read_address_zero, signal.SIGSEGV),
    "abort": (os.abort, signal.SIGABRT),
    "killed": (_kill_self, signal.SIGKILL),
}


def crashing_judge(crash: Callable[[], Any]) -> Callable[[AppJob, Path], dict[str, Any]]:
    """`judge_app` that dies inside the child for CRASHER and judges every other APK."""

    def judge(job: AppJob, staging: Path) -> dict[str, Any]:
        if Path(job.apk).name != CRASHER:
            return REAL_JUDGE(job, staging)
        faulthandler.disable()  # pytest's handler would print a traceback before re-raising
        resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))  # no core file
        crash()
        raise AssertionError("the crash did not end the child")

    return judge


@pytest.fixture(scope="module")
def template() -> AppJob:
    knowledge = worker_knowledge(())
    key = {"apptest": __version__, "profiles_sha256": profile_facts(knowledge.versions())["sha256"],
           "config_sha256": None, "suppress_sha256": None, "formats": ["json"], "lang": "zh"}  # fmt: skip
    return AppJob(app_id="", apk="", given="", sha256="", size=0, out_dir="", key=key, timeout=60)


def _plan(template: AppJob, out: Path, *apks: Path) -> list:
    return plan([AppInput(a, a.name) for a in apks], [], {}, replace(template, out_dir=str(out))).entries


@pytest.mark.parametrize("name", sorted(CRASHES))
def test_a_child_dying_on_a_signal_fails_that_app_only(
    template: AppJob, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    crash, sig = CRASHES[name]
    crasher = variant(BUILT / "rental.apk", tmp_path / CRASHER, name)
    good = variant(BUILT / "rental.apk", tmp_path / "good.apk", f"good-{name}")
    monkeypatch.setattr(apptest.batch_child, "judge_app", crashing_judge(crash))
    out = tmp_path / "out"
    crashed_entry, good_entry = _plan(template, out, crasher, good)

    row = run_app(crashed_entry.job)
    assert row["status"] == "failed" and row["kind"] == "crash"
    assert sig.name in row["error"] and "while judging" in row["error"]
    if sig == signal.SIGKILL:  # the kernel's OOM killer is the usual sender: the row says so
        assert "out of memory?" in row["error"] and "--memory" in row["error"]
    else:
        assert row["error"] == f"crashed ({sig.name}) while judging"
    assert row["report"] is None and row["seconds"] < 60
    # nothing published, no staging folder left: the rerun sees no result for it
    assert not (out / "apps" / row["id"]).exists() and not list((out / "apps").glob(".*"))

    # the same supervising process goes on with the next app
    assert run_app(good_entry.job)["status"] == "ok"

    # the rerun retries the crashed app and reuses the judged one
    again_crashed, again_good = _plan(template, out, crasher, good)
    assert again_crashed.job is not None and again_crashed.row is None
    assert again_good.job is None and again_good.row["reused"]


@contextmanager
def _threaded_client(cluster: str | None, workers: int) -> Iterator[Any]:
    """The batch's Dask engine with its worker in this process (threads, not processes), so the
    tasks fork from here and their children run the patched `judge_app`."""
    from distributed import Client, LocalCluster

    del cluster
    with LocalCluster(n_workers=1, threads_per_worker=workers, processes=False,
                      dashboard_address=None) as local, Client(local) as client:  # fmt: skip
        yield client


def _summary(out: Path) -> dict[str, Any]:
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def test_a_batch_records_the_crash_goes_on_and_retries_it_on_rerun(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    apps = tmp_path / "apps"
    apps.mkdir()
    variant(BUILT / "rental.apk", apps / "first.apk", "first")
    variant(BUILT / "rental.apk", apps / CRASHER, "crasher")
    variant(BUILT / "rental.apk", apps / "last.apk", "last")
    out = tmp_path / "out"
    options = BatchOptions(inputs=[apps], output=out, workers=1, timeout=60, bar=False)
    knowledge = Knowledge.load()
    said: list[str] = []
    monkeypatch.setattr("apptest.batch.open_client", _threaded_client)
    monkeypatch.setattr(apptest.batch_child, "judge_app", crashing_judge(_read_address_zero))

    result = run_batch(options, knowledge, said.append)
    assert not result.interrupted
    summary = _summary(out)
    rows = {Path(r["apk"]).name: r for r in summary["apps"]}
    assert {n: r["status"] for n, r in rows.items()} == {"first.apk": "ok", CRASHER: "failed", "last.apk": "ok"}
    assert summary["counts"]["judged"] == 2 and summary["counts"]["failed"] == 1
    assert summary["failed"] == [
        {"id": rows[CRASHER]["id"], "apk": rows[CRASHER]["apk"], "error": "crashed (SIGSEGV) while judging"}
    ]
    assert rows[CRASHER]["kind"] == "crash"
    assert "SIGSEGV" in (out / "summary.csv").read_text(encoding="utf-8-sig")
    assert "SIGSEGV" in (out / "summary.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in (out / "apps").iterdir()) == sorted([rows["first.apk"]["id"], rows["last.apk"]["id"]])

    # rerun, the crash gone: only the crashed app is judged again, the others are reused
    monkeypatch.setattr(apptest.batch_child, "judge_app", REAL_JUDGE)
    said.clear()
    run_batch(options, knowledge, said.append)
    assert any("1 apps to judge" in line for line in said), said
    summary = _summary(out)
    rows = {Path(r["apk"]).name: r for r in summary["apps"]}
    assert {n: (r["status"], bool(r.get("reused"))) for n, r in rows.items()} == {
        "first.apk": ("ok", True), CRASHER: ("ok", False), "last.apk": ("ok", True)
    }  # fmt: skip
    assert summary["counts"]["failed"] == 0 and summary["failed"] == []
    assert (out / rows[CRASHER]["report"]).is_file()
