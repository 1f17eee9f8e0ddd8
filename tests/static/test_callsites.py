"""Call sites must be exactly the invokes `dexdump -d` shows, on our APKs and real ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from apptest.static.scan import scan_apk

from .conftest import BUILT, dexdump_refs, real_apk

NARROWABLE = {
    "android.provider.Settings$Secure.getString",
    "android.provider.Settings$System.getString",
    "android.content.ContentResolver.query",
}


def api_members(knowledge) -> set[tuple[str, str]]:
    return {(a["class"], a.get("method") or a.get("field")) for a in knowledge.apis}


def check_against_dexdump(apk: Path, knowledge, tmp_path: Path) -> dict:
    result = scan_apk(apk, knowledge)
    refs = dexdump_refs(apk, tmp_path)
    wanted = api_members(knowledge)
    truth = {key: ref for key, ref in refs.items() if (ref[1], ref[2]) in wanted}
    ours = {(c["dex"], c["offset"]): c for c in result["api_calls"]}
    for key, call in ours.items():
        assert key in truth, f"{call['api']} at {key} is not an invoke dexdump shows"
        _op, cls, member, caller = truth[key]
        assert call["api"] == f"{cls}.{member}"
        assert call["caller"] == caller
    missing = {key: ref for key, ref in truth.items() if key not in ours}
    for key, (_op, cls, member, _caller) in missing.items():
        assert f"{cls}.{member}" in NARROWABLE, f"missed {cls}.{member} at {key}"
    return result


def test_rental_call_sites_match_dexdump(knowledge, tmp_path: Path) -> None:
    result = check_against_dexdump(BUILT / "rental.apk", knowledge, tmp_path)
    assert {c["dex"] for c in result["api_calls"]} == {"classes.dex", "classes2.dex", "classes3.dex"}


@pytest.mark.parametrize(
    "name", ["oaid_demo.apk", "bugly_hotfix_demo.apk", "appsflyer_demo.apk", "dexguard_taskmaster.apk"]
)
def test_real_apk_call_sites_match_dexdump(name: str, knowledge, tmp_path: Path) -> None:
    result = check_against_dexdump(real_apk(name), knowledge, tmp_path)
    assert result["api_calls"], "each of these real apps calls at least one sensitive API"


def test_advertising_id_reads_in_a_real_app(knowledge, tmp_path: Path) -> None:
    """The AppsFlyer demo reads the GAID through Play services' Info.getId (a nested class):
    every invoke dexdump shows is a row, typed as the GAID, owned by the SDK that calls it."""
    apk = real_apk("appsflyer_demo.apk")
    info = "com.google.android.gms.ads.identifier.AdvertisingIdClient$Info"
    refs = dexdump_refs(apk, tmp_path)
    truth = {key for key, (_op, cls, member, _caller) in refs.items() if (cls, member) == (info, "getId")}
    calls = [c for c in scan_apk(apk, knowledge)["api_calls"] if c["api"] == f"{info}.getId"]
    assert truth and {(c["dex"], c["offset"]) for c in calls} == truth
    assert all(c["data_types"] == ["device.gaid"] and c["confidence"] == "known" for c in calls)
    owners = {c["caller_class"]: (c["sdk"] or {}).get("id") for c in calls}
    assert owners["com.appsflyer.a"] == "appsflyer"


def by_caller(result: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for call in result["api_calls"]:
        out.setdefault(call["caller"], []).append(call)
    return out


def test_overloads_and_sdk_attribution(knowledge) -> None:
    result = scan_apk(BUILT / "rental.apk", knowledge)
    calls = by_caller(result)
    imei = [c for c in result["api_calls"] if c["api"] == "android.telephony.TelephonyManager.getDeviceId"]
    owners = {(c["caller_class"], (c["sdk"] or {}).get("id")) for c in imei}
    assert ("com.example.rental.device.DeviceInfoCollector", None) in owners
    assert any(sdk and sdk.startswith("umeng") for _cls, sdk in owners)
    assert len([c for c in imei if c["caller_class"].startswith("com.example.rental")]) == 2, "both overloads"
    jpush = [c for c in result["api_calls"] if c["caller_class"].startswith("cn.jpush")]
    assert jpush and all(c["sdk"] and c["sdk"]["id"].startswith("jpush") for c in jpush)
    okhttp_calls = [c for c in result["api_calls"] if c["caller_class"].startswith("okhttp3")]
    assert all(c["sdk"] is None or c["sdk"]["kind"] == "library" for c in okhttp_calls)
    assert calls


def test_generic_apis_are_narrowed_by_their_constants(knowledge) -> None:
    result = scan_apk(BUILT / "rental.apk", knowledge)
    settings = [c for c in result["api_calls"] if c["api"].endswith("Settings$Secure.getString")]
    assert settings and all(
        c["data_types"] == ["device.android_id"] and c["confidence"] == "known" for c in settings
    )
    queries = {
        c.get("argument"): c["data_types"]
        for c in result["api_calls"]
        if c["api"].endswith("ContentResolver.query")
    }
    assert queries["android.provider.ContactsContract$Contacts.CONTENT_URI"] == ["contacts"]
    assert queries["content://sms/inbox"] == ["sms"]
    serial = [c for c in result["api_calls"] if c["api"] == "android.os.Build.SERIAL"]
    assert serial and serial[0]["data_types"] == ["device.serial"]


def test_reflection_strings_are_reported_apart(knowledge) -> None:
    result = scan_apk(BUILT / "rental.apk", knowledge)
    strings = {r["string"]: r for r in result["reflection"]}
    assert "getDeviceId" in strings and "android.telephony.TelephonyManager" in strings
    assert strings["getDeviceId"]["caller_class"].endswith("ReflectUtil")
    assert not any(c["caller_class"].endswith("ReflectUtil") for c in result["api_calls"])


def test_obfuscated_callers_are_app_code_and_sdks_come_from_manifest(knowledge) -> None:
    result = scan_apk(BUILT / "obfuscated.apk", knowledge)
    assert result["api_calls"]
    assert all(c["sdk"] is None for c in result["api_calls"] if c["caller_class"] in ("a.a.a", "b.c", "o.x"))
    found = {s["id"]: s for s in result["sdks"]}
    jpush = [s for sid, s in found.items() if sid.startswith("jpush")]
    assert jpush and "packages" not in jpush[0]["matched"]
    assert any("obfuscated" in w for w in result["warnings"])


def test_parallel_scan_gives_the_same_rows(knowledge) -> None:
    one = scan_apk(BUILT / "rental.apk", knowledge, workers=1)
    two = scan_apk(BUILT / "rental.apk", knowledge, workers=2)
    assert one["api_calls"] == two["api_calls"] and one["reflection"] == two["reflection"]
    assert one["sdks"] == two["sdks"] and one["privacy_policy_hints"] == two["privacy_policy_hints"]


def test_parallel_scan_keeps_read_errors(knowledge) -> None:
    from .conftest import BUILT as built

    result = scan_apk(built / "bad" / "corrupt_dex.apk", knowledge, workers=2)
    assert any(e.startswith("classes2.dex") for e in result["errors"])
