"""Shared test helpers: run the real `apptest` command as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_cli(
    *args: str,
    cwd: Path | None = None,
    timeout: float = 120,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """`apptest ARGS…` in a child process (exit codes and stderr are part of the contract)."""
    return subprocess.run(
        [sys.executable, "-m", "apptest.cli", *args],
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        input=stdin,
        env={**os.environ, **(env or {})},
        check=False,
    )


@pytest.fixture
def cli():
    return run_cli
