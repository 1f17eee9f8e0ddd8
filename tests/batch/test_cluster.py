"""`apptest batch --cluster`: the same batch on a real Dask cluster (scheduler + two workers on
127.0.0.1) that the test starts as separate processes, as a lab would on its machines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.batch.conftest import ROOT
from tests.conftest import run_cli


def _start(*args: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open(log, "wb") as handle:
        return subprocess.Popen([sys.executable, "-m", *args], cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)


@pytest.fixture
def dask_cluster(tmp_path: Path) -> Iterator[tuple[str, list[int]]]:
    """(scheduler address, worker pids); workers run without a nanny, so each worker *is* the
    process started here and the apps' rows can be traced to it."""
    from distributed import Client

    scheduler_file = tmp_path / "scheduler.json"
    procs = [
        _start("distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
               "--scheduler-file", str(scheduler_file), log=tmp_path / "scheduler.log")
    ]  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(scheduler_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        workers = [
            _start("distributed.cli.dask_worker", address, "--host", "127.0.0.1", "--nthreads", "1", "--no-nanny",
                   "--no-dashboard", "--memory-limit", "0", log=tmp_path / f"worker{n}.log")
            for n in range(2)
        ]  # fmt: skip
        procs += workers
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address, [w.pid for w in workers]
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_batch_runs_on_a_dask_cluster(campaign: Path, tmp_path: Path, dask_cluster: tuple[str, list[int]]) -> None:
    address, worker_pids = dask_cluster
    out = tmp_path / "out"
    result = run_cli("batch", str(campaign / "apps"), "-o", str(out), "--cluster", address,
                     "--categories", str(campaign / "cats.csv"), "--fail-on", "none", timeout=180)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"on 2 Dask workers at {address}" in result.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["engine"] | {"startup_s": None} == {"name": "dask", "cluster": address, "workers": 2, "startup_s": None}
    assert summary["counts"]["judged"] == 5 and summary["counts"]["failed"] == 2
    judged = [r for r in summary["apps"] if r["status"] == "ok"]
    # the apps ran on the cluster's two workers (both got work), in children of theirs
    assert {r["worker"]["pid"] for r in judged} == set(worker_pids)
    for row in judged:
        assert (out / row["report"]).is_file()
