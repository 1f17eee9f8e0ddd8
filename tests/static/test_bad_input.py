"""Hostile APKs: one line and exit 3, or a partial result listing what could not be read.
Never a traceback, never a file written outside the output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli

from .conftest import BUILT

BAD = BUILT / "bad"


def assert_one_line_error(proc) -> None:
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("apptest: error:"), proc.stderr


@pytest.mark.parametrize("name", ["not_a_zip.apk"])
def test_unreadable_files_exit_3(name: str) -> None:
    assert_one_line_error(run_cli("static", str(BAD / name)))


def test_missing_file_exits_3(tmp_path: Path) -> None:
    assert_one_line_error(run_cli("static", str(tmp_path / "nope.apk")))


def partial(name: str) -> dict:
    proc = run_cli("static", str(BAD / name))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return json.loads(proc.stdout)


def test_truncated_zip_is_recovered_partially() -> None:
    result = partial("truncated.apk")
    assert any("central directory" in e for e in result["errors"])
    assert result["analysis_complete"] is False


def test_garbled_manifest_still_scans_the_code() -> None:
    result = partial("garbled_manifest.apk")
    assert any("AndroidManifest.xml" in e for e in result["errors"])
    assert result["api_calls"], "the dex was still searched"


def test_no_manifest_still_scans_the_code() -> None:
    result = partial("no_manifest.apk")
    assert any("AndroidManifest.xml missing" in e for e in result["errors"])


def test_corrupt_dex_is_listed_and_the_rest_analysed() -> None:
    result = partial("corrupt_dex.apk")
    assert any(e.startswith("classes2.dex") for e in result["errors"])
    assert {"classes.dex", "classes3.dex"} <= set(result["apk"]["dex"])
    assert result["analysis_complete"] is False


def test_encrypted_entry_is_not_read() -> None:
    result = partial("encrypted_entry.apk")
    assert any("encrypted entry" in e for e in result["errors"])


def test_zip_bomb_is_refused_quickly() -> None:
    result = partial("zip_bomb.apk")
    assert any("zip bomb" in e for e in result["errors"])


def test_path_traversal_names_are_never_written(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cli(
        "static",
        str(BAD / "path_traversal.apk"),
        "-o",
        str(out),
        "--bundle",
        str(tmp_path / "b"),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads((out / "static.json").read_text())
    assert any("leave the folder" in w for w in result["warnings"])
    written = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")}
    assert not any("evil" in p for p in written)
    assert not (tmp_path.parent / "evil.txt").exists()
