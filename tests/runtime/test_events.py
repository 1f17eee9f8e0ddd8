"""events.py without frida: what each kind of agent event becomes (tables of must / must not)."""

from __future__ import annotations

from typing import Any

import pytest

from apptest.attribution import SdkIndex, frame_class
from apptest.runtime.events import EventMapper, destination_of, learned_value, party_of

APP = "com.example.rental"
APIS: list[dict[str, Any]] = [
    {"class": "android.os.Build", "field": "SERIAL", "data_types": ["device.serial"], "category": "identifier"},
    {
        "class": "android.telephony.TelephonyManager",
        "method": "getImei",
        "data_types": ["device.imei"],
        "category": "identifier",
    },
    {
        "class": "android.telephony.TelephonyManager",
        "method": "getDeviceId",
        "data_types": ["device.imei", "device.meid"],
        "category": "identifier",
    },
    {
        "class": "android.provider.Settings$Secure",
        "method": "getString",
        "data_types": ["device.android_id"],
        "category": "identifier",
        "narrow": {"arg": 1, "values": {"android_id": ["device.android_id"]}},
    },
    {
        "class": "android.content.ContentResolver",
        "method": "query",
        "data_types": [],
        "category": "contacts",
        "uri_arg": 0,
    },
    {
        "class": "androidx.core.app.ActivityCompat",
        "method": "requestPermissions",
        "data_types": [],
        "category": "permission",
    },
    {"class": "okhttp3.OkHttpClient", "method": "newCall", "data_types": [], "category": "network_send"},
    {"class": "java.net.Socket", "method": "connect", "data_types": [], "category": "network_send"},
    {
        "class": "android.net.ConnectivityManager",
        "method": "getActiveNetworkInfo",
        "data_types": [],
        "category": "telemetry",
        "telemetry": True,
    },
    {
        "class": "android.location.LocationManager",
        "method": "getLastKnownLocation",
        "data_types": ["location.precise", "location.coarse"],
        "category": "location",
    },
    {
        "class": "android.net.wifi.WifiInfo",
        "method": "getMacAddress",
        "data_types": ["device.mac"],
        "category": "identifier",
    },
]
SDKS = [
    {
        "id": "umeng_analytics",
        "name": {"en": "Umeng"},
        "kind": "analytics",
        "packages": ["com.umeng"],
        "domains": ["umeng.com"],
    },
    {"id": "okhttp3", "name": {"en": "OkHttp"}, "kind": "library", "packages": ["okhttp3"]},
]
CONTENT_URIS = [{"name": "contacts", "data_types": ["contacts"], "prefixes": ["content://com.android.contacts"]}]
PERMISSIONS = {"android.permission.CAMERA": {"data_types": ["camera"]}}
DATA_TYPES = {
    "device.imei": {"identifier": True},
    "device.meid": {"identifier": True},
    "device.android_id": {"identifier": True},
    "device.mac": {"identifier": True},
    "contacts": {"identifier": False},
    "location.precise": {"identifier": False},
    "location.coarse": {"identifier": False},
}
UMENG_STACK = ["com.umeng.commonsdk.X.read(X.java:1)", "com.example.rental.App.main(App.java:2)"]


def mapper(domains: tuple[str, ...] = ()) -> EventMapper:
    return EventMapper(APIS, CONTENT_URIS, PERMISSIONS, DATA_TYPES, SdkIndex(SDKS), APP, domains)


def entry_of(api: str) -> int | None:
    methods = [a for a in APIS if a.get("method")]
    return next((i for i, a in enumerate(methods) if f"{a['class']}.{a['method']}" == api), None)


def call(api: str, **fields: Any) -> dict[str, Any]:
    event = {
        "type": "call",
        "seq": 7,
        "ts_ms": 1_700_000_000_123,
        "pid": 4242,
        "kind": "api",
        "api": api,
        "entry": entry_of(api),
        "args": [],
        "outcome": "value",
        "stack": UMENG_STACK,
        "thread": "main",
    }
    event.update(fields)
    return event


def test_field_entries_are_not_hooked_and_ids_follow_the_method_list() -> None:
    assert mapper().apis[0]["method"] == "getImei"
    mapped = mapper().map(call("android.telephony.TelephonyManager.getImei", ret="868123045678902"), 0)
    assert mapped.observations[0].data_types == ("device.imei",)


def test_read_observation_shape_and_learned_value() -> None:
    mapped = mapper().map(call("android.telephony.TelephonyManager.getImei", ret="868123045678902"), 1500)
    (obs,) = mapped.observations
    assert obs.action == "reads" and obs.confidence == "known" and obs.pid == 4242
    assert obs.actor.kind == "sdk" and obs.actor.id == "umeng_analytics" and obs.actor.proof == "stack"
    assert obs.ts == "2023-11-14T22:13:21.623Z"  # device time + 1.5 s offset
    assert mapped.hook["device_ts"] == "2023-11-14T22:13:20.123Z"
    assert obs.evidence is not None and obs.evidence.ref == mapped.hook["id"] and obs.evidence.stream == "hooks.jsonl"
    assert obs.detail["stack"] == UMENG_STACK and obs.detail["outcome"] == "value"
    assert mapped.canaries == [("device.imei", "868123045678902")]
    assert "ret" not in obs.detail  # the raw value stays in hooks.jsonl and canaries.jsonl


@pytest.mark.parametrize(
    ("api", "fields", "expected"),
    [
        # (data types, confidence) or None for "no observation"
        (
            "android.telephony.TelephonyManager.getDeviceId",
            {"outcome": "exception"},
            (("device.imei", "device.meid"), "name"),
        ),
        (
            "android.provider.Settings$Secure.getString",
            {"args": [None, "android_id"]},
            (("device.android_id",), "known"),
        ),
        # another setting, known at run time, is no personal data (static/ drops it too)
        ("android.provider.Settings$Secure.getString", {"args": [None, "bluetooth_name"]}, None),
        ("android.provider.Settings$Secure.getString", {"args": [None, None]}, (("device.android_id",), "name")),
        (
            "android.content.ContentResolver.query",
            {"args": [{"$class": "Uri", "$str": "content://com.android.contacts/x"}]},
            (("contacts",), "known"),
        ),
        ("android.content.ContentResolver.query", {"args": [{"$class": "Uri", "$str": "content://media/x"}]}, None),
        ("android.net.ConnectivityManager.getActiveNetworkInfo", {}, None),
        ("android.telephony.TelephonyManager.getImei", {"nested_in": 3}, None),
        ("android.telephony.TelephonyManager.getImei", {"entry": 99}, None),
    ],
)
def test_what_becomes_a_read(api: str, fields: dict[str, Any], expected: tuple | None) -> None:
    mapped = mapper().map(call(api, **fields), 0)
    assert mapped.hook["type"] == "call" and mapped.hook["api"] == api
    if expected is None:
        assert mapped.observations == []
    else:
        (obs,) = mapped.observations
        assert (obs.data_types, obs.confidence) == expected


def test_telemetry_is_flagged_in_the_raw_record() -> None:
    mapped = mapper().map(call("android.net.ConnectivityManager.getActiveNetworkInfo"), 0)
    assert mapped.hook["telemetry"] is True
    assert mapper().map(call("android.telephony.TelephonyManager.getImei"), 0).hook["telemetry"] is False


@pytest.mark.parametrize(
    ("api", "fields", "learned"),
    [
        (
            "android.telephony.TelephonyManager.getImei",
            {"ret": "868123045678902"},
            [("device.imei", "868123045678902")],
        ),
        (
            "android.telephony.TelephonyManager.getDeviceId",
            {"ret": "868123045678902"},
            [("device.imei", "868123045678902")],
        ),
        ("android.telephony.TelephonyManager.getDeviceId", {"outcome": "exception"}, []),
        ("android.provider.Settings$Secure.getString", {"args": [None, "bluetooth_name"], "ret": "Pixel"}, []),
        ("android.net.wifi.WifiInfo.getMacAddress", {"ret": "02:00:00:00:00:00"}, []),
        (
            "android.net.wifi.WifiInfo.getMacAddress",
            {"ret": {"$class": "[B", "$len": 6, "$hex": "3c286da1b2c3"}},
            [("device.mac", "3c:28:6d:a1:b2:c3")],
        ),
        (
            "android.location.LocationManager.getLastKnownLocation",
            {"ret": {"$class": "android.location.Location", "$str": "Location[gps 39.908720,116.397480 hAcc=5.0]"}},
            [("location.precise", {"lat": 39.90872, "lng": 116.39748})],
        ),
    ],
)
def test_values_worth_learning(api: str, fields: dict[str, Any], learned: list) -> None:
    assert mapper().map(call(api, **fields), 0).canaries == learned


def test_a_value_is_learned_once() -> None:
    m = mapper()
    first = m.map(call("android.telephony.TelephonyManager.getImei", ret="868123045678902"), 0)
    again = m.map(call("android.telephony.TelephonyManager.getImei", ret="868123045678902"), 0)
    assert first.canaries and not again.canaries and again.observations


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            [
                {
                    "$class": "okhttp3.Request",
                    "$str": "Request{method=GET, url=https://alog.umeng.com/app_logs?a=1, tags={}}",
                }
            ],
            ("https://alog.umeng.com/app_logs?a=1", "alog.umeng.com", None),
        ),
        (
            [
                {
                    "$class": "x.HttpURLConnection",
                    "$str": "sun.net.www.protocol.http.HttpURLConnection:http://10.0.0.2:8080/x",
                }
            ],
            ("http://10.0.0.2:8080/x", "10.0.0.2", 8080),
        ),
        (
            [{"$class": "java.net.InetSocketAddress", "$str": "api.example.com/93.184.216.34:443"}, 5000],
            (None, "api.example.com", 443),
        ),
        ([{"$class": "java.net.InetSocketAddress", "$str": "/127.0.0.1:8443"}], (None, "127.0.0.1", 8443)),
        (["javascript:alert(1)"], (None, None, None)),
        (["host.example.com/<unresolved>:80"], (None, "host.example.com", 80)),
        (["/<unresolved>:80"], (None, None, None)),
        ([None, 3], (None, None, None)),
    ],
)
def test_destination_from_summaries(values: list, expected: tuple) -> None:
    assert destination_of(values) == expected


def test_connection_observation_and_party() -> None:
    request = {"$class": "okhttp3.Request", "$str": "Request{method=GET, url=https://alog.umeng.com/x, tags={}}"}
    (obs,) = mapper().map(call("okhttp3.OkHttpClient.newCall", args=[request]), 0).observations
    assert obs.action == "connects" and obs.data_types == ()
    assert obs.destination is not None and obs.destination.to_dict() == {
        "host": "alog.umeng.com",
        "party": "third",
        "sdk": "umeng_analytics",
    }
    assert "inspected" not in obs.detail and obs.detail["url"] == "https://alog.umeng.com/x"
    socket = {"$class": "java.net.InetSocketAddress", "$str": "api.anxin.example/1.2.3.4:443"}
    stack = ["okhttp3.internal.Conn.connect(Conn.java:1)", *UMENG_STACK]
    (sock,) = (
        mapper(("anxin.example",)).map(call("java.net.Socket.connect", args=[socket, 0], stack=stack), 0).observations
    )
    assert sock.destination is not None and sock.destination.party == "first"
    assert sock.actor.id == "umeng_analytics" and sock.actor.via == "okhttp3"
    assert mapper().map(call("java.net.Socket.connect", args=["nothing"]), 0).observations == []


@pytest.mark.parametrize(
    ("host", "domains", "sdk", "party"),
    [
        ("a.anxin.example", ("anxin.example",), None, "first"),
        ("anxin.example.evil.com", ("anxin.example",), None, "unknown"),
        ("alog.umeng.com", (), "umeng_analytics", "third"),
        ("unknown.example", (), None, "unknown"),
    ],
)
def test_party(host: str, domains: tuple, sdk: str | None, party: str) -> None:
    assert party_of(host, frozenset(domains), sdk) == party


def test_permission_request_and_result() -> None:
    perms = ["android.permission.CAMERA", "android.permission.READ_CONTACTS"]
    (req,) = (
        mapper()
        .map(call("androidx.core.app.ActivityCompat.requestPermissions", args=[{"$class": "A"}, perms, 7]), 0)
        .observations
    )
    assert req.action == "requests_permission" and req.detail["permissions"] == perms and req.data_types == ("camera",)
    result = call(
        "android.app.Activity.onRequestPermissionsResult",
        kind="result",
        entry=None,
        args=[7, perms, [0, -1]],
        outcome="void",
    )
    (res,) = mapper().map(result, 0).observations
    assert res.action == "permission_result"
    assert res.detail["results"] == {
        "android.permission.CAMERA": "granted",
        "android.permission.READ_CONTACTS": "denied",
    }
    assert res.detail["granted"] == ["android.permission.CAMERA"]
    broken = {**result, "args": [7, perms, [0]]}
    assert mapper().map(broken, 0).observations == []


@pytest.mark.parametrize(
    "event",
    [
        {"type": "hooked", "ts_ms": 1_700_000_000_000, "pid": 1, "api": "a.B.c"},
        {"type": "tls", "ts_ms": 1_700_000_000_000, "pid": 1, "direction": "sent"},
        {"type": "detached", "pid": 1, "reason": "process-terminated"},
    ],
)
def test_other_events_are_raw_records_only(event: dict[str, Any]) -> None:
    mapped = mapper().map(event, 0, b"GET / HTTP/1.1" if event["type"] == "tls" else None)
    assert mapped.observations == [] and mapped.canaries == []
    assert mapped.hook["type"] == event["type"] and mapped.hook["ts"].endswith("Z")
    if event["type"] == "tls":
        assert mapped.hook["data_b64"] == "R0VUIC8gSFRUUC8xLjE="
    if "ts_ms" not in event:
        assert "device_ts" not in mapped.hook


@pytest.mark.parametrize(
    ("ret", "data_type", "value"),
    [
        ("unknown", "device.serial", None),
        ("00000000-0000-0000-0000-000000000000", "device.oaid", None),
        ("", "device.imei", None),
        (" 5f3a9c2e7b1d4086 ", "device.android_id", "5f3a9c2e7b1d4086"),
        ({"$class": "java.util.ArrayList", "$str": "[a]"}, "apps.installed", None),
    ],
)
def test_learned_value(ret: Any, data_type: str, value: Any) -> None:
    assert learned_value(ret, data_type) == value


@pytest.mark.parametrize(
    ("frame", "cls"),
    [
        ("java.base/java.net.Socket.connect(Socket.java:609)", "java.net.Socket"),
        ("loader/mod@1.0/com.umeng.X.y(X.java:1)", "com.umeng.X"),
        ("com.umeng.X.y(Unknown Source)", "com.umeng.X"),
        ("com.umeng.X$1.run(Native Method)", "com.umeng.X$1"),
    ],
)
def test_frame_class_drops_module_prefixes(frame: str, cls: str) -> None:
    assert frame_class(frame) == cls
