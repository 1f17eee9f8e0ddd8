"""Fixtures for the batch tests: a small campaign folder built from the committed fixture APKs.

Copies of one APK differ only in their zip comment, which changes the file's SHA-256 (the
batch's identity of an app) and nothing the scan reads; that is how a 200-app benchmark
is made cheaply too (benchmarks/batch_bench.py).
"""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILT = ROOT / "tests" / "fixtures" / "apks" / "built"


def variant(source: Path, target: Path, label: str) -> Path:
    """A copy of `source` with its own zip comment: same app, different SHA-256."""
    shutil.copyfile(source, target)
    with zipfile.ZipFile(target, "a") as archive:
        archive.comment = f"apptest batch test copy {label}".encode()
    return target


@pytest.fixture(scope="session")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """apps/: three good apps (one copied twice), a corrupt dex, a non-zip and a FIFO `x.apk`;
    cats.csv gives the rental app its category by package, in Chinese, as a lab would."""
    root = tmp_path_factory.mktemp("campaign")
    apps = root / "apps"
    (apps / "store").mkdir(parents=True)
    shutil.copyfile(BUILT / "rental.apk", apps / "rental.apk")
    variant(BUILT / "rental.apk", apps / "store" / "rental-copy.apk", "1")
    shutil.copyfile(BUILT / "legacy22.apk", apps / "legacy22.apk")
    shutil.copyfile(BUILT / "obfuscated.apk", apps / "store" / "obfuscated.apk")
    shutil.copyfile(BUILT / "bad" / "corrupt_dex.apk", apps / "corrupt_dex.apk")
    shutil.copyfile(BUILT / "bad" / "not_a_zip.apk", apps / "not_a_zip.apk")
    os.mkfifo(apps / "x.apk")
    (root / "cats.csv").write_text("package,category\ncom.example.rental,网络约车类\n", encoding="utf-8")
    return root
