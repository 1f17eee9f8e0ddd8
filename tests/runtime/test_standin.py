"""The real agent in a JVM stand-in of the rental app: one run, many assertions.

The stand-in (tests/runtime/java) does what an app and its SDKs do at start: Umeng reads
the IMEI (getDeviceId throws, as on Android 10+, then getImei), JPush reads the Android ID
and the MAC and reports through OkHttp, Pangle lists the installed apps, reads the clipboard,
the last location and the Google advertising ID; the app queries the contacts, asks for permissions and gets the
results. Two seconds later an OAID module arrives in a separate jar through its own
URLClassLoader, and the app starts its push process: a second JVM.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from apptest.evidence import read_jsonl, verify
from apptest.model import parse_ts
from apptest.runtime import agent
from tests.runtime.conftest import PACKAGE, JavaBuild, Server, StandIn, traced

pytestmark = pytest.mark.slow
TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
LATE_DELAY_MS = 2000
VALUES = {
    "device.imei": "868123045678902",
    "device.android_id": "5f3a9c2e7b1d4086",
    "device.mac": "3c:28:6d:a1:b2:c3",
    "device.oaid": "3e8f7a6b-2c1d-4e5f-9a0b-1c2d3e4f5a6b",
    "device.imsi": "460011234509876",
    "device.gaid": "c7e2b1a4-5d3f-4e8a-9b6c-2f1e0d9a8b7c",
}
GAID_INFO = "com.google.android.gms.ads.identifier.AdvertisingIdClient.getAdvertisingIdInfo"
GAID = "com.google.android.gms.ads.identifier.AdvertisingIdClient$Info.getId"


@dataclass
class Run:
    root: Path
    pid: int
    child_pid: int
    go_at: datetime
    ended: datetime
    hooks: list[dict[str, Any]]
    observations: list[dict[str, Any]]
    canaries: list[dict[str, Any]]
    manifest: dict[str, Any]
    output: list[str]

    def calls(self, api: str, nested: bool | None = None) -> list[dict[str, Any]]:
        out = [h for h in self.hooks if h["type"] == "call" and h.get("api") == api]
        if nested is not None:
            out = [h for h in out if ("nested_in" in h) == nested]
        return out

    def seen(self, api: str, pid: int | None = None) -> list[dict[str, Any]]:
        pid = self.pid if pid is None else pid
        return [o for o in self.observations if o["detail"].get("api") == api and o.get("pid") == pid]


@pytest.fixture(scope="module")
def run(java_build: JavaBuild, knowledge, http_server: Server, tmp_path_factory) -> Run:
    root = tmp_path_factory.mktemp("standin") / "bundle"
    app = StandIn.start(
        java_build,
        f"{PACKAGE}.App",
        props={
            "standin.port": str(http_server.port),
            "standin.late_jar": str(java_build.late_jar),
            "standin.late_delay_ms": str(LATE_DELAY_MS),
            "standin.child_java": app_java(),
            "standin.granted": "android.permission.CAMERA",
        },
    )
    try:
        with traced(root, knowledge) as session:
            session.tracer.attach(app.pid)
            go_at = datetime.now(UTC)
            app.say("go")
            child = app.expect("child: push ", timeout=60)
            app.expect("done", timeout=60)
            ended = datetime.now(UTC)
    finally:
        app.close()
    bundle_hooks = read_jsonl(root / "hooks.jsonl", "hook")
    assert not bundle_hooks.errors, bundle_hooks.errors[:3]
    observations = read_jsonl(root / "observations.jsonl", "observation")
    assert not observations.errors, observations.errors[:3]
    manifest = json.loads((root / "manifest.json").read_text("utf-8"))
    return Run(
        root=root,
        pid=app.pid,
        child_pid=int(child.split()[2]),
        go_at=go_at,
        ended=ended,
        hooks=bundle_hooks.records,
        observations=observations.records,
        canaries=read_jsonl(root / "canaries.jsonl", "canary").records,
        manifest=manifest,
        output=app.output,
    )


def app_java() -> str:
    java = shutil.which("java")
    assert java is not None
    return java


def test_identifier_read_is_recorded_once_with_type_actor_and_stack(run: Run) -> None:
    seen = run.seen("android.telephony.TelephonyManager.getImei")
    assert len(seen) == 1
    imei = seen[0]
    assert imei["action"] == "reads" and imei["data_types"] == ["device.imei"]
    assert imei["confidence"] == "known" and imei["source"] == "runtime"
    assert imei["actor"] == {
        "kind": "sdk",
        "id": "umeng_analytics",
        "name": imei["actor"]["name"],
        "proof": "stack",
    }
    assert imei["detail"]["stack"][0].startswith("com.umeng.commonsdk.statistics.idtracking.ImeiTracker.f(")
    assert imei["detail"]["outcome"] == "value"
    # getImei() calls getImei(int): both overloads are hooked, the inner call is kept as nested
    outer = run.calls("android.telephony.TelephonyManager.getImei", nested=False)
    inner = run.calls("android.telephony.TelephonyManager.getImei", nested=True)
    assert [c["signature"] for c in outer] == [[]] and [c["signature"] for c in inner] == [["int"]]
    assert inner[0]["nested_in"] == outer[0]["seq"]
    assert imei["evidence"] == {"stream": "hooks.jsonl", "ref": outer[0]["id"]}
    assert outer[0]["ret"] == VALUES["device.imei"]
    assert outer[0]["stack"][0] == imei["detail"]["stack"][0]  # the whole stack stays in hooks.jsonl


def test_a_call_that_throws_is_an_attempt(run: Run) -> None:
    (attempt,) = run.seen("android.telephony.TelephonyManager.getDeviceId")
    assert attempt["detail"]["outcome"] == "exception"
    assert attempt["detail"]["exception"]["class"] == "java.lang.SecurityException"
    assert attempt["actor"]["id"] == "umeng_analytics"
    assert attempt["confidence"] == "name"  # getDeviceId is IMEI or MEID
    (record,) = run.calls("android.telephony.TelephonyManager.getDeviceId")
    assert record["outcome"] == "exception" and "ret" not in record


def test_every_overload_is_hooked(run: Run) -> None:
    hooked = {
        tuple(h["signature"])
        for h in run.hooks
        if h["type"] == "hooked"
        and h["api"] == "android.telephony.TelephonyManager.getDeviceId"
        and h["pid"] == run.pid
    }
    assert hooked == {(), ("int",)}
    updates = run.calls("android.location.LocationManager.requestLocationUpdates")
    assert sorted(len(c["signature"]) for c in updates if c["pid"] == run.pid) == [4, 5]
    assert len(run.seen("android.location.LocationManager.requestLocationUpdates")) == 2


def test_argument_narrows_the_data_type(run: Run) -> None:
    reads = run.seen("android.provider.Settings$Secure.getString")
    by_key = {o["detail"]["args_summary"][1]: o for o in reads}
    assert by_key["android_id"]["confidence"] == "known"
    assert by_key["android_id"]["data_types"] == ["device.android_id"]
    assert by_key["android_id"]["actor"]["id"] == "jpush"
    # another key is no personal data: the call stays in hooks.jsonl, no observation, no value learned
    assert "bluetooth_name" not in by_key
    raw = run.calls("android.provider.Settings$Secure.getString", nested=False)
    assert any("bluetooth_name" in str(c["args"]) for c in raw)
    assert all("bluetooth" not in str(c["value"]) for c in run.canaries)


def test_content_resolver_query_classified_by_uri(run: Run) -> None:
    queries = run.calls("android.content.ContentResolver.query", nested=False)
    assert [q["args"][0]["$str"] for q in queries] == [
        "content://com.android.contacts/data/phones",
        "content://com.example.rental.provider/houses",
    ]
    # the 5-argument query ends in the Bundle overload: one call each, not two
    assert len(run.calls("android.content.ContentResolver.query", nested=True)) == 2
    (contacts,) = run.seen("android.content.ContentResolver.query")
    assert contacts["data_types"] == ["contacts"] and contacts["confidence"] == "known"
    assert contacts["detail"]["uri"] == "content://com.android.contacts/data/phones"
    assert contacts["actor"]["kind"] == "app"


def test_abstract_api_is_hooked_in_its_implementation(run: Run) -> None:
    (apps,) = run.seen("android.app.ApplicationPackageManager.getInstalledPackages")
    assert apps["data_types"] == ["apps.installed"] and apps["actor"]["id"] == "pangle_csj"
    (record,) = run.calls("android.app.ApplicationPackageManager.getInstalledPackages")
    assert record["class"] == "android.app.ApplicationPackageManager" and record["ret"]["$size"] == 2
    assert not run.seen("android.content.pm.PackageManager.getInstalledPackages")  # one site, one record


def test_network_sends_are_attributed_by_stack(run: Run) -> None:
    (opened,) = run.seen("java.net.URL.openConnection")
    assert opened["action"] == "connects" and opened["destination"]["host"] == "127.0.0.1"
    assert opened["actor"]["id"] == "umeng_analytics" and opened["detail"]["url"].endswith("/umeng/log")
    (call,) = run.seen("okhttp3.OkHttpClient.newCall")
    assert call["actor"]["id"] == "jpush" and call["detail"]["url"].endswith("/jpush/report")
    sockets = run.seen("java.net.Socket.connect")
    assert sockets and all(s["actor"]["id"] == "jpush" and s["actor"]["via"] == "okhttp3" for s in sockets)
    assert all("inspected" not in s["detail"] for s in [*sockets, call, opened])


def test_permission_request_and_result(run: Run) -> None:
    (request,) = [o for o in run.observations if o["action"] == "requests_permission"]
    assert request["detail"]["permissions"] == ["android.permission.CAMERA", "android.permission.ACCESS_FINE_LOCATION"]
    assert request["detail"]["api"] == "androidx.core.app.ActivityCompat.requestPermissions"
    assert {"camera", "location.precise"} <= set(request["data_types"])
    (inner,) = run.calls("android.app.Activity.requestPermissions")
    assert "nested_in" in inner  # ActivityCompat ends in Activity.requestPermissions: one request
    (result,) = [o for o in run.observations if o["action"] == "permission_result"]
    assert result["detail"]["results"] == {
        "android.permission.CAMERA": "granted",
        "android.permission.ACCESS_FINE_LOCATION": "denied",
    }
    assert result["detail"]["class"] == "com.example.rental.MainActivity"  # the app's override was hooked


def test_telemetry_is_kept_apart(run: Run) -> None:
    checks = run.calls("android.net.ConnectivityManager.getActiveNetworkInfo")
    assert len(checks) == 3 and all(c["telemetry"] is True for c in checks)
    assert not run.seen("android.net.ConnectivityManager.getActiveNetworkInfo")


def test_class_loaded_later_through_its_own_loader_is_hooked(run: Run) -> None:
    hooked = [
        h for h in run.hooks if h["type"] == "hooked" and h["api"] == "com.bun.miitmdid.core.MdidSdkHelper.InitSdk"
    ]
    assert [h["via"] for h in hooked] == ["load"]
    (init,) = run.seen("com.bun.miitmdid.core.MdidSdkHelper.InitSdk")
    assert parse_ts(init["ts"]) >= run.go_at.replace(microsecond=0)  # after the delay, not at attach
    assert (parse_ts(init["ts"]) - run.go_at).total_seconds() >= LATE_DELAY_MS / 1000
    assert init["actor"]["id"] == "umeng_analytics" and init["data_types"] == ["device.oaid"]
    (oaid,) = run.seen("com.bun.miitmdid.interfaces.IdSupplier.getOAID")
    assert oaid["detail"]["class"] == "com.bun.miitmdid.supplier.xiaomi.XiaomiSupplier"  # interface -> implementation
    assert oaid["actor"]["id"] == "umeng_analytics" and oaid["confidence"] == "known"


def test_only_implementations_of_an_abstract_target_are_hooked(run: Run) -> None:
    """`HttpURLConnection.connect` is abstract: its implementations are hooked, never an
    unrelated class that merely declares a `connect` (a socket, okhttp's RealConnection)."""
    hooked = {(h["target"], h["class"]) for h in run.hooks if h["type"] == "hooked" and h["pid"] == run.pid}
    connect = {c for t, c in hooked if t == "java.net.HttpURLConnection#connect"}
    assert connect and all(c.rsplit(".", 1)[1].endswith(("URLConnection", "URLConnectionImpl")) for c in connect)
    seen = {h["detail"]["class"] for h in run.seen("java.net.HttpURLConnection.connect")}
    assert seen <= connect


def test_second_jvm_started_by_the_app_is_followed(run: Run) -> None:
    assert run.child_pid != run.pid
    (imsi,) = run.seen("android.telephony.TelephonyManager.getSubscriberId", pid=run.child_pid)
    assert imsi["data_types"] == ["device.imsi"] and imsi["actor"]["id"] == "jpush"
    assert imsi["detail"]["stack"][0].startswith("cn.jpush.android.service.PushService.main(")
    assert any(h["type"] == "instrumented" and h["pid"] == run.child_pid for h in run.hooks)
    assert str(run.child_pid) in run.manifest["runtime"]["clock"]


def test_a_missing_class_does_not_stop_the_rest(run: Run) -> None:
    hooks = run.manifest["runtime"]["hooks"]
    assert "android.bluetooth.BluetoothAdapter.getAddress" in hooks["never_loaded"]
    assert "androidx.ads.identifier.AdvertisingIdClient.getAdvertisingIdInfo" in hooks["never_loaded"]
    assert {GAID_INFO, GAID} <= set(hooks["hooked"])
    assert "android.telephony.TelephonyManager.getImei" in hooks["hooked"]
    assert "com.bun.miitmdid.core.MdidSdkHelper.InitSdk" in hooks["hooked"]  # loaded late: not listed missing
    assert not hooks["failed"], hooks["failed"]
    assert not [h for h in run.hooks if h["type"] in ("agent-error", "script-error")]


def test_advertising_id_read_is_attributed_and_its_value_learned(run: Run) -> None:
    """Pangle asks Play services for the Info, then reads the id from it: two reads of the
    GAID by Pangle, and the id string (not the Info object) becomes a known value."""
    (info,) = run.seen(GAID_INFO)
    (gaid,) = run.seen(GAID)
    for read in (info, gaid):
        assert read["action"] == "reads" and read["data_types"] == ["device.gaid"]
        assert read["confidence"] == "known" and read["detail"]["outcome"] == "value"
        assert read["actor"]["kind"] == "sdk" and read["actor"]["id"] == "pangle_csj"
        assert read["detail"]["stack"][0].startswith("com.bytedance.sdk.openadsdk.TTAdSdk.init(")
    assert "class" not in gaid["detail"]  # hooked on the nested class itself
    (record,) = run.calls(GAID)
    assert record["ret"] == VALUES["device.gaid"] and record["signature"] == []
    assert gaid["evidence"] == {"stream": "hooks.jsonl", "ref": record["id"]}
    (learned,) = [c for c in run.canaries if c["data_type"] == "device.gaid"]
    assert learned["value"] == VALUES["device.gaid"] and learned["source"] == f"runtime:{GAID}"
    assert parse_ts(info["ts"]) <= parse_ts(gaid["ts"])


def test_identifier_values_read_are_learned(run: Run) -> None:
    learned = {c["data_type"]: c["value"] for c in run.canaries}
    assert {k: learned.get(k) for k in VALUES} == VALUES
    assert learned["location.precise"] == {"lat": 39.90872, "lng": 116.39748}
    assert set(learned) == {*VALUES, "location.precise"}
    assert all(c["source"].startswith("runtime:") for c in run.canaries)


def test_times_are_utc_milliseconds_within_the_run(run: Run) -> None:
    for record in run.hooks + run.observations + run.canaries:
        assert TS.match(record["ts"]), record["ts"]
    calls = [parse_ts(h["ts"]) for h in run.hooks if h["type"] == "call"]
    assert min(calls) >= run.go_at.replace(microsecond=0) and max(calls) <= run.ended
    assert abs(run.manifest["runtime"]["clock"][str(run.pid)]["offset_ms"]) < 1000  # same clock, measured


def test_manifest_and_seal(run: Run) -> None:
    assert run.manifest["agent"]["sha256"] == agent.sha256()
    assert run.manifest["tool"]["frida"].split(".")[0] == "17"
    assert run.manifest["options"]["bypass_pinning"] is False
    report = verify(run.root)
    assert report.sealed and report.ok, report.problems


def test_stand_in_finished_normally(run: Run) -> None:
    assert "child exit 0" in run.output
