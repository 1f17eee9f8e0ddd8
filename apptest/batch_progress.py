"""Progress of a batch on stderr: a bar with apps/s and ETA on a terminal, one line per app in a log.

A lab starts a 500-app campaign and wants to know when to come back; a CI log wants
one greppable line per app instead of redrawn bars. The speed is apps finished in this
run (reused apps are not counted: they say nothing about how fast the rest will go).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Say = Callable[[str], None]


def describe_row(row: dict[str, Any]) -> str:
    """`name.apk: fail, 8 findings (0 high, 5 medium)` or `name.apk: FAILED: reason`."""
    name = row.get("file") or row.get("apk")
    if row["status"] != "ok":
        return f"{name}: FAILED: {row.get('error')}"
    by_sev = row.get("by_severity") or {}
    counts = ", ".join(f"{by_sev.get(s, 0)} {s}" for s in ("high", "medium"))
    where = "" if row.get("categories") else " [no category]"
    return f"{name}: {row['verdict']}, {row['findings']} findings ({counts}){where}"


@contextmanager
def progress(total: int, say: Say, bar: bool | None = None) -> Iterator[Callable[[dict[str, Any]], None]]:
    """Yields `advance(row)`; draws a rich bar when stderr is a terminal, else logs each app."""
    if bar is None:
        bar = sys.stderr.isatty()
    if not bar or total == 0:
        done = 0

        def log(row: dict[str, Any]) -> None:
            nonlocal done
            done += 1
            say(f"[{done}/{total}] {describe_row(row)}")

        yield log
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        Task,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class AppsPerSecond(ProgressColumn):
        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:.2f} apps/s" if speed else "-- apps/s")

    console = Console(stderr=True)
    with Progress(
        TextColumn("judging"),
        BarColumn(),
        MofNCompleteColumn(),
        AppsPerSecond(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bar_view:
        task = bar_view.add_task("apps", total=total)

        def advance(row: dict[str, Any]) -> None:
            if row["status"] != "ok":
                bar_view.console.print(describe_row(row), markup=False, highlight=False)
            bar_view.advance(task)

        yield advance
