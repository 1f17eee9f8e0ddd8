"""Manifest facts, SDKs, packers and flags, checked against aapt and the fixtures' sources."""

from __future__ import annotations

import pytest

from apptest.static.scan import scan_apk

from .conftest import BUILT, aapt_permissions, real_apk


@pytest.mark.parametrize("name", ["rental.apk", "legacy22.apk", "obfuscated.apk"])
def test_permissions_match_aapt(name: str, knowledge) -> None:
    apk = BUILT / name
    ours = {p["name"] for p in scan_apk(apk, knowledge)["permissions"]}
    assert ours == aapt_permissions(apk)


@pytest.mark.parametrize("name", ["oaid_demo.apk", "bugly_hotfix_demo.apk", "appsflyer_demo.apk"])
def test_real_apk_permissions_match_aapt(name: str, knowledge) -> None:
    apk = real_apk(name)
    assert {p["name"] for p in scan_apk(apk, knowledge)["permissions"]} == aapt_permissions(apk)


def test_sdk23_permission_and_protection_levels(knowledge) -> None:
    perms = {p["name"]: p for p in scan_apk(BUILT / "rental.apk", knowledge)["permissions"]}
    sdk23 = perms["android.permission.READ_EXTERNAL_STORAGE"]
    assert sdk23["element"] == "uses-permission-sdk-23"
    assert perms["android.permission.READ_PHONE_STATE"]["protection_level"] == "dangerous"
    assert "device.imei" in perms["android.permission.READ_PHONE_STATE"]["data_types"]
    assert perms["android.permission.WRITE_EXTERNAL_STORAGE"]["max_sdk"] == 28


def test_app_facts_and_hashes(knowledge) -> None:
    import hashlib

    apk = BUILT / "rental.apk"
    result = scan_apk(apk, knowledge)
    facts = result["apk"]
    data = apk.read_bytes()
    assert facts["sha256"] == hashlib.sha256(data).hexdigest()
    assert facts["md5"] == hashlib.md5(data).hexdigest()
    assert (facts["package"], facts["version_name"], facts["version_code"]) == (
        "com.example.rental",
        "1.2.0",
        "12",
    )
    assert (facts["min_sdk"], facts["target_sdk"]) == (21, 30)
    assert facts["dex"] == ["classes.dex", "classes2.dex", "classes3.dex"]
    assert facts["signing_certificates"] and len(facts["signing_certificates"][0]["sha256"]) == 64
    assert result["analysis_complete"] and not result["errors"]


def test_auto_start_exported_and_policy_hints(knowledge) -> None:
    result = scan_apk(BUILT / "rental.apk", knowledge)
    boot = [r for r in result["auto_start"] if "android.intent.action.BOOT_COMPLETED" in r["actions"]]
    assert boot and boot[0]["component"] == "com.example.rental.BootReceiver"
    assert any("CONNECTIVITY_CHANGE" in a for r in result["auto_start"] for a in r["actions"])
    assert "com.example.rental.BootReceiver" in {c["name"] for c in result["exported"]}
    hints = {h["value"] for h in result["privacy_policy_hints"]}
    assert "assets/privacy_policy.html" in hints
    assert "https://www.example-rental.cn/privacy.html" in hints


def test_sdks_by_code_component_and_native_library(knowledge) -> None:
    sdks = {s["id"]: s for s in scan_apk(BUILT / "rental.apk", knowledge)["sdks"]}
    jiguang = {
        k: v
        for s in sdks.values()
        if s["vendor"]["en"].startswith("Jiguang")
        for k, v in s["matched"].items()
    }
    assert set(jiguang) >= {"packages", "components", "native_libs"}, "code, manifest and libjcore*.so"
    assert any(s["class_count"] >= 1 for sid, s in sdks.items() if sid.startswith("jpush"))
    assert any(s["kind"] == "library" for s in sdks.values()), "okhttp is listed as a library, not a tracker"


def test_target_sdk_22_is_flagged(knowledge) -> None:
    result = scan_apk(BUILT / "legacy22.apk", knowledge)
    assert result["apk"]["target_sdk"] == 22
    assert "target_sdk_below_23" in {f["id"] for f in result["flags"]}
    rental = scan_apk(BUILT / "rental.apk", knowledge)
    assert "target_sdk_below_23" not in {f["id"] for f in rental["flags"]}


@pytest.mark.parametrize(
    ("name", "packer"), [("packed_jiagu.apk", "jiagu_360"), ("packed_legu.apk", "tencent_legu")]
)
def test_packers_make_the_analysis_incomplete(name: str, packer: str, knowledge) -> None:
    result = scan_apk(BUILT / name, knowledge)
    assert packer in {p["id"] for p in result["packers"]}
    assert result["analysis_complete"] is False
    assert any("packed" in w for w in result["warnings"])


def test_home_made_packer_is_seen_as_hidden_code(knowledge) -> None:
    result = scan_apk(real_apk("afinal_shellapp_signed.apk"), knowledge)
    assert result["analysis_complete"] is False
    assert any("code hidden" in w for w in result["warnings"])


def test_double_package_manifest_agrees_with_aapt(knowledge) -> None:
    import subprocess

    from .conftest import need_tool

    need_tool("aapt")
    apk = real_apk("maldroid_double_package.apk")
    badging = subprocess.run(["aapt", "dump", "badging", str(apk)], capture_output=True, text=True).stdout
    assert f"name='{scan_apk(apk, knowledge)['apk']['package']}'" in badging.splitlines()[0]


def test_clean_apps_are_complete(knowledge) -> None:
    for name in ("rental.apk", "legacy22.apk"):
        assert scan_apk(BUILT / name, knowledge)["analysis_complete"]


@pytest.mark.parametrize("name", ["rental.apks", "rental.xapk"])
def test_split_bundles_scan_base_and_splits(name: str, knowledge) -> None:
    result = scan_apk(BUILT / name, knowledge)
    assert result["apk"]["package"] == "com.example.rental"
    assert result["apk"]["kind"] in ("apks", "xapk")
    assert result["apk"]["splits"], "splits are listed"
    dexes = result["apk"]["dex"]
    assert sum(d.split("!")[-1] in ("classes.dex", "classes2.dex", "classes3.dex") for d in dexes) >= 3
    assert any("feature" in d for d in dexes), "the feature split's dex is scanned"
    assert any("feature" in c["dex"] for c in result["api_calls"])
