"""The built APK fixtures are what expected.yaml says, and are built from the current sources.

Why: other tests assert apptest's static analysis against
tests/fixtures/apks/expected.yaml. This file checks that ground truth against
the committed APKs with tools independent of apptest and androguard: aapt reads
the binary manifest as the platform does, dexdump is the platform's
disassembler, zipfile lists entries. Tests needing a Debian tool skip, saying
which, when it is absent.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures" / "apks"))
groundtruth: Any = importlib.import_module("groundtruth")
sourcehash: Any = importlib.import_module("sourcehash")
toolparse: Any = importlib.import_module("toolparse")

BUILT: Path = groundtruth.BUILT
APPS: dict[str, Any] = groundtruth.APPS
needs = groundtruth.needs
run = groundtruth.run
dex_insns = groundtruth.dex_insns


def _load_build_module() -> ModuleType:
    # Loaded under its own name: "build" is also a PyPI package.
    spec = importlib.util.spec_from_file_location("apptest_fixture_build", groundtruth.FIXTURES / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_sources_are_unchanged_since_last_build() -> None:
    """Editing a smali or manifest source without running build.py fails here."""
    recorded = sourcehash.parse_digest_file((BUILT / sourcehash.SOURCES_FILE).read_text(encoding="utf-8"))
    outputs: dict[str, tuple[str, ...]] = _load_build_module().OUTPUT_INPUTS
    assert set(recorded) == set(outputs)
    stale = [name for name, inputs in outputs.items() if sourcehash.source_digest(inputs) != recorded[name]]
    assert not stale, f"rebuild with: python3 tests/fixtures/apks/build.py (stale: {stale})"


def test_built_files_match_their_recorded_digests() -> None:
    """No built file was edited by hand, added or left over from an older build."""
    recorded = sourcehash.parse_digest_file((BUILT / sourcehash.SUMS_FILE).read_text(encoding="utf-8"))
    present = {
        p.relative_to(BUILT).as_posix()
        for p in BUILT.rglob("*")
        if p.is_file() and p.name not in (sourcehash.SOURCES_FILE, sourcehash.SUMS_FILE)
    }
    assert present == set(recorded)
    assert all(sourcehash.file_digest(BUILT / name) == digest for name, digest in recorded.items())


@needs("aapt")
@pytest.mark.parametrize("name", sorted(APPS))
def test_badging(name: str) -> None:
    want = APPS[name]
    badging = toolparse.parse_badging(run("aapt", "dump", "badging", str(BUILT / name)))
    assert badging["package"]["name"] == want["package"]
    assert badging["package"]["versionCode"] == str(want["version_code"])
    assert badging["package"]["versionName"] == want["version_name"]
    assert badging["sdkVersion"] == str(want["min_sdk"])
    assert badging["targetSdkVersion"] == str(want["target_sdk"])
    assert badging["application-label"] == want["label"]
    launchers = [c["name"] for kind in want["components"].values() for c in kind if c.get("launcher")]
    assert [badging["launchable-activity"]["name"]] == launchers


@needs("aapt")
@pytest.mark.parametrize("name", sorted(APPS))
def test_permissions(name: str) -> None:
    """aapt, unlike androguard's get_permissions(), reports uses-permission-sdk-23."""
    want = APPS[name]
    requested, declared = toolparse.parse_permissions(run("aapt", "dump", "permissions", str(BUILT / name)))
    expected = [
        {"element": p.get("element", "uses-permission"), "name": p["name"]}
        | ({"max_sdk": str(p["max_sdk"])} if "max_sdk" in p else {})
        for p in want["permissions"]
    ]
    assert sorted(requested, key=str) == sorted(expected, key=str)
    assert declared == want["declared_permissions"]


@needs("aapt")
@pytest.mark.parametrize("name", sorted(APPS))
def test_components(name: str) -> None:
    want = APPS[name]
    xmltree = run("aapt", "dump", "xmltree", str(BUILT / name), "AndroidManifest.xml")
    manifest = toolparse.parse_xmltree(xmltree)
    (application,) = manifest.find_all("application")
    assert application.attrs.get("android:name") == want["application"]
    for kind in ("activity", "service", "receiver", "provider"):
        found = {}
        for node in application.find_all(kind):
            actions = [
                a.attrs["android:name"] for f in node.find_all("intent-filter") for a in f.find_all("action")
            ]
            found[node.attrs["android:name"]] = (node.flag("android:exported"), actions)
        main = ["android.intent.action.MAIN"]
        expected = {
            c["name"]: (c["exported"], c.get("actions", main if c.get("launcher") else []))
            for c in want["components"].get(kind, [])
        }
        assert found == expected, kind
    assert [m.attrs["android:name"] for m in application.find_all("meta-data")] == want["meta_data"]


@pytest.mark.parametrize("name", sorted(APPS))
def test_zip_entries(name: str) -> None:
    want = APPS[name]
    with zipfile.ZipFile(BUILT / name) as zf:
        names = zf.namelist()
    assert sorted(n for n in names if "/" not in n and n.endswith(".dex")) == want["dex"]
    assert sorted(n for n in names if n.startswith("lib/")) == sorted(want["native_libs"])
    assert sorted(n for n in names if n.startswith("assets/")) == sorted(want["assets"])


@needs("dexdump")
@pytest.mark.parametrize("name", sorted(APPS))
def test_sensitive_sites(name: str, tmp_path: Path) -> None:
    groundtruth.check_sites(BUILT / name, APPS[name]["dex"], APPS[name]["sites"], tmp_path)


@needs("dexdump")
@pytest.mark.parametrize("name", sorted(APPS))
def test_strings_and_site_free_classes(name: str, tmp_path: Path) -> None:
    want = APPS[name]
    all_classes: set[str] = set()
    for dex in want["dex"]:
        classes, insns = dex_insns(BUILT / name, dex, tmp_path)
        all_classes |= set(classes)
        strings = {(i.cls, i.operand) for i in insns if i.opcode.startswith("const-string")}
        for s in (s for s in want["strings"] if s["dex"] == dex):
            assert (s["class"], s["value"]) in strings, s
    assert set(want["no_sites_in"]) <= all_classes


@needs("dexdump")
def test_obfuscated_app_has_no_sdk_package_in_code(tmp_path: Path) -> None:
    """Only manifest and native-library names can reveal JPush in obfuscated.apk."""
    classes, _ = dex_insns(BUILT / "obfuscated.apk", "classes.dex", tmp_path)
    assert {"a.a.a", "b.c", "o.x"} <= set(classes)
    assert not [c for c in classes if c.startswith(("cn.jpush", "cn.jiguang"))]


@needs("dexdump")
@pytest.mark.parametrize("name", ["packed_jiagu.apk", "packed_legu.apk"])
def test_packed_dex_holds_only_the_stub(name: str, tmp_path: Path) -> None:
    want = APPS[name]
    classes, _ = dex_insns(BUILT / name, "classes.dex", tmp_path)
    assert sorted(classes) == sorted(want["packer"]["classes_in_dex"])
    declared = {c["name"] for kind in want["components"].values() for c in kind}
    assert want["components_missing_from_dex"] and not declared & set(classes)


def test_native_libs_are_elf_of_their_abi() -> None:
    machines = {"arm64-v8a": 183, "armeabi-v7a": 40, "armeabi": 40, "x86": 3, "x86_64": 62}
    for name, want in APPS.items():
        with zipfile.ZipFile(BUILT / name) as zf:
            for lib in want["native_libs"]:
                data = zf.read(lib)
                assert data[:4] == b"\x7fELF", lib
                assert int.from_bytes(data[18:20], "little") == machines[lib.split("/")[1]], lib


@needs("apksigner")
@pytest.mark.parametrize("name", sorted(APPS))
def test_signed_with_the_test_key(name: str) -> None:
    out = run("apksigner", "verify", "--print-certs", "-v", str(BUILT / name))
    assert "Verified using v2 scheme (APK Signature Scheme v2): true" in out
    assert "CN=apptest test fixtures" in out


def test_readme_lists_every_site() -> None:
    """README.md's call-site table is the human copy of expected.yaml: same rows."""
    readme = (groundtruth.FIXTURES / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Sensitive call sites", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| file")]
    sites = [s for app in APPS.values() for s in app["sites"]] + groundtruth.BUNDLES["feature_map_sites"]
    table = [row for row in rows if "classes" in row.split("|")[2]]
    assert len(table) == len(sites)
    for site in sites:
        assert f"| {site['class']}.{site['method']} |" in section, site
