"""profiles/taxonomy.yaml and profiles/sdks.yaml: schema-valid, self-consistent, complete.

Why these checks: the static scanner, the frida agent and the rules all key on these ids and
prefixes. A typo in a key is silently ignored by YAML, a dangling data-type id makes a rule
never fire, and a bare vendor prefix (com.tencent) credits one SDK with every product of the
vendor - the attribution bug of older tools.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[1]


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Multi-product vendor roots: an SDK prefix equal to one of these would swallow the vendor's
# other products.
VENDOR_ROOTS = words(
    """
    com.tencent com.baidu com.alibaba com.huawei com.google com.xiaomi com.alipay com.taobao
    com.bytedance com.ss.android com.facebook com.amazon com.microsoft com.samsung com.netease
    com.sina com.qq com.android com.meizu com.vivo com.heytap com.hihonor com.miui com.umeng
    cn.jiguang com.mob com.getui com.kwai com.amap com.autonavi android
    """
)
KINDS = words(
    """
    analytics ads push location maps payment social crash risk_control oaid attribution webview
    hotfix im customer_service login speech library
    """
)
# Ids named by the sensitive-API reference and the regulations mapping (Play Data safety, §7).
REQUIRED_IDS = words(
    """
    device.imei device.meid device.imsi device.iccid device.serial device.android_id
    device.oaid device.gaid device.mac network.wifi_ssid network.wifi_bssid network.cell
    location.precise location.coarse location.trajectory contacts sms call_log calendar
    phone_number apps.installed apps.running clipboard media.photos media.videos media.audio
    media.files camera microphone sensors accounts account.id social.contact_list identity.name
    identity.id_number identity.id_validity identity.id_image identity.gender identity.age
    identity.marital_status identity.driver_license identity.ethnicity identity.beliefs
    identity.sexual_orientation biometric.face finance.bank_card finance.bank_reserved_phone
    finance.fund_account finance.payee finance.credit payment.account payment.transaction
    contact.address contact.phone contact.email trip.origin_destination trip.itinerary
    trip.passenger_type vehicle.plate vehicle.registration_cert_no vehicle.vin
    shipment.contents employment.resume property.listing health.appointment health.condition
    health.fitness booking.hotel booking.event_seat messages.email messages.in_app
    app.interactions app.search_history app.ugc app.actions app.crash_logs app.diagnostics
    app.performance web.history
    """
)
# Marked sensitive (★) in the regulations mapping.
STARRED = words(
    """
    location.precise location.trajectory contacts identity.id_number identity.id_image
    biometric.face finance.bank_card finance.fund_account health.condition
    """
)


def load(rel: str) -> Any:
    return yaml.safe_load((ROOT / rel).read_text(encoding="utf-8"))


def schema(name: str) -> Draft202012Validator:
    raw = json.loads((ROOT / "apptest" / "schemas" / name).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(raw)
    return Draft202012Validator(raw)


TAXONOMY = load("profiles/taxonomy.yaml")
SDKS = load("profiles/sdks.yaml")


def errors(validator: Draft202012Validator, doc: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]


def is_vendor_root(prefix: str) -> bool:
    return prefix in VENDOR_ROOTS


def attribute(class_name: str) -> str | None:
    """Longest package prefix at a package boundary, as the attribution code is meant to do."""
    best: tuple[int, str] | None = None
    for sdk in SDKS["sdks"]:
        for prefix in sdk["packages"]:
            matches = class_name == prefix or class_name.startswith(prefix + ".")
            if matches and (best is None or len(prefix) > best[0]):
                best = (len(prefix), sdk["id"])
    return best[1] if best else None


def test_files_match_their_schemas() -> None:
    assert errors(schema("taxonomy.schema.json"), TAXONOMY) == []
    assert errors(schema("sdks.schema.json"), SDKS) == []


@pytest.mark.parametrize(
    ("doc", "schema_name", "path"),
    [
        (TAXONOMY, "taxonomy.schema.json", ("data_types", 0)),
        (TAXONOMY, "taxonomy.schema.json", ("apis", 0)),
        (SDKS, "sdks.schema.json", ("sdks", 0)),
    ],
)
def test_schema_rejects_a_misspelt_key(doc: Any, schema_name: str, path: tuple[str, int]) -> None:
    broken = copy.deepcopy(doc)
    broken[path[0]][path[1]]["sensitve"] = True
    assert any("sensitve" in e for e in errors(schema(schema_name), broken))


def test_schema_rejects_identifier_without_resettable_and_unknown_kind() -> None:
    broken = copy.deepcopy(TAXONOMY)
    broken["data_types"][0]["resettable"] = None  # device.imei is an identifier
    assert errors(schema("taxonomy.schema.json"), broken)
    broken_sdks = copy.deepcopy(SDKS)
    broken_sdks["sdks"][0]["kind"] = "tracking"
    assert errors(schema("sdks.schema.json"), broken_sdks)


def test_ids_are_unique() -> None:
    keys = {
        "data_types": [t["id"] for t in TAXONOMY["data_types"]],
        "permissions": [p["name"] for p in TAXONOMY["permissions"]],
        "apis": [(a["class"], a.get("method") or a["field"]) for a in TAXONOMY["apis"]],
        "content_uris": [c["name"] for c in TAXONOMY["content_uris"]],
        "sdks": [s["id"] for s in SDKS["sdks"]],
    }
    for section, values in keys.items():
        dupes = [v for v, n in Counter(values).items() if n > 1]
        assert not dupes, f"{section}: duplicated {dupes}"


def test_every_referenced_data_type_exists() -> None:
    known = {t["id"] for t in TAXONOMY["data_types"]}
    refs: list[tuple[str, str]] = []
    for p in TAXONOMY["permissions"]:
        refs += [(p["name"], d) for d in p["data_types"]]
    for a in TAXONOMY["apis"]:
        where = f"{a['class']}.{a.get('method') or a['field']}"
        refs += [(where, d) for d in a["data_types"]]
        for ids in a.get("narrow", {}).get("values", {}).values():
            refs += [(where, d) for d in ids]
    for c in TAXONOMY["content_uris"]:
        refs += [(c["name"], d) for d in c["data_types"]]
    for s in SDKS["sdks"]:
        refs += [(s["id"], d) for d in s.get("collects", [])]
    assert [r for r in refs if r[1] not in known] == []


def test_api_permissions_are_catalogued() -> None:
    names = {p["name"] for p in TAXONOMY["permissions"]}
    missing = {p for a in TAXONOMY["apis"] for p in a["permissions"]} - names
    assert missing == set()


def test_reference_data_types_are_all_present() -> None:
    assert REQUIRED_IDS - {t["id"] for t in TAXONOMY["data_types"]} == set()


def test_sensitivity_and_identifier_flags() -> None:
    by_id = {t["id"]: t for t in TAXONOMY["data_types"]}
    assert [i for i in STARRED if not by_id[i]["sensitive"]] == []
    for t in TAXONOMY["data_types"]:
        assert t["identifier"] == t["id"].startswith("device."), t["id"]
        if t["identifier"]:
            assert t["play_category"] == "Device or other IDs" and not t["sensitive"], t["id"]
    resettable = {i for i, t in by_id.items() if t["resettable"]}
    assert resettable == {"device.android_id", "device.oaid", "device.gaid"}


def test_uri_classified_apis_and_telemetry_are_consistent() -> None:
    for a in TAXONOMY["apis"]:
        if "uri_arg" in a:
            assert a["data_types"] == [], a["class"]
        assert a["telemetry"] == (a["category"] == "telemetry"), a["class"]
        if "narrow" in a:
            assert "method" in a, a["class"]


def test_at_least_80_sdks_of_known_kinds() -> None:
    assert len(SDKS["sdks"]) >= 80
    assert {s["kind"] for s in SDKS["sdks"]} <= KINDS


def test_package_prefixes_unique_and_never_a_vendor_root() -> None:
    prefixes = [p for s in SDKS["sdks"] for p in s["packages"]]
    assert [p for p, n in Counter(prefixes).items() if n > 1] == []
    assert [p for p in prefixes if is_vendor_root(p)] == []
    for s in SDKS["sdks"]:
        if s["kind"] != "library":
            assert all("." in p for p in s["packages"]), s["id"]


def test_domains_are_listed_once() -> None:
    domains = [d for s in SDKS["sdks"] for d in s.get("domains", [])]
    assert [d for d, n in Counter(domains).items() if n > 1] == []


@pytest.mark.parametrize(
    ("prefix", "flagged"),
    [
        ("com.tencent", True),
        ("com.baidu", True),
        ("com.google", True),
        ("com.umeng", True),
        ("com.tencent.bugly", False),
        ("com.baidu.location", False),
        ("com.google.gson", False),
    ],
)
def test_vendor_root_check(prefix: str, flagged: bool) -> None:
    assert is_vendor_root(prefix) is flagged


@pytest.mark.parametrize(
    ("class_name", "sdk"),
    [
        ("com.tencent.bugly.crashreport.CrashReport", "tencent_bugly"),
        ("com.umeng.commonsdk.UMConfigure", "umeng_analytics"),
        ("com.umeng.message.PushAgent", "umeng_push"),
        ("cn.jpush.android.api.JPushInterface", "jpush"),
        ("cn.jiguang.verifysdk.api.JVerificationInterface", "jiguang_jverification"),
        ("com.igexin.sdk.PushManager", "getui_push"),
        ("com.bytedance.sdk.openadsdk.TTAdSdk", "pangle_csj"),
        ("com.qq.e.comm.managers.GDTADManager", "gdt_tencent_ads"),
        ("com.amap.api.location.AMapLocationClient", "amap_location"),
        ("com.amap.api.maps.MapView", "amap_maps"),
        ("com.google.android.gms.ads.identifier.AdvertisingIdClient", "google_ads_identifier"),
        ("com.google.android.gms.ads.MobileAds", "admob"),
        ("com.bun.miitmdid.core.MdidSdkHelper", "msa_oaid"),
        ("kotlinx.coroutines.flow.Flow", "kotlinx_coroutines"),
        ("kotlin.collections.CollectionsKt", "kotlin_stdlib"),
        ("com.tencent.mm.opensdk.openapi.WXAPIFactory", "wechat_opensdk"),
        ("com.tencent.mm.ui.LauncherUI", None),
        ("com.example.app.MainActivity", None),
        ("okhttp3x.Client", None),
    ],
)
def test_longest_prefix_attribution(class_name: str, sdk: str | None) -> None:
    assert attribute(class_name) == sdk
