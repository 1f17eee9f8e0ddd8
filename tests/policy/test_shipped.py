"""The policy an APK ships (a hinted asset) is collected from that APK, with its provenance.

The APKs are real: the committed fixtures (rental.apk ships assets/privacy_policy.html,
legacy22.apk ships none), the rental split bundle, and one built here with the fixtures'
own tool chain (aapt, smali, zipalign, apksigner) that ships two policies and two
policy-named files that are not policies.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from apptest.evidence import Bundle, read_jsonl, verify
from apptest.policy.command import collect
from apptest.policy.shipped import ORIGIN, collect_shipped
from apptest.static.scan import scan_to_bundle
from tests.conftest import ROOT, run_cli
from tests.policy.conftest import POLICIES, RENTAL_POLICY

FIXTURES = ROOT / "tests/fixtures/apks"
BUILT = FIXTURES / "built"
RENTAL_ENTRY = "assets/privacy_policy.html"
TERMS = "用户协议\n\n欢迎使用本应用。请遵守法律法规，不得利用本应用发布违法信息。\n".encode()


def _documents(root: Path) -> list[dict]:
    records = read_jsonl(root / "observations.jsonl", "observation").records
    return [r for r in records if r["source"] == "policy" and r["detail"]["kind"] == "document"]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def scanned(tmp_path_factory, knowledge) -> dict[str, Path]:
    """Each fixture APK scanned once into a bundle; tests work on copies."""
    out = {}
    for name in ("rental.apk", "legacy22.apk", "rental.apks"):
        root = tmp_path_factory.mktemp(name.replace(".", "_")) / "bundle"
        scan_to_bundle(BUILT / name, knowledge, root)
        out[name] = root
    return out


def _copy(scanned: dict[str, Path], name: str, tmp_path: Path) -> Path:
    root = tmp_path / "bundle"
    shutil.copytree(scanned[name], root)
    return root


def test_rental_asset_collected_with_provenance(scanned, tmp_path: Path, knowledge) -> None:
    root = _copy(scanned, "rental.apk", tmp_path)
    apk = BUILT / "rental.apk"
    done = collect_shipped(root, knowledge)
    assert done.hinted == 1 and not done.errors and not done.passed_over
    (collected,) = done.collected
    assert collected.origin == ORIGIN and not collected.skipped
    assert collected.provenance == {"apk_sha256": _sha256(apk), "apk_entry": RENTAL_ENTRY}
    assert collected.summary["sdks"] == ["jpush", "umeng_analytics"]

    (document,) = _documents(root)
    detail = document["detail"]
    with zipfile.ZipFile(apk) as zf:
        shipped = zf.read(RENTAL_ENTRY)
    stored = (root / detail["file"]).read_bytes()
    assert stored == shipped and detail["sha256"] == hashlib.sha256(shipped).hexdigest()
    assert detail["origin"] == "apk" and detail["source"] == f"rental.apk!{RENTAL_ENTRY}"
    assert detail["provenance"] == {"apk_sha256": _sha256(apk), "apk_entry": RENTAL_ENTRY}
    assert Bundle.open(root).manifest()["apk"]["sha256"] == detail["provenance"]["apk_sha256"]

    again = collect_shipped(root, knowledge)
    assert [c.skipped for c in again.collected] == ["already in the bundle (same SHA-256)"]
    assert len(_documents(root)) == 1


def test_asset_of_a_split_bundle_names_its_split(scanned, tmp_path: Path, knowledge) -> None:
    root = _copy(scanned, "rental.apks", tmp_path)
    (collected,) = collect_shipped(root, knowledge).collected
    assert collected.provenance == {
        "apk_sha256": _sha256(BUILT / "rental.apks"),
        "apk_entry": RENTAL_ENTRY,
        "apk_split": "base.apk",
    }
    assert collected.file == f"rental.apks!base.apk!{RENTAL_ENTRY}"


def test_policy_less_apk_collects_nothing_and_says_so(scanned, tmp_path: Path, knowledge) -> None:
    root = _copy(scanned, "legacy22.apk", tmp_path)
    done = collect_shipped(root, knowledge)
    assert (done.hinted, done.collected, done.passed_over, done.errors) == (0, [], [], [])
    assert not (root / "policy").exists() and _documents(root) == []

    cli = run_cli("policy", "--bundle", str(root))
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["collected"] == []
    assert "none shipped in the APK or found in the bundle's traffic" in cli.stderr


def test_another_apk_than_the_scanned_one_is_refused(scanned, tmp_path: Path, knowledge) -> None:
    root = _copy(scanned, "rental.apk", tmp_path)
    done = collect_shipped(root, knowledge, apk=BUILT / "obfuscated.apk")
    assert done.collected == [] and len(done.errors) == 1
    assert "is not the scanned APK's" in done.errors[0] and _sha256(BUILT / "rental.apk") in done.errors[0]

    done = collect_shipped(root, knowledge, apk=tmp_path / "gone.apk")
    assert done.collected == [] and "not found" in done.errors[0] and RENTAL_ENTRY in done.errors[0]

    not_an_apk = tmp_path / "junk.apk"
    not_an_apk.write_bytes(b"not a zip")
    done = collect_shipped(root, knowledge, apk=not_an_apk)
    assert done.collected == [] and "not an APK" in done.errors[0]
    assert _documents(root) == []


def test_given_file_first_then_the_shipped_copy_is_the_same_text(scanned, tmp_path: Path, knowledge) -> None:
    root = _copy(scanned, "rental.apk", tmp_path)
    result = collect(root, [RENTAL_POLICY], knowledge)
    given, shipped = result["collected"]
    assert given["origin"] == "given" and "skipped" not in given
    assert shipped["origin"] == "apk" and shipped["skipped"] == "already in the bundle (same SHA-256)"
    assert shipped["sha256"] == given["sha256"]
    assert [d["detail"]["origin"] for d in _documents(root)] == ["given"]


def test_sealed_bundle_takes_the_shipped_policy_after_sealing_and_still_verifies(scanned, tmp_path: Path) -> None:
    root = _copy(scanned, "rental.apk", tmp_path)
    assert run_cli("seal", str(root)).returncode == 0
    done = run_cli("policy", "--bundle", str(root))
    assert done.returncode == 0, done.stderr
    (shipped,) = json.loads(done.stdout)["collected"]
    assert shipped["origin"] == ORIGIN and shipped["after_sealing"] is True
    assert shipped["text_file"] == "derived/policy/privacy_policy.html.plain.txt"
    assert shipped["provenance"]["apk_entry"] == RENTAL_ENTRY
    # the given file holds the same bytes: already there, stored once
    done = run_cli("policy", str(RENTAL_POLICY), "--bundle", str(root))
    assert done.returncode == 0 and json.loads(done.stdout)["collected"][0]["skipped"]
    report = verify(root)
    assert report.ok, report.problems
    assert not (root / "policy").exists() and not _documents(root)


# --- an APK built here: two policies, two policy-named files that are not policies ------


@pytest.fixture(scope="module")
def many_assets(tmp_path_factory) -> Path:
    """legacy22's code and manifest, with four policy-named assets, built and signed."""
    from tests.fixtures.apks import apkkit

    missing = apkkit.missing_tools()
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (Debian: apt-get install aapt smali zipalign apksigner)")
    work = tmp_path_factory.mktemp("many_assets")
    src = FIXTURES / "src/legacy22"
    assets = work / "assets"
    assets.mkdir()
    (assets / "privacy_policy.html").write_bytes(RENTAL_POLICY.read_bytes())
    (assets / "privacy_en.md").write_bytes((POLICIES / "en_policy.md").read_bytes())
    (assets / "privacy_icon.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (assets / "user_agreement.txt").write_bytes(TERMS)
    dex = work / "classes.dex"
    apkkit.assemble_dex(src / "smali", dex)
    unsigned, aligned, out = work / "unsigned.apk", work / "aligned.apk", work / "policies.apk"
    apkkit.package_manifest(src / "AndroidManifest.xml", unsigned, res=src / "res", assets=assets)
    apkkit.add_entries(unsigned, [("classes.dex", dex.read_bytes())])
    apkkit.align(unsigned, aligned)
    apkkit.sign(aligned, out, FIXTURES / "test.keystore")
    return out


def test_each_asset_that_reads_like_a_policy_is_collected(many_assets: Path, tmp_path: Path, knowledge) -> None:
    root = tmp_path / "bundle"
    facts = scan_to_bundle(many_assets, knowledge, root)
    hinted = sorted(h["value"] for h in facts["privacy_policy_hints"] if h["kind"] == "asset")
    assert hinted == [
        "assets/privacy_en.md",
        "assets/privacy_icon.png",
        "assets/privacy_policy.html",
        "assets/user_agreement.txt",
    ]
    result = collect(root, [], knowledge, captured=False)
    assert result["errors"] == []
    collected = {c["provenance"]["apk_entry"]: c for c in result["collected"]}
    assert sorted(collected) == ["assets/privacy_en.md", "assets/privacy_policy.html"]
    assert collected["assets/privacy_policy.html"]["language"] == "zh"
    assert collected["assets/privacy_en.md"]["language"] == "en"
    assert collected["assets/privacy_en.md"]["format"] == "markdown"
    passed = {c["file"]: c["skipped"] for c in result["passed_over"]}
    assert passed == {
        "policies.apk!assets/privacy_icon.png": "does not read like a privacy policy",
        "policies.apk!assets/user_agreement.txt": "does not read like a privacy policy",
    }
    documents = _documents(root)
    assert sorted(d["detail"]["provenance"]["apk_entry"] for d in documents) == sorted(collected)
    assert {d["detail"]["provenance"]["apk_sha256"] for d in documents} == {_sha256(many_assets)}
    assert sorted(p.name for p in (root / "policy").iterdir() if not p.name.endswith(".plain.txt")) == [
        "privacy_en.md",
        "privacy_policy.html",
    ]
