"""One app's engine task without an engine: the supervised child, its limits, and what a
rerun may reuse. `run_app` forks from this (warmed) test process exactly as from a worker."""

from __future__ import annotations

import json
import os
import shutil
import signal
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from apptest import __version__
from apptest.batch_inputs import AppInput
from apptest.batch_job import AppJob
from apptest.batch_plan import app_id, plan
from apptest.batch_task import run_app
from apptest.batch_worker import worker_knowledge
from apptest.manifest_facts import profile_facts
from tests.batch.conftest import BUILT, variant

# under pytest-xdist this process has threads; apptest.batch_task forks on purpose (see its docstring)
pytestmark = pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")


@pytest.fixture(scope="module")
def template() -> AppJob:
    knowledge = worker_knowledge(())
    key = {"apptest": __version__, "profiles_sha256": profile_facts(knowledge.versions())["sha256"],
           "config_sha256": None, "suppress_sha256": None, "formats": ["json"], "lang": "zh"}  # fmt: skip
    return AppJob(app_id="", apk="", given="", sha256="", size=0, out_dir="", key=key, timeout=60)


@pytest.fixture
def alarm() -> Iterator[None]:
    """Fail instead of hanging forever if something opens a FIFO."""
    signal.alarm(30)
    yield
    signal.alarm(0)


def _plan(template: AppJob, out: Path, *apks: Path, **changes: object) -> list:
    job = replace(template, out_dir=str(out), **changes)  # type: ignore[arg-type]
    return plan([AppInput(a, a.name) for a in apks], [], {}, job).entries


def test_an_app_is_judged_in_a_child_and_published_whole(template: AppJob, tmp_path: Path) -> None:
    [entry] = _plan(template, tmp_path, BUILT / "rental.apk")
    assert entry.job is not None and entry.row is None
    row = run_app(entry.job)
    assert row["status"] == "ok" and row["id"] == entry.job.app_id == app_id("rental.apk", row["sha256"])
    assert row["worker"]["pid"] == os.getpid()  # the supervising process is this one; the work ran in a child
    assert row["peak_rss_mb"] > 0 and 0 < row["seconds"] < 60
    folder = tmp_path / "apps" / row["id"]
    assert sorted(p.name for p in folder.iterdir()) == ["app.json", "bundle", "report.json"]
    assert json.loads((folder / "app.json").read_text(encoding="utf-8")) == row
    manifest = json.loads((folder / "bundle" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["apk"]["sha256"] == row["sha256"]
    assert not list((tmp_path / "apps").glob(".*"))

    # a rerun reuses it; another profile set, another format or a changed file does not
    [again] = _plan(template, tmp_path, BUILT / "rental.apk")
    assert again.row is not None and again.row["reused"] and again.job is None
    changed_key = {**template.key, "profiles_sha256": "0" * 64}
    assert _plan(template, tmp_path, BUILT / "rental.apk", key=changed_key)[0].job is not None
    assert _plan(template, tmp_path, BUILT / "rental.apk", formats=("json", "html"))[0].job is not None
    copy = variant(BUILT / "rental.apk", tmp_path / "rental.apk", "changed")
    assert _plan(template, tmp_path, copy)[0].job is not None


def test_an_app_past_its_time_limit_is_killed_and_retried_next_time(template: AppJob, tmp_path: Path) -> None:
    [entry] = _plan(template, tmp_path, BUILT / "rental.apk", timeout=0.05)
    row = run_app(entry.job)
    assert row["status"] == "failed" and "timed out after 0.05 s" in row["error"]
    assert not (tmp_path / "apps" / row["id"]).exists() and not list((tmp_path / "apps").glob(".*"))
    assert _plan(template, tmp_path, BUILT / "rental.apk")[0].job is not None


def test_an_app_past_its_memory_limit_fails_alone(template: AppJob, tmp_path: Path) -> None:
    """The zip bomb inflates up to the container's 248 MB cap: fine with the default allowance,
    a MemoryError in the child with 64 MB."""
    bomb = BUILT / "bad" / "zip_bomb.apk"
    [small] = _plan(template, tmp_path, bomb, memory_mb=64)
    row = run_app(small.job)
    assert row["status"] == "failed" and row["kind"] == "memory" and "memory limit" in row["error"]
    [default] = _plan(template, tmp_path, bomb)
    row = run_app(default.job)
    assert row["status"] == "ok" and row["peak_rss_mb"] > 200
    assert any("zip bomb" in e for e in row["scan_errors"])


def test_an_unreadable_apk_stays_failed_until_it_changes(template: AppJob, tmp_path: Path) -> None:
    bad = BUILT / "bad" / "not_a_zip.apk"
    [entry] = _plan(template, tmp_path, bad)
    row = run_app(entry.job)
    assert row["status"] == "failed" and row["kind"] == "unreadable" and "not a zip" in row["error"]
    [again] = _plan(template, tmp_path, bad)
    assert again.job is None and again.row["status"] == "failed" and again.row["reused"]
    newer = {**template.key, "apptest": "99.0"}  # a new apptest may read it
    assert _plan(template, tmp_path, bad, key=newer)[0].job is not None


def test_a_fifo_is_never_opened(template: AppJob, tmp_path: Path, alarm: None) -> None:
    fifo = tmp_path / "x.apk"
    os.mkfifo(fifo)
    [entry] = _plan(template, tmp_path / "out", fifo)
    assert entry.job is None and "FIFO" in entry.row["error"]
    # even sent straight to a worker (a cluster sees a different file system), the child
    # checks before it opens, and the time limit is there for anything else that blocks
    job = replace(template, app_id="x", apk=str(fifo), given="x.apk", out_dir=str(tmp_path / "out"), timeout=20)
    row = run_app(job)
    assert row["status"] == "failed" and "not a regular file (a FIFO)" in row["error"]


def test_the_input_changing_during_the_batch_is_caught(template: AppJob, tmp_path: Path) -> None:
    apk = tmp_path / "app.apk"
    shutil.copyfile(BUILT / "rental.apk", apk)
    [entry] = _plan(template, tmp_path / "out", apk)
    variant(BUILT / "rental.apk", apk, "swapped")
    row = run_app(entry.job)
    assert row["status"] == "failed" and "changed while the batch ran" in row["error"]
