"""The variant table: which forms of a known value are searched, and which values are not."""

from __future__ import annotations

import hashlib

from apptest.traffic.knownvalues import KnownValues, phone_forms, plain_forms, variants_of


def test_mac_forms() -> None:
    assert plain_forms("device.mac", "A4:5E:60:C2:11:07") == [
        "A4:5E:60:C2:11:07",
        "A4-5E-60-C2-11-07",
        "A45E60C21107",
        "A45E.60C2.1107",
    ]


def test_phone_forms_strip_any_country_prefix() -> None:
    for written in ("+86 138 0013 8000", "008613800138000", "13800138000", "(+86) 138-0013-8000"):
        forms = phone_forms(written)
        assert forms[0] == "13800138000"
        assert {"+8613800138000", "008613800138000", "138 0013 8000"} <= set(forms)


def test_hash_and_base64_variants_cover_each_case() -> None:
    patterns = {v.pattern: v for v in variants_of("device.android_id", "device.android_id", "3F9A2C7E5B1D4E08")}
    for cased in ("3F9A2C7E5B1D4E08", "3f9a2c7e5b1d4e08"):
        for algo in ("md5", "sha1", "sha256"):
            assert hashlib.new(algo, cased.encode()).hexdigest() in patterns
    b64 = [v for v in patterns.values() if v.transform == "base64"]
    assert b64 and all(v.exact is not None and v.boundary == "b64" for v in b64)
    assert patterns["3f9a2c7e5b1d4e08"].boundary == "hex"


def test_build_from_profile_and_canaries() -> None:
    known = KnownValues.build(
        {
            "device.imei": 865123041234562,  # YAML may give a number
            "location.precise": {"lat": 39.9, "lng": 116.4},
            "contacts": [{"name": "测试联系人甲", "phone": "13912345678"}, "x"],
            "apps.installed": ["com.tencent.mm", "com.sina.weibo"],
        },
        [{"data_type": "device.oaid", "value": "0123456789abcdef0123"}, {"data_type": "device.imei", "value": None}],
    )
    ids = {v.value_id for v in known.variants}
    assert {"device.imei", "contacts[0].name", "contacts[0].phone", "apps.installed[1]", "canary[0]"} <= ids
    assert [c.value_id for c in known.coordinates] == ["location.precise"]
    assert known.skipped == ["contacts[1]: shorter than 6 bytes, not searched"]
    assert known.list_sizes == {"apps.installed": 2}


def test_chinese_values_are_searched_as_utf8_gbk_and_json_escapes() -> None:
    raws = {v.pattern for v in variants_of("identity.name", "identity.name", "王小明") if not v.transform}
    assert "王小明".encode().decode("latin-1") in raws
    assert "王小明".encode("gbk").decode("latin-1").lower() in raws
    assert "\\u738b\\u5c0f\\u660e" in raws


def test_bad_location_is_skipped_not_fatal() -> None:
    known = KnownValues.build({"location.precise": {"lat": "north", "lng": 1}})
    assert known.coordinates == [] and "numeric lat and lng" in known.skipped[0]
