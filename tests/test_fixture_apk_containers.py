"""The split containers (.apks, .xapk) and the malformed APKs are what expected.yaml says.

Why: scanners are tested against these files for what they must do with
splits (merge them) and with broken input (say what failed, never crash, never
inflate a bomb, never write outside their folder). Each property a test relies
on is checked here with zipfile, aapt, dexdump or apksigner.
"""

from __future__ import annotations

import importlib
import io
import json
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures" / "apks"))
groundtruth: Any = importlib.import_module("groundtruth")

BUILT: Path = groundtruth.BUILT
BUNDLES: dict[str, Any] = groundtruth.BUNDLES
BAD: dict[str, Any] = groundtruth.BAD
needs = groundtruth.needs
extract = groundtruth.extract
badging = groundtruth.badging


@needs("aapt")
@pytest.mark.parametrize("container", ["rental.apks", "rental.xapk"])
def test_split_entries(container: str, tmp_path: Path) -> None:
    want = BUNDLES[container]["entries"]
    with zipfile.ZipFile(BUILT / container) as zf:
        apks = [n for n in zf.namelist() if n.endswith(".apk")]
    assert sorted(apks) == sorted(want)
    for member, props in want.items():
        facts = badging(extract(BUILT / container, member, tmp_path))
        assert facts["package"]["name"] == "com.example.rental"
        assert facts["package"].get("split") == props["split"], member


def test_base_apk_is_rental_without_native_libs() -> None:
    with zipfile.ZipFile(BUILT / "rental.apks") as outer:
        base_bytes = outer.read("base.apk")
        config_bytes = outer.read("split_config.arm64_v8a.apk")
    with zipfile.ZipFile(io.BytesIO(base_bytes)) as base, zipfile.ZipFile(BUILT / "rental.apk") as rental:
        for dex in groundtruth.APPS["rental.apk"]["dex"]:
            assert base.read(dex) == rental.read(dex), dex
        assert not [n for n in base.namelist() if n.startswith("lib/")]
    with zipfile.ZipFile(io.BytesIO(config_bytes)) as config:
        libs = sorted(n for n in config.namelist() if n.startswith("lib/"))
        assert libs == BUNDLES["rental.apks"]["entries"]["split_config.arm64_v8a.apk"]["native_libs"]
        assert not [n for n in config.namelist() if n.endswith(".dex")]


@needs("dexdump")
def test_feature_split_holds_its_own_location_call(tmp_path: Path) -> None:
    feature = extract(BUILT / "rental.apks", "split_feature_map.apk", tmp_path)
    groundtruth.check_sites(feature, ["classes.dex"], BUNDLES["feature_map_sites"], tmp_path)


def test_xapk_inner_apks_are_the_apks_ones() -> None:
    with zipfile.ZipFile(BUILT / "rental.xapk") as xapk, zipfile.ZipFile(BUILT / "rental.apks") as apks:
        for member, props in BUNDLES["rental.xapk"]["entries"].items():
            source = props["same_as"].split("/", 1)
            if source[0] == "rental.apks":
                assert xapk.read(member) == apks.read(source[1]), member


@needs("aapt")
def test_xapk_manifest_json_matches_the_apks(tmp_path: Path) -> None:
    with zipfile.ZipFile(BUILT / "rental.xapk") as zf:
        manifest = json.loads(zf.read("manifest.json"))
        sizes = {n: zf.getinfo(n).file_size for n in zf.namelist() if n.endswith(".apk")}
    want = BUNDLES["rental.xapk"]["manifest_json"]
    assert manifest["package_name"] == want["package_name"]
    assert manifest["version_code"] == want["version_code"]  # a string, as APKPure writes it
    assert [s["id"] for s in manifest["split_apks"]] == want["split_apks"]
    assert manifest["total_size"] == sum(sizes.values())
    for split in manifest["split_apks"]:
        facts = badging(extract(BUILT / "rental.xapk", split["file"], tmp_path))
        assert facts["package"].get("split", "base") == split["id"]
        assert facts["package"]["versionCode"] == manifest["version_code"]
    base = badging(extract(BUILT / "rental.xapk", manifest["split_apks"][0]["file"], tmp_path))
    assert base["targetSdkVersion"] == manifest["target_sdk_version"]


@pytest.mark.parametrize("name", [n for n, p in BAD.items() if not p["zip"]])
def test_unreadable_containers(name: str) -> None:
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(BUILT / "bad" / name)


def test_truncated_is_a_prefix_of_rental() -> None:
    data, rental = (BUILT / "bad" / "truncated.apk").read_bytes(), (BUILT / "rental.apk").read_bytes()
    assert rental.startswith(data) and len(data) == len(rental) * 6 // 10


@needs("aapt", "dexdump")
@pytest.mark.parametrize("name", ["garbled_manifest.apk", "no_manifest.apk"])
def test_manifest_unreadable_but_dex_intact(name: str, tmp_path: Path) -> None:
    apk = BUILT / "bad" / name
    with zipfile.ZipFile(apk) as zf:
        names = zf.namelist()
        if BAD[name]["manifest"] == "missing":
            assert "AndroidManifest.xml" not in names
        else:
            assert zf.read("AndroidManifest.xml")[:4] != b"\x03\x00\x08\x00"  # not binary XML
    assert subprocess.run(["aapt", "dump", "badging", str(apk)], capture_output=True).returncode != 0
    for dex in BAD[name]["dex_ok"]:
        subprocess.run(["dexdump", str(extract(apk, dex, tmp_path))], capture_output=True, check=True)


@needs("dexdump", "apksigner")
def test_corrupt_dex_breaks_only_classes2(tmp_path: Path) -> None:
    apk = BUILT / "bad" / "corrupt_dex.apk"
    subprocess.run(["apksigner", "verify", str(apk)], capture_output=True, check=True)
    for dex in BAD["corrupt_dex.apk"]["dex_ok"]:
        subprocess.run(["dexdump", str(extract(apk, dex, tmp_path))], capture_output=True, check=True)
    (bad_dex,) = BAD["corrupt_dex.apk"]["dex_bad"]
    path = extract(apk, bad_dex, tmp_path)
    assert path.read_bytes()[:8] == b"dex\n035\0"
    assert subprocess.run(["dexdump", str(path)], capture_output=True).returncode != 0


def test_encrypted_flag_is_set_but_data_is_plain() -> None:
    apk = BUILT / "bad" / "encrypted_entry.apk"
    raw = apk.read_bytes()
    with zipfile.ZipFile(apk) as zf:
        info = zf.getinfo("classes.dex")
        assert info.flag_bits & 0x1  # central directory record
        with pytest.raises(RuntimeError, match="encrypted"):
            zf.read("classes.dex")
    local = info.header_offset
    assert struct.unpack_from("<H", raw, local + 6)[0] & 0x1  # local header
    name_len, extra_len = struct.unpack_from("<HH", raw, local + 26)
    start = local + 30 + name_len + extra_len
    plain = zlib.decompress(raw[start : start + info.compress_size], -15)
    with zipfile.ZipFile(BUILT / "rental.apk") as rental:
        assert plain == rental.read("classes.dex")


def test_zip_bomb_declares_more_than_a_gibibyte() -> None:
    apk = BUILT / "bad" / "zip_bomb.apk"
    assert apk.stat().st_size < 2 * 1024 * 1024
    with zipfile.ZipFile(apk) as zf:
        info = zf.getinfo(BAD["zip_bomb.apk"]["bomb_entry"])
        assert info.file_size == BAD["zip_bomb.apk"]["declared_size"] > 1024**3
        with zf.open(info) as stream:  # read only the first MiB: it is all zeros
            assert stream.read(1 << 20) == bytes(1 << 20)
        assert zf.read("AndroidManifest.xml")[:4] == b"\x03\x00\x08\x00"


def test_path_traversal_entries_next_to_a_valid_app() -> None:
    with zipfile.ZipFile(BUILT / "bad" / "path_traversal.apk") as zf:
        names = zf.namelist()
    with zipfile.ZipFile(BUILT / "rental.apk") as rental:
        valid = rental.namelist()
    assert set(valid) <= set(names)
    assert [n for n in names if n not in valid] == BAD["path_traversal.apk"]["evil_entries"]


def test_every_bad_input_is_described() -> None:
    assert sorted(p.name for p in (BUILT / "bad").iterdir()) == sorted(BAD)
