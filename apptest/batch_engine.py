"""The engine under `apptest batch`: Dask distributed, on this machine or on a cluster.

Locally the batch starts a `LocalCluster` of worker processes (one thread each, one per
core); with `--cluster tcp://host:8786` it connects to a running Dask scheduler instead.
Everything else is the same code: one `submit` per app and `as_completed` for the
results. Scheduling, load balancing, moving a task off a worker that died and retrying
it are Dask's (`distributed.scheduler.allowed-failures`), never apptest's.

Workers must run the same apptest and profiles as the client and see the APKs and the
output folder at the same paths (a shared file system); `check_workers` refuses a cluster
where that is not so before any app is sent.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from apptest.batch_job import AppJob, failed_row
from apptest.batch_task import run_app
from apptest.batch_worker import worker_facts


class EngineError(Exception):
    """The cluster cannot be used (unreachable, no workers, another apptest or profile set)."""


@contextmanager
def open_client(cluster: str | None, workers: int) -> Iterator[Any]:
    """A Dask client: to `cluster` when given, else to a local cluster of `workers` processes."""
    from distributed import Client, LocalCluster

    if cluster:
        try:
            client = Client(cluster, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise EngineError(f"--cluster {cluster}: no Dask scheduler answered ({exc})") from None
        with client:
            yield client
        return
    # memory_limit=0: Dask's own memory manager would restart a worker whose *own* memory
    # grows; an app's memory is capped in its child process instead (RLIMIT_AS).
    with _sigint_ignored():
        local = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            memory_limit=0,
            silence_logs=logging.ERROR,
        )
    with local, Client(local) as client:
        yield client


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Worker processes started here inherit an ignored SIGINT: Ctrl-C in the terminal
    reaches the whole process group, and stopping the batch is the client's job (it cancels
    the queue and closes the cluster); the app children restore it and stop at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def check_workers(client: Any, profiles: tuple[str, ...], expected: dict[str, Any]) -> int:
    """Load and warm the profiles on every worker; refuse workers that would judge differently."""
    try:
        client.wait_for_workers(1, timeout=60)
    except TimeoutError:
        raise EngineError("the Dask cluster has no workers (waited 60 s)") from None
    try:
        facts = client.run(worker_facts, profiles)
    except Exception as exc:  # a worker without apptest cannot even unpickle the function
        raise EngineError(f"a worker cannot run apptest ({type(exc).__name__}: {exc})") from None
    for address, found in sorted(facts.items()):
        if not found.get("fork"):
            raise EngineError(f"worker {address}: apptest batch workers need os.fork (Linux or macOS)")
        for name in ("apptest", "profiles_sha256"):
            if found.get(name) != expected[name]:
                raise EngineError(
                    f"worker {address}: {name} {found.get(name)} differs from this machine's {expected[name]} "
                    "(install the same apptest and profiles on every worker)"
                )
    return len(facts)


def run_jobs(client: Any, jobs: Sequence[AppJob], on_row: Callable[[dict[str, Any]], None]) -> None:
    """Submit every app (largest first, so one big app does not finish alone at the end) and
    hand each row to `on_row` as it completes. Ctrl-C cancels what has not started."""
    from distributed import as_completed

    by_key = {}
    futures = []
    for job in jobs:
        future = client.submit(run_app, job, key=f"apptest-app-{job.app_id}", pure=False, priority=job.size)
        by_key[future.key] = job
        futures.append(future)
    try:
        for future in as_completed(futures):
            job = by_key[future.key]
            try:
                row = future.result()
            except Exception as exc:  # the engine's failure (a worker died), not the app's
                row = failed_row(job, f"engine: {type(exc).__name__}: {exc}")
            on_row(row)
    except BaseException:
        client.cancel(futures)
        raise
