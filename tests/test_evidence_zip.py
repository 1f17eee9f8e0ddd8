"""Zipped bundles: read as if unzipped, and refused when the archive is hostile."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from apptest.bundlezip import ZipRefused, extract, zip_bundle
from apptest.evidence import Bundle, verify
from apptest.model import Observation, PhaseMark

MANIFEST = {"apk": {"package": "com.example.rental", "sha256": "0" * 64}}


def sealed(tmp_path: Path) -> Bundle:
    bundle = Bundle.create(tmp_path / "run-1", MANIFEST)
    bundle.add_observation(Observation(source="runtime", action="reads", data_types=("device.imei",)))
    bundle.add_phase(PhaseMark(mark="consent_given"))
    (bundle.root / "derived").mkdir()
    (bundle.root / "derived" / "report.json").write_text("{}")
    bundle.seal()
    return bundle


def test_zip_round_trip_verifies(tmp_path: Path) -> None:
    bundle = sealed(tmp_path)
    archive = zip_bundle(bundle.root, tmp_path / "run-1.zip")
    report = verify(archive)
    assert report.ok and report.sealed and report.root == str(archive)
    assert report.sums_sha256 == bundle.sums_digest()
    opened = Bundle.open(archive)
    assert opened.source == archive and opened.manifest()["apk"]["package"] == "com.example.rental"
    assert len(opened.observations()[0]) == 1
    assert zip_bundle(bundle.root, tmp_path / "again.zip").read_bytes() == archive.read_bytes(), "reproducible"


def test_zip_with_files_at_top_level_reads_too(tmp_path: Path) -> None:
    bundle = sealed(tmp_path)
    archive = tmp_path / "flat.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(bundle.root.rglob("*")):
            if path.is_file():
                out.write(path, path.relative_to(bundle.root).as_posix())
    assert verify(archive).ok


def test_a_changed_byte_inside_the_zip_is_caught(tmp_path: Path) -> None:
    bundle = sealed(tmp_path)
    path = bundle.root / "observations.jsonl"
    path.write_bytes(path.read_bytes().replace(b"device.imei", b"device.imsi"))
    report = verify(zip_bundle(bundle.root, tmp_path / "t.zip"))
    assert not report.ok and any("observations.jsonl: changed since sealing" in p for p in report.problems)


@pytest.mark.parametrize("name", ["../escape.txt", "run/../../escape.txt", "/etc/passwd", "C:/x.txt", "run\\..\\x.txt"])
def test_path_escapes_are_refused(tmp_path: Path, name: str) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("manifest.json", "{}")
        out.writestr(name, "owned")
    with pytest.raises(ZipRefused):
        Bundle.open(archive)
    assert not (tmp_path / "escape.txt").exists()


def test_symlinks_duplicates_and_bombs_are_refused(tmp_path: Path) -> None:
    link = tmp_path / "link.zip"
    with zipfile.ZipFile(link, "w") as out:
        info = zipfile.ZipInfo("manifest.json")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        out.writestr(info, "/etc/passwd")
    with pytest.raises(ZipRefused, match="symbolic"):
        extract(link)
    dup = tmp_path / "dup.zip"
    with zipfile.ZipFile(dup, "w") as out, pytest.warns(UserWarning):
        out.writestr("manifest.json", "{}")
        out.writestr("manifest.json", "{}")
    with pytest.raises(ZipRefused, match="duplicate"):
        extract(dup)
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as out:
        out.writestr("manifest.json", b"{}")
        out.writestr("flows.mitm", b"\0" * (2 << 20))
    with pytest.raises(ZipRefused, match="expands"):
        extract(bomb, max_bytes=1 << 20)


def test_not_a_bundle_zip(tmp_path: Path) -> None:
    archive = tmp_path / "other.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("a/readme.txt", "hello")
        out.writestr("b/readme.txt", "hello")
    with pytest.raises(ZipRefused, match=r"manifest\.json"):
        Bundle.open(archive)
