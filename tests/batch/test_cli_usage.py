"""`apptest batch` refuses bad options and inputs before any engine starts (exit 2 or 3)."""

from __future__ import annotations

import fcntl
from pathlib import Path

import pytest

from apptest.batch_progress import describe_row, progress
from tests.batch.conftest import BUILT
from tests.conftest import run_cli


@pytest.mark.parametrize(
    ("extra", "code", "message"),
    [
        (["--workers", "0"], 2, "--workers"),
        (["--timeout", "0"], 2, "--timeout"),
        (["--fail-on", "severe"], 2, "--fail-on"),
        (["--format", "pdf"], 2, "--format"),
        (["--lang", "fr"], 2, "--lang"),
    ],
)
def test_bad_options_exit_2(tmp_path: Path, extra: list[str], code: int, message: str) -> None:
    result = run_cli("batch", str(BUILT / "rental.apk"), "-o", str(tmp_path / "out"), *extra)
    assert result.returncode == code and message in result.stderr
    assert not (tmp_path / "out").exists()


def test_unusable_inputs_exit_3_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run_cli("batch", str(tmp_path / "empty"), "-o", str(tmp_path / "out"))
    assert result.returncode == 3 and "no .apk" in result.stderr
    table = tmp_path / "apps.csv"
    table.write_text(f"path,category\n{BUILT / 'rental.apk'},网约车\n", encoding="utf-8")
    result = run_cli("batch", str(table), "-o", str(tmp_path / "out"))
    assert result.returncode == 3
    assert "apps.csv:2" in result.stderr and "网络约车类" in result.stderr  # the close match is suggested
    assert "Traceback" not in result.stderr


def test_one_batch_per_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with open(out / ".batch.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = run_cli("batch", str(BUILT / "rental.apk"), "-o", str(out))
    assert result.returncode == 2 and "another apptest batch" in result.stderr


def test_progress_logs_one_line_per_app_without_a_terminal() -> None:
    lines: list[str] = []
    ok = {"file": "a.apk", "status": "ok", "verdict": "review", "findings": 3, "categories": [],
          "by_severity": {"high": 0, "medium": 2}}  # fmt: skip
    bad = {"file": "b.apk", "status": "failed", "error": "timed out after 5 s"}
    with progress(2, lines.append, bar=False) as advance:
        advance(ok)
        advance(bad)
    assert lines == [
        "[1/2] a.apk: review, 3 findings (0 high, 2 medium) [no category]",
        "[2/2] b.apk: FAILED: timed out after 5 s",
    ]


def test_progress_bar_prints_failures_above_the_bar(capsys: pytest.CaptureFixture[str]) -> None:
    bad = {"file": "b.apk", "status": "failed", "error": "crashed (SIGSEGV) while judging"}
    with progress(1, print, bar=True) as advance:
        advance(bad)
    assert describe_row(bad) in capsys.readouterr().err
