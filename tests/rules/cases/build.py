"""Build the rule case bundles: `python3 tests/rules/cases/build.py`.

Each case is a tiny hand-designed evidence bundle (manifest.json, static.json,
phases.jsonl, observations.jsonl), the category it is judged against, and expected.yaml:
the verdict the rule must reach, the observation ids that must be in its findings
(`violating`) and those that must not (`ok`). Like semgrep's `ruleid:` / `ok:` lines, every
rule has cases that must fire and cases that must not. The clock is fixed (T0), so the
files are byte-identical on every build; `test_cases.py` checks that the committed folders
are exactly what this script writes — edit the table here, never the files.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
T0 = datetime(2026, 5, 1, 8, 0, 0, tzinfo=UTC)
PKG = "com.example.app"
P = "android.permission."

APP = {"kind": "app", "id": PKG, "name": PKG, "proof": "stack"}
UMENG = {"kind": "sdk", "id": "umeng_analytics", "name": "Umeng+ Analytics", "proof": "stack"}
UMENG_BY_DOMAIN = {"kind": "sdk", "id": "umeng_analytics", "name": "Umeng+ Analytics", "proof": "domain"}
UMENG_HOST = {"host": "ulogs.umeng.com", "party": "third", "sdk": "umeng_analytics"}
OWN_HOST = {"host": "api.example.com", "party": "first"}


def ts(seconds: float) -> str:
    moment = T0 + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def mark(seconds: float, name: str) -> dict[str, Any]:
    return {"ts": ts(seconds), "mark": name}


def read(oid: str, seconds: float, data_type: str, actor: dict[str, Any] = APP, **detail: Any) -> dict[str, Any]:
    return {
        "id": oid,
        "ts": ts(seconds),
        "source": "runtime",
        "action": "reads",
        "data_types": [data_type],
        "actor": actor,
        "confidence": "name",
        "pid": 4242,
        "detail": {
            "api": detail.pop("api", "android.telephony.TelephonyManager.getImei"),
            "outcome": "value",
            **detail,
        },
    }


def send(
    oid: str,
    seconds: float,
    data_types: list[str],
    destination: dict[str, Any] = UMENG_HOST,
    actor: dict[str, Any] = UMENG_BY_DOMAIN,
    scheme: str = "https",
) -> dict[str, Any]:
    return {
        "id": oid,
        "ts": ts(seconds),
        "source": "traffic",
        "action": "transmits",
        "data_types": data_types,
        "actor": actor,
        "destination": destination,
        "confidence": "known",
        "detail": {"scheme": scheme, "direction": "request", "method": "POST"},
    }


def connects(
    oid: str,
    seconds: float,
    host: str,
    source: str = "runtime",
    actor: dict[str, Any] = UMENG,
    inspected: bool | None = None,
) -> dict[str, Any]:
    obs = {
        "id": oid,
        "ts": ts(seconds),
        "source": source,
        "action": "connects",
        "data_types": [],
        "actor": actor,
        "destination": {"host": host, "party": "third" if "umeng" in host else "unknown"},
        "confidence": "name",
    }
    if source == "runtime":
        obs["pid"] = 4242
    if inspected is not None:
        obs["detail"] = {"inspected": inspected}
    return obs


def request(oid: str, seconds: float, *perms: str, actor: dict[str, Any] = APP) -> dict[str, Any]:
    return {
        "id": oid,
        "ts": ts(seconds),
        "source": "runtime",
        "action": "requests_permission",
        "data_types": [],
        "actor": actor,
        "confidence": "name",
        "pid": 4242,
        "detail": {"permissions": [P + p for p in perms]},
    }


def declares(oid: str, perm: str, protection: str, data_types: list[str]) -> dict[str, Any]:
    return {
        "id": oid,
        "ts": ts(0),
        "source": "static",
        "action": "declares",
        "data_types": data_types,
        "actor": {"kind": "app", "id": PKG, "name": PKG, "proof": "static"},
        "confidence": "name",
        "detail": {"permission": P + perm, "protection_level": protection},
    }


def references(oid: str, api: str, data_types: list[str]) -> dict[str, Any]:
    return {
        "id": oid,
        "ts": ts(0),
        "source": "static",
        "action": "references",
        "data_types": data_types,
        "actor": {"kind": "app", "id": PKG, "name": PKG, "proof": "static"},
        "confidence": "name",
        "detail": {"api": api, "call_sites": 1},
    }


def starts(oid: str, component: str, actions: list[str]) -> dict[str, Any]:
    return {
        "id": oid,
        "ts": ts(0),
        "source": "static",
        "action": "starts",
        "data_types": [],
        "actor": {"kind": "sdk", "id": "getui_push", "name": "Getui", "proof": "static"},
        "confidence": "name",
        "detail": {"component": component, "kind": "receiver", "actions": actions},
    }


def check(oid: str, seconds: float, outcome: str, after: str, reason: str | None = None) -> dict[str, Any]:
    detail: dict[str, Any] = {"after": after, "check": "basic_function"}
    if reason:
        detail["reason"] = reason
    return {
        "id": oid,
        "ts": ts(seconds),
        "source": "scenario",
        "action": outcome,
        "data_types": [],
        "actor": {"kind": "unknown", "proof": "none"},
        "confidence": "name",
        "detail": detail,
    }


def static_facts(
    target_sdk: int = 34, packers: list[Any] | None = None, complete: bool = True, permissions: list[str] | None = None
) -> dict[str, Any]:
    return {
        "apk": {"package": PKG, "target_sdk": target_sdk},
        "permissions": [{"name": P + p} for p in permissions or []],
        "packers": packers or [],
        "analysis_complete": complete,
        "errors": [] if complete else ["classes2.dex: unreadable (truncated)"],
    }


@dataclass
class Case:
    about: str
    category: str
    verdict: str
    observations: list[dict[str, Any]] = field(default_factory=list)
    phases: list[dict[str, Any]] = field(default_factory=list)
    static: dict[str, Any] = field(default_factory=dict)
    violating: list[str] = field(default_factory=list)
    ok: list[str] = field(default_factory=list)
    missing: str | None = None


CONSENT = [mark(0, "launch"), mark(4, "policy_shown"), mark(10, "consent_given")]

CASES: dict[str, dict[str, Case]] = {
    "pre_consent_collection": {
        "imei_read_before_and_after_consent": Case(
            "An SDK reads the IMEI before consent; the app reads it after consent; a failed read is an attempt.",
            "news",
            "failed",
            observations=[
                read("sdk-imei-before", 2, "device.imei", UMENG),
                read("sdk-imei-attempt", 3, "device.imei", UMENG, outcome="exception"),
                read("app-imei-after", 12, "device.imei"),
            ],
            phases=CONSENT,
            violating=["sdk-imei-before"],
            ok=["sdk-imei-attempt", "app-imei-after"],
        ),
        "sent_before_consent": Case(
            "The Android ID is sent before consent (a finding) and again after it (not one).",
            "news",
            "failed",
            observations=[send("send-before", 5, ["device.android_id"]), send("send-after", 15, ["device.android_id"])],
            phases=CONSENT,
            violating=["send-before"],
            ok=["send-after"],
        ),
        "all_after_consent": Case(
            "Location read after consent in a map app: nothing before consent.",
            "map_navigation",
            "passed",
            observations=[
                read("loc-after", 20, "location.precise", api="android.location.LocationManager.getLastKnownLocation")
            ],
            phases=CONSENT,
            ok=["loc-after"],
        ),
        "no_consent_mark_conservative": Case(
            "No consent mark at all: judged as before consent, and the result says so.",
            "news",
            "failed",
            observations=[read("imei-unmarked", 5, "device.imei", UMENG)],
            phases=[mark(0, "launch")],
            violating=["imei-unmarked"],
            missing="no consent mark",
        ),
        "no_dynamic_evidence": Case(
            "Static evidence only: the rule is unchecked, never passed.",
            "news",
            "unchecked",
            observations=[references("ref-imei", "android.telephony.TelephonyManager.getImei", ["device.imei"])],
            static=static_facts(),
            ok=["ref-imei"],
            missing="runtime or traffic",
        ),
    },
    "pre_consent_permission_request": {
        "location_requested_before_consent": Case(
            "Location permission requested before the policy was accepted; camera asked after consent.",
            "map_navigation",
            "failed",
            observations=[request("req-loc-early", 2, "ACCESS_FINE_LOCATION"), request("req-cam-late", 20, "CAMERA")],
            phases=CONSENT,
            violating=["req-loc-early"],
            ok=["req-cam-late"],
        ),
        "notifications_before_consent": Case(
            "A notification permission before consent reaches no personal information.",
            "news",
            "passed",
            observations=[request("req-notify", 2, "POST_NOTIFICATIONS")],
            phases=CONSENT,
            ok=["req-notify"],
        ),
    },
    "third_party_before_consent": {
        "umeng_before_consent": Case(
            "Umeng receives the Android ID before consent (proven by a runtime connection's stack); "
            "the first-party API and the post-consent upload are not this rule's findings.",
            "news",
            "failed",
            observations=[
                connects("rt-connect", 4.8, "ulogs.umeng.com"),
                send("umeng-before", 5, ["device.android_id"]),
                send("own-before", 6, ["device.android_id"], destination=OWN_HOST, actor=APP),
                send("umeng-after", 15, ["device.android_id"]),
            ],
            phases=CONSENT,
            violating=["umeng-before"],
            ok=["own-before", "umeng-after", "rt-connect"],
        ),
        "uninspected_host": Case(
            "Nothing readable was sent, but one third-party host refused inspection: unchecked, not passed.",
            "news",
            "unchecked",
            observations=[
                connects(
                    "tls-refused",
                    3,
                    "pinned.example-sdk.com",
                    source="traffic",
                    actor={"kind": "unknown", "proof": "none"},
                    inspected=False,
                )
            ],
            phases=CONSENT,
            ok=["tls-refused"],
            missing="content not readable",
        ),
    },
    "post_refusal_collection": {
        "read_after_policy_refused": Case(
            "The user refuses the policy; an SDK reads the Android ID afterwards.",
            "news",
            "failed",
            observations=[
                read(
                    "aid-before-refusal",
                    2,
                    "device.android_id",
                    UMENG,
                    api="android.provider.Settings$Secure.getString",
                ),
                read(
                    "aid-after-refusal", 8, "device.android_id", UMENG, api="android.provider.Settings$Secure.getString"
                ),
            ],
            phases=[mark(0, "launch"), mark(4, "policy_shown"), mark(5, "consent_refused")],
            violating=["aid-after-refusal"],
            ok=["aid-before-refusal"],
        ),
        "location_after_permission_denied": Case(
            "Location permissions denied, yet a precise location is read (a bypass); the failed read is fine.",
            "map_navigation",
            "failed",
            observations=[
                read("loc-bypass", 15, "location.precise", api="android.location.LocationManager.getLastKnownLocation"),
                read(
                    "loc-refused",
                    16,
                    "location.precise",
                    outcome="exception",
                    api="android.location.LocationManager.getLastKnownLocation",
                ),
            ],
            phases=[
                *CONSENT,
                mark(12, f"permission_denied:{P}ACCESS_FINE_LOCATION"),
                mark(12, f"permission_denied:{P}ACCESS_COARSE_LOCATION"),
            ],
            violating=["loc-bypass"],
            ok=["loc-refused"],
        ),
        "coarse_granted_fine_denied": Case(
            "Precise location denied but approximate granted: an approximate read is allowed, and so is "
            "the Wi-Fi name (ACCESS_WIFI_STATE, granted at install, reaches it).",
            "map_navigation",
            "passed",
            observations=[
                read("coarse-ok", 15, "location.coarse", api="android.location.LocationManager.getLastKnownLocation"),
                read("ssid-ok", 16, "network.wifi_ssid", api="android.net.wifi.WifiInfo.getSSID"),
            ],
            phases=[
                *CONSENT,
                mark(12, f"permission_denied:{P}ACCESS_FINE_LOCATION"),
                mark(12, f"permission_granted:{P}ACCESS_COARSE_LOCATION"),
            ],
            ok=["coarse-ok", "ssid-ok"],
        ),
        "no_refusal_in_test": Case(
            "The tester never refused anything: the rule cannot be checked.",
            "news",
            "unchecked",
            observations=[read("imei-consented", 12, "device.imei")],
            phases=CONSENT,
            ok=["imei-consented"],
            missing="a refusal in the test",
        ),
    },
    "forced_consent": {
        "exits_after_camera_denied_in_news": Case(
            "A news app exits after the camera permission, which its basic function does not need, is denied.",
            "news",
            "failed",
            observations=[check("exit-after-camera", 12, "blocks", f"permission_denied:{P}CAMERA", "exited")],
            phases=[*CONSENT, mark(11, f"permission_denied:{P}CAMERA")],
            violating=["exit-after-camera"],
        ),
        "short_permission_name_in_check": Case(
            "The scenario names the permission without its android.permission. prefix.",
            "news",
            "failed",
            observations=[check("exit-after-mic", 12, "blocks", "permission_denied:RECORD_AUDIO", "exited")],
            phases=[*CONSENT, mark(11, f"permission_denied:{P}RECORD_AUDIO")],
            violating=["exit-after-mic"],
        ),
        "map_exits_after_location_denied": Case(
            "A map app stops after location is denied: location is necessary for navigation.",
            "map_navigation",
            "passed",
            observations=[
                check("map-blocks", 12, "blocks", f"permission_denied:{P}ACCESS_FINE_LOCATION", "check_failed")
            ],
            phases=[*CONSENT, mark(11, f"permission_denied:{P}ACCESS_FINE_LOCATION")],
            ok=["map-blocks"],
        ),
        "news_blocks_after_policy_refused": Case(
            "A news app (no personal information needed) leaves the foreground when the policy is refused.",
            "news",
            "failed",
            observations=[check("news-refused-blocks", 7, "blocks", "consent_refused", "left_foreground")],
            phases=[mark(0, "launch"), mark(4, "policy_shown"), mark(5, "consent_refused")],
            violating=["news-refused-blocks"],
        ),
        "shopping_blocks_after_policy_refused": Case(
            "A shopping app needs the registered phone number: refusing the whole policy may stop it.",
            "online_shopping",
            "passed",
            observations=[check("shop-refused-blocks", 7, "blocks", "consent_refused", "exited")],
            phases=[mark(0, "launch"), mark(4, "policy_shown"), mark(5, "consent_refused")],
            ok=["shop-refused-blocks"],
        ),
        "usable_after_denial": Case(
            "The news app stays usable after the camera is denied.",
            "news",
            "passed",
            observations=[check("still-usable", 12, "usable", f"permission_denied:{P}CAMERA")],
            phases=[*CONSENT, mark(11, f"permission_denied:{P}CAMERA")],
            ok=["still-usable"],
        ),
        "no_scenario_check": Case(
            "No check after a refusal: forced consent cannot be judged.",
            "news",
            "unchecked",
            observations=[read("just-a-read", 12, "device.imei")],
            phases=[*CONSENT, mark(11, f"permission_denied:{P}CAMERA")],
            ok=["just-a-read"],
            missing="scenario check after a refusal",
        ),
    },
    "out_of_scope_collection": {
        "location_in_news": Case(
            "A news app reads the precise location after consent: not necessary for news.",
            "news",
            "failed",
            observations=[
                read("news-loc", 20, "location.precise", api="android.location.LocationManager.getLastKnownLocation")
            ],
            phases=CONSENT,
            violating=["news-loc"],
        ),
        "location_in_map": Case(
            "The same read in a map app is necessary.",
            "map_navigation",
            "passed",
            observations=[
                read("map-loc", 20, "location.precise", api="android.location.LocationManager.getLastKnownLocation")
            ],
            phases=CONSENT,
            ok=["map-loc"],
        ),
        "separate_consent_recorded": Case(
            "The user gave separate consent to location for an extended function.",
            "news",
            "passed",
            observations=[
                read(
                    "consented-loc", 20, "location.precise", api="android.location.LocationManager.getLastKnownLocation"
                )
            ],
            phases=[*CONSENT, mark(18, "consent_separate:location.precise")],
            ok=["consented-loc"],
        ),
        "two_categories_union": Case(
            "An app that is news and maps at once: location is necessary through the map category.",
            "news,map_navigation",
            "passed",
            observations=[
                read("union-loc", 20, "location.precise", api="android.location.LocationManager.getLastKnownLocation")
            ],
            phases=CONSENT,
            ok=["union-loc"],
        ),
        "cell_in_map": Case(
            "A map app reads cell tower information: it reveals approximate location, which maps need.",
            "map_navigation",
            "passed",
            observations=[read("map-cell", 20, "network.cell", api="android.telephony.TelephonyManager.getAllCellInfo")],
            phases=CONSENT,
            ok=["map-cell"],
        ),
        "cell_in_news": Case(
            "A news app reads cell tower information: it reveals location, which news does not need.",
            "news",
            "failed",
            observations=[
                read("news-cell", 20, "network.cell", api="android.telephony.TelephonyManager.getAllCellInfo")
            ],
            phases=CONSENT,
            violating=["news-cell"],
        ),
        "bssid_in_map": Case(
            "A map app reads the Wi-Fi access point (BSSID): it reveals approximate location, which maps need.",
            "map_navigation",
            "passed",
            observations=[
                read("map-bssid", 20, "network.wifi_bssid", api="android.net.wifi.WifiInfo.getBSSID")
            ],
            phases=CONSENT,
            ok=["map-bssid"],
        ),
        "identifier_in_map": Case(
            "No device identifier is necessary in any category, not even in a map app.",
            "map_navigation",
            "failed",
            observations=[
                read("map-oaid", 20, "device.oaid", UMENG, api="com.bun.miitmdid.core.MdidSdkHelper.InitSdk")
            ],
            phases=CONSENT,
            violating=["map-oaid"],
        ),
    },
    "excessive_permission_declared": {
        "contacts_in_news": Case(
            "A news app declares READ_CONTACTS (and references the contacts API); INTERNET and notifications are fine.",
            "news",
            "failed",
            observations=[
                declares("decl-contacts", "READ_CONTACTS", "dangerous", ["contacts"]),
                declares("decl-internet", "INTERNET", "normal", []),
                declares("decl-notify", "POST_NOTIFICATIONS", "dangerous", []),
                references("ref-contacts", "android.content.ContentResolver.query", ["contacts"]),
            ],
            static=static_facts(permissions=["READ_CONTACTS", "INTERNET", "POST_NOTIFICATIONS"]),
            violating=["decl-contacts"],
            ok=["decl-internet", "decl-notify", "ref-contacts"],
        ),
        "location_in_map": Case(
            "A map app declares fine location: its basic function needs it.",
            "map_navigation",
            "passed",
            observations=[declares("decl-fine", "ACCESS_FINE_LOCATION", "dangerous", ["location.precise"])],
            static=static_facts(permissions=["ACCESS_FINE_LOCATION"]),
            ok=["decl-fine"],
        ),
        "no_static": Case(
            "No static analysis in the bundle: unchecked.",
            "news",
            "unchecked",
            observations=[read("only-runtime", 12, "device.imei")],
            phases=CONSENT,
            ok=["only-runtime"],
            missing="static analysis",
        ),
    },
    "excessive_permission_requested": {
        "contacts_requested_in_map": Case(
            "A map app asks for contacts (not needed) and fine location (needed).",
            "map_navigation",
            "failed",
            observations=[
                request("req-contacts", 20, "READ_CONTACTS"),
                request("req-fine", 21, "ACCESS_FINE_LOCATION"),
            ],
            phases=CONSENT,
            violating=["req-contacts"],
            ok=["req-fine"],
        ),
        "only_needed_requested": Case(
            "A ride-hailing app asks only for location.",
            "ride_hailing",
            "passed",
            observations=[request("req-ride-loc", 20, "ACCESS_FINE_LOCATION", "ACCESS_COARSE_LOCATION")],
            phases=CONSENT,
            ok=["req-ride-loc"],
        ),
    },
    "permission_reprompt": {
        "asked_again_without_step": Case(
            "Camera denied, then asked again 20 s later with no action by the tester.",
            "news",
            "failed",
            observations=[request("cam-first", 12, "CAMERA"), request("cam-again", 33, "CAMERA")],
            phases=[*CONSENT, mark(13, f"permission_denied:{P}CAMERA")],
            violating=["cam-again"],
            ok=["cam-first"],
        ),
        "asked_again_after_user_step": Case(
            "Camera denied; the tester opens the scanner, which asks again: the user triggered it.",
            "news",
            "passed",
            observations=[request("cam-1", 12, "CAMERA"), request("cam-scan", 40, "CAMERA")],
            phases=[*CONSENT, mark(13, f"permission_denied:{P}CAMERA"), mark(38, "step:open_scanner")],
            ok=["cam-1", "cam-scan"],
        ),
        "asked_after_the_window": Case(
            "Asked again 49 hours after the denial: outside the configured 48-hour window.",
            "news",
            "passed",
            observations=[request("cam-day0", 12, "CAMERA"), request("cam-day3", 13 + 49 * 3600, "CAMERA")],
            phases=[*CONSENT, mark(13, f"permission_denied:{P}CAMERA")],
            ok=["cam-day0", "cam-day3"],
        ),
        "no_denial": Case(
            "Nothing was denied in the test: re-prompting cannot be judged.",
            "news",
            "unchecked",
            observations=[request("cam-granted", 12, "CAMERA")],
            phases=[*CONSENT, mark(13, f"permission_granted:{P}CAMERA")],
            ok=["cam-granted"],
            missing="permission denial",
        ),
    },
    "permissions_at_first_launch": {
        "three_at_launch": Case(
            "Location, phone state and camera demanded in the first seconds, before any use.",
            "news",
            "failed",
            observations=[
                request("launch-fine", 1, "ACCESS_FINE_LOCATION"),
                request("launch-phone", 2, "READ_PHONE_STATE"),
                request("launch-camera", 3, "CAMERA"),
            ],
            phases=CONSENT,
            violating=["launch-fine", "launch-phone", "launch-camera"],
        ),
        "one_at_launch_one_on_use": Case(
            "One permission at launch, another when the user starts the feature.",
            "news",
            "passed",
            observations=[request("single-fine", 1, "ACCESS_FINE_LOCATION"), request("on-use-camera", 45, "CAMERA")],
            phases=[*CONSENT, mark(40, "step:open_camera")],
            ok=["single-fine", "on-use-camera"],
        ),
        "after_relaunch": Case(
            "Two permissions requested after a relaunch: not the first launch.",
            "news",
            "passed",
            observations=[
                request("relaunch-fine", 101, "ACCESS_FINE_LOCATION"),
                request("relaunch-phone", 102, "READ_PHONE_STATE"),
            ],
            phases=[*CONSENT, mark(90, "killed"), mark(100, "relaunched")],
            ok=["relaunch-fine", "relaunch-phone"],
        ),
    },
    "target_sdk_below_23": {
        "target_22": Case("targetSdkVersion 22.", "news", "failed", static=static_facts(target_sdk=22)),
        "target_34": Case("targetSdkVersion 34.", "news", "passed", static=static_facts(target_sdk=34)),
        "no_static": Case(
            "No static analysis: unchecked.",
            "news",
            "unchecked",
            observations=[read("rt", 12, "device.imei")],
            phases=CONSENT,
            missing="targetSdkVersion",
        ),
    },
    "high_frequency_collection": {
        "app_list_read_repeatedly": Case(
            "An SDK reads the installed-app list three times in 30 s; the app reads it once.",
            "news",
            "failed",
            observations=[
                read(
                    "apps-1", 20, "apps.installed", UMENG, api="android.content.pm.PackageManager.getInstalledPackages"
                ),
                read(
                    "apps-2", 35, "apps.installed", UMENG, api="android.content.pm.PackageManager.getInstalledPackages"
                ),
                read(
                    "apps-3", 50, "apps.installed", UMENG, api="android.content.pm.PackageManager.getInstalledPackages"
                ),
                read("apps-app", 52, "apps.installed", api="android.content.pm.PackageManager.getInstalledPackages"),
            ],
            phases=CONSENT,
            violating=["apps-1", "apps-2", "apps-3"],
            ok=["apps-app"],
        ),
        "location_within_limit": Case(
            "Five location reads in a minute in a map app: under the default limit of 6.",
            "map_navigation",
            "passed",
            observations=[
                read(
                    f"nav-{n}",
                    20 + 10 * n,
                    "location.precise",
                    api="android.location.LocationManager.getLastKnownLocation",
                )
                for n in range(5)
            ],
            phases=CONSENT,
            ok=[f"nav-{n}" for n in range(5)],
        ),
        "spread_over_minutes": Case(
            "The app list read three times, two minutes apart.",
            "news",
            "passed",
            observations=[
                read(
                    f"slow-{n}",
                    20 + 120 * n,
                    "apps.installed",
                    UMENG,
                    api="android.content.pm.PackageManager.getInstalledPackages",
                )
                for n in range(3)
            ],
            phases=CONSENT,
            ok=[f"slow-{n}" for n in range(3)],
        ),
    },
    "background_collection": {
        "imei_in_background_and_screen_off": Case(
            "An SDK reads the IMEI in the background and with the screen off; the foreground read is fine.",
            "news",
            "failed",
            observations=[
                read("bg-imei", 25, "device.imei", UMENG),
                read("fg-imei", 35, "device.imei", UMENG),
                read("off-imei", 45, "device.imei", UMENG),
            ],
            phases=[*CONSENT, mark(20, "background"), mark(30, "foreground"), mark(40, "screen_off")],
            violating=["bg-imei", "off-imei"],
            ok=["fg-imei"],
        ),
        "navigation_in_background": Case(
            "A map app keeps locating in the background during navigation (tolerated by configuration).",
            "map_navigation",
            "passed",
            observations=[
                read("bg-nav", 25, "location.precise", api="android.location.LocationManager.getLastKnownLocation")
            ],
            phases=[*CONSENT, mark(20, "background")],
            ok=["bg-nav"],
        ),
        "never_backgrounded": Case(
            "The app never left the foreground in the test: unchecked.",
            "news",
            "unchecked",
            observations=[read("always-fg", 25, "device.imei")],
            phases=CONSENT,
            ok=["always-fg"],
            missing="background",
        ),
    },
    "auto_start_component": {
        "boot_receiver": Case(
            "A push SDK's receiver starts on boot.",
            "news",
            "failed",
            observations=[starts("boot-rx", "com.igexin.sdk.PushReceiver", ["android.intent.action.BOOT_COMPLETED"])],
            static=static_facts(),
            violating=["boot-rx"],
        ),
        "no_auto_start": Case(
            "Static analysis found no auto-start component.",
            "news",
            "passed",
            observations=[declares("decl-net", "INTERNET", "normal", [])],
            static=static_facts(permissions=["INTERNET"]),
            ok=["decl-net"],
        ),
    },
    "cleartext_transmission": {
        "imei_over_http": Case(
            "The IMEI goes to an SDK over plain HTTP, and over HTTPS elsewhere.",
            "news",
            "failed",
            observations=[
                send("http-imei", 20, ["device.imei"], scheme="http"),
                send("https-imei", 21, ["device.imei"]),
            ],
            phases=CONSENT,
            violating=["http-imei"],
            ok=["https-imei"],
        ),
        "all_https": Case(
            "Everything over HTTPS.",
            "news",
            "passed",
            observations=[send("tls-only", 21, ["device.android_id"])],
            phases=CONSENT,
            ok=["tls-only"],
        ),
    },
    "sensitive_without_separate_consent": {
        "precise_location_map_no_separate": Case(
            "Precise location is necessary for a map app, but still sensitive: no separate consent recorded.",
            "map_navigation",
            "failed",
            observations=[
                read(
                    "map-precise", 20, "location.precise", api="android.location.LocationManager.getLastKnownLocation"
                ),
                read("map-coarse", 21, "location.coarse", api="android.location.LocationManager.getLastKnownLocation"),
            ],
            phases=CONSENT,
            violating=["map-precise"],
            ok=["map-coarse"],
        ),
        "separate_consent_recorded": Case(
            "The user gave separate consent to precise location before it was read.",
            "map_navigation",
            "passed",
            observations=[
                read(
                    "consented-precise",
                    20,
                    "location.precise",
                    api="android.location.LocationManager.getLastKnownLocation",
                )
            ],
            phases=[*CONSENT, mark(15, "consent_separate:location.precise")],
            ok=["consented-precise"],
        ),
    },
    "packed_app": {
        "jiagu": Case(
            "A packer was detected.",
            "news",
            "failed",
            static=static_facts(packers=[{"name": "360jiagu", "evidence": "libjiagu.so"}]),
        ),
        "not_packed": Case("No packer.", "news", "passed", static=static_facts()),
    },
    "static_analysis_incomplete": {
        "dex_unreadable": Case(
            "One dex file could not be read.", "news", "failed", static=static_facts(complete=False)
        ),
        "complete": Case("Everything was read.", "news", "passed", static=static_facts()),
    },
    "dynamic_evidence_missing": {
        "static_only": Case(
            "Only static observations.",
            "news",
            "failed",
            observations=[declares("decl-only", "INTERNET", "normal", [])],
            static=static_facts(),
        ),
        "runtime_and_traffic": Case(
            "Both hooks and traffic are present.",
            "news",
            "passed",
            observations=[read("rt-read", 12, "device.imei"), send("tr-send", 13, ["device.imei"])],
            phases=CONSENT,
        ),
    },
    "no_policy_prompt": {
        "launch_without_policy": Case(
            "The app was launched and used, and no policy was ever shown.",
            "news",
            "failed",
            observations=[read("no-policy-read", 5, "device.imei")],
            phases=[mark(0, "launch"), mark(30, "step:browse")],
        ),
        "policy_shown": Case(
            "The policy dialog was shown and accepted.",
            "news",
            "passed",
            observations=[read("policy-read", 12, "device.imei")],
            phases=CONSENT,
        ),
        "no_phases": Case(
            "No phase marks at all: unchecked.",
            "news",
            "unchecked",
            observations=[read("bare-read", 12, "device.imei")],
            missing="launch mark",
        ),
    },
}

# The privacy-policy rules' cases live in their own table (plain dicts, no import cycle).
if __package__:
    from tests.rules.cases.policy_cases import POLICY_CASES
else:  # run as a script: this folder is on sys.path
    from policy_cases import POLICY_CASES  # type: ignore[no-redef]

CASES.update({rule: {name: Case(**spec) for name, spec in cases.items()} for rule, cases in POLICY_CASES.items()})


def manifest() -> dict[str, Any]:
    return {
        "format": "apptest-bundle",
        "format_version": 1,
        "apk": {"package": PKG, "sha256": "unknown"},
        "started": ts(0),
    }


def _jsonl(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)


def case_files(case: Case) -> dict[str, str]:
    """The files of one case folder, as text."""
    expected: dict[str, Any] = {
        "about": case.about,
        "verdict": case.verdict,
        "violating": case.violating,
        "ok": case.ok,
    }
    if case.missing:
        expected["missing_evidence_contains"] = case.missing
    return {
        "manifest.json": json.dumps(manifest(), indent=2) + "\n",
        "static.json": json.dumps(case.static, indent=2, sort_keys=True) + "\n",
        "phases.jsonl": _jsonl(case.phases),
        "observations.jsonl": _jsonl(case.observations),
        "category": case.category + "\n",
        "expected.yaml": yaml.safe_dump(expected, allow_unicode=True, sort_keys=False, width=100),
    }


def build(root: Path) -> list[Path]:
    """Write every case folder under `root` (replacing what was there); returns the folders."""
    written = []
    for rule_id, cases in CASES.items():
        rule_dir = root / rule_id
        if rule_dir.exists():
            shutil.rmtree(rule_dir)
        for name, case in cases.items():
            folder = rule_dir / name
            folder.mkdir(parents=True)
            for filename, text in case_files(case).items():
                (folder / filename).write_text(text, encoding="utf-8")
            written.append(folder)
    return written


if __name__ == "__main__":
    folders = build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
    print(f"wrote {len(folders)} case folders")
