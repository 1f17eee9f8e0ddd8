"""Case bundles of the privacy-policy rules (written by build.py with all other cases).

Each case holds the `declares` observations the policy collector would have written for a
short policy (the sentences are quoted in them, as in a real bundle) beside what the app
was seen doing. Plain dicts, so that build.py imports this table without a cycle; the
clock is the fixed one of build.py (2026-05-01T08:00:00Z).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

T0 = datetime(2026, 5, 1, 8, 0, 0, tzinfo=UTC)
PKG = "com.example.app"
APP = {"kind": "app", "id": PKG, "name": PKG, "proof": "static"}
POLICY_ACTOR = {"kind": "app", "id": PKG, "name": PKG, "proof": "none"}
FILE = "policy/privacy_policy.html"
TEXT = FILE + ".plain.txt"


def ts(seconds: float) -> str:
    moment = T0 + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def sdk(sdk_id: str, name: str, proof: str = "static") -> dict[str, Any]:
    return {"kind": "sdk", "id": sdk_id, "name": name, "proof": proof}


UMENG = sdk("umeng_analytics", "Umeng+ Analytics")
JPUSH = sdk("jpush", "JPush")
PANGLE = sdk("pangle_csj", "Pangle")
GDT = sdk("gdt_tencent_ads", "Tencent Ads")
OKHTTP = sdk("okhttp3", "OkHttp 3/4")


def document(oid: str = "policy-doc") -> dict[str, Any]:
    return {
        "id": oid,
        "ts": ts(0),
        "source": "policy",
        "action": "declares",
        "data_types": [],
        "actor": POLICY_ACTOR,
        "confidence": "name",
        "evidence": {"stream": FILE, "ref": "sha256:" + "0" * 64},
        "detail": {
            "kind": "document",
            "value": FILE,
            "file": FILE,
            "text": TEXT,
            "sha256": "0" * 64,
            "format": "html",
            "language": "zh",
            "title": "隐私政策",
            "origin": "given",
            "source": "privacy_policy.html",
        },
    }


def says(oid: str, kind: str, value: str, sentence: str, offset: int, polarity: str = "affirmed", **extra: Any):
    """A `declares` observation as apptest.policy.collect writes it."""
    return {
        "id": oid,
        "ts": ts(0),
        "source": "policy",
        "action": "declares",
        "data_types": [value] if kind == "data_type" else [],
        "actor": POLICY_ACTOR,
        "confidence": "name",
        "evidence": {"stream": TEXT, "ref": f"chars {offset}-{offset + len(sentence)}"},
        "detail": {
            "kind": kind,
            "value": value,
            "sentence": sentence,
            "offset": offset,
            "polarity": polarity,
            "file": FILE,
            "text": TEXT,
            "document": "policy-doc",
            **extra,
        },
    }


def ref(oid: str, data_types: list[str], actor: dict[str, Any] = APP, api: str = "x.Y.z") -> dict[str, Any]:
    return {
        "id": oid,
        "ts": ts(0),
        "source": "static",
        "action": "references",
        "data_types": data_types,
        "actor": actor,
        "confidence": "name",
        "detail": {"api": api, "call_sites": 1},
    }


def read(oid: str, seconds: float, data_type: str, actor: dict[str, Any] = APP, outcome: str = "value"):
    return {
        "id": oid,
        "ts": ts(seconds),
        "source": "runtime",
        "action": "reads",
        "data_types": [data_type],
        "actor": {**actor, "proof": "stack"},
        "confidence": "name",
        "pid": 4242,
        "detail": {"api": "android.x.Api.read", "outcome": outcome},
    }


def send(oid: str, seconds: float, data_types: list[str], host: str, sdk_id: str, actor: dict[str, Any]):
    return {
        "id": oid,
        "ts": ts(seconds),
        "source": "traffic",
        "action": "transmits",
        "data_types": data_types,
        "actor": {**actor, "proof": "domain"},
        "destination": {"host": host, "party": "third", "sdk": sdk_id},
        "confidence": "known",
        "detail": {"scheme": "https", "direction": "request", "method": "POST"},
    }


STATIC = {"apk": {"package": PKG, "target_sdk": 30}, "privacy_policy_hints": [], "sdks": []}
CONSENT = [
    {"ts": ts(0), "mark": "launch"},
    {"ts": ts(4), "mark": "policy_shown"},
    {"ts": ts(10), "mark": "consent_given"},
]

S_CONTACTS = "在您使用“通讯录邀请”功能时，我们会读取您的通讯录。"
S_NO_CONTACTS = "我们不会收集您的通讯录。"
S_LOCATION = "为向您推荐附近房源，我们会在您同意后收集您的地理位置。"
S_NO_LOCATION = "如您不授权位置权限，我们将无法为您推荐附近房源。"
S_UMENG = "友盟+ SDK：用于统计分析，收集设备标识符（IMEI、OAID）。"
S_JPUSH = "极光推送 SDK：用于消息推送，收集设备信息、已安装应用列表。"
S_IMSI = "为保障账号安全，我们会收集IMSI。"
S_TENCENT = "深圳市腾讯计算机系统有限公司：用于广告投放。"
S_CONTACT = "联系我们：privacy@example.com"
S_DELETE = "您可以在“设置-隐私”中删除个人信息。"
S_CORRECT = "您可以在“我的-资料”中更正您的个人信息。"
S_CONTACT_HEADING = "联系我们"


def umeng_listed() -> list[dict[str, Any]]:
    return [
        says("p-umeng", "sdk", "umeng_analytics", S_UMENG, 200, match="alias", text="友盟+"),
        says("p-umeng-imei", "data_type", "device.imei", S_UMENG, 200, sdks=["umeng_analytics"], broad=None),
        says("p-umeng-oaid", "data_type", "device.oaid", S_UMENG, 200, sdks=["umeng_analytics"], broad=None),
    ]


def rights() -> list[dict[str, Any]]:
    return [
        says("p-contact", "contact", "email:privacy@example.com", S_CONTACT, 400, channel="email", block="text"),
        says("p-delete", "deletion", "您可以在“设置-隐私”中删除", S_DELETE, 430),
        says("p-correct", "correction", "您可以在“我的-资料”中更正", S_CORRECT, 460),
    ]


def case(about: str, verdict: str, observations: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
    return {"about": about, "category": "news", "verdict": verdict, "observations": observations, **kw}


POLICY_CASES: dict[str, dict[str, dict[str, Any]]] = {
    "policy_data_type_undeclared": {
        "sms_and_clipboard_not_declared": case(
            "The app's code reads SMS and the clipboard, which the policy never mentions; contacts are declared.",
            "failed",
            [
                document(),
                says("p-contacts", "data_type", "contacts", S_CONTACTS, 40, broad=None),
                ref("ref-sms", ["sms"], api="android.content.ContentResolver.query"),
                ref("ref-clip", ["clipboard"], api="android.content.ClipboardManager.getPrimaryClip"),
                ref("ref-contacts", ["contacts"], api="android.content.ContentResolver.query"),
                read("read-clip", 12, "clipboard"),
            ],
            static=STATIC,
            phases=CONSENT,
            violating=["ref-sms", "ref-clip", "read-clip"],
            ok=["ref-contacts", "p-contacts"],
        ),
        "all_declared": case(
            "Every type collected is declared affirmatively (location through the synonym 地理位置).",
            "passed",
            [
                document(),
                says("p-location", "data_type", "location.precise", S_LOCATION, 10, broad=None),
                says("p-contacts", "data_type", "contacts", S_CONTACTS, 40, broad=None),
                read("read-loc", 12, "location.precise"),
                ref("ref-contacts", ["contacts"]),
            ],
            static=STATIC,
            phases=CONSENT,
            ok=["read-loc", "ref-contacts"],
        ),
        "negated_mention_is_not_silence": case(
            "Contacts are mentioned only in a negated sentence: that is for the unclear rule, not a violation here.",
            "passed",
            [
                document(),
                says("p-no-contacts", "data_type", "contacts", S_NO_CONTACTS, 40, "negated"),
                read("read-contacts", 12, "contacts"),
            ],
            static=STATIC,
            phases=CONSENT,
            ok=["read-contacts"],
        ),
        "failed_read_is_no_collection": case(
            "A read of the clipboard that threw an exception collected nothing.",
            "passed",
            [document(), read("read-clip-failed", 12, "clipboard", outcome="exception")],
            static=STATIC,
            phases=CONSENT,
            ok=["read-clip-failed"],
        ),
        "no_policy_in_bundle": case(
            "Without the policy in the bundle nothing can be compared: unchecked, never passed.",
            "unchecked",
            [ref("ref-sms", ["sms"])],
            static=STATIC,
            missing="privacy policy",
        ),
    },
    "policy_data_type_other_party": {
        "app_reads_what_only_an_sdk_row_names": case(
            "Only the JPush row names the installed-app list; the app's own code reads it too.",
            "failed",
            [
                document(),
                says("p-jpush", "sdk", "jpush", S_JPUSH, 250, match="alias", text="极光推送"),
                says("p-jpush-apps", "data_type", "apps.installed", S_JPUSH, 250, sdks=["jpush"], broad=None),
                ref("ref-app-apps", ["apps.installed"]),
                ref("ref-jpush-apps", ["apps.installed"], actor=JPUSH),
            ],
            static=STATIC,
            violating=["ref-app-apps"],
            ok=["ref-jpush-apps"],
        ),
        "listed_sdk_outside_its_entry": case(
            "Umeng is listed with IMEI and OAID; it also reads the IMSI, which only the app's own sentence names.",
            "failed",
            [
                document(),
                *umeng_listed(),
                says("p-imsi", "data_type", "device.imsi", S_IMSI, 100, broad=None),
                read("read-umeng-imsi", 12, "device.imsi", actor=UMENG),
                read("read-umeng-imei", 13, "device.imei", actor=UMENG),
                read("read-app-imsi", 14, "device.imsi"),
            ],
            static=STATIC,
            phases=CONSENT,
            violating=["read-umeng-imsi"],
            ok=["read-umeng-imei", "read-app-imsi"],
        ),
        "each_party_declared": case(
            "The app and Umeng each collect only what the policy states for them.",
            "passed",
            [
                document(),
                *umeng_listed(),
                says("p-imsi", "data_type", "device.imsi", S_IMSI, 100, broad=None),
                read("read-app-imsi", 14, "device.imsi"),
                read("read-umeng-oaid", 15, "device.oaid", actor=UMENG),
            ],
            static=STATIC,
            phases=CONSENT,
            ok=["read-app-imsi", "read-umeng-oaid"],
        ),
    },
    "policy_data_type_unclear": {
        "contacts_only_negated": case(
            "「我们不会收集您的通讯录」, and the app reads the address book: a person must read the sentence.",
            "failed",
            [
                document(),
                says("p-no-contacts", "data_type", "contacts", S_NO_CONTACTS, 40, "negated"),
                read("read-contacts", 12, "contacts"),
            ],
            static=STATIC,
            phases=CONSENT,
            violating=["read-contacts"],
        ),
        "location_only_conditional_and_jpush_only_vague": case(
            "Location appears only in a refusal clause; JPush's entry says only 设备信息 and JPush reads the MAC.",
            "failed",
            [
                document(),
                says("p-no-loc", "data_type", "location.precise", S_NO_LOCATION, 70, "conditional"),
                says("p-jpush", "sdk", "jpush", S_JPUSH, 250, match="alias", text="极光推送"),
                says(
                    "p-jpush-mac", "data_type", "device.mac", S_JPUSH, 250, sdks=["jpush"], broad="device_information"
                ),
                read("read-loc", 12, "location.precise"),
                ref("ref-jpush-mac", ["device.mac"], actor=JPUSH),
            ],
            static=STATIC,
            phases=CONSENT,
            violating=["read-loc", "ref-jpush-mac"],
        ),
        "affirmed_elsewhere_wins": case(
            "A negated sentence and an affirmed one about contacts: declared.",
            "passed",
            [
                document(),
                says("p-no-contacts", "data_type", "contacts", S_NO_CONTACTS, 40, "negated"),
                says("p-contacts", "data_type", "contacts", S_CONTACTS, 60, broad=None),
                read("read-contacts", 12, "contacts"),
            ],
            static=STATIC,
            phases=CONSENT,
            ok=["read-contacts"],
        ),
    },
    "policy_sdk_unlisted": {
        "pangle_not_listed": case(
            "Pangle's code reads the location and its server receives the OAID; only Umeng is listed.",
            "failed",
            [
                document(),
                *umeng_listed(),
                ref("ref-pangle-loc", ["location.coarse"], actor=PANGLE),
                send("send-pangle", 20, ["device.oaid"], "api-access.pangle.io", "pangle_csj", PANGLE),
                ref("ref-umeng-imei", ["device.imei"], actor=UMENG),
            ],
            static=STATIC,
            phases=CONSENT,
            violating=["ref-pangle-loc", "send-pangle"],
            ok=["ref-umeng-imei"],
        ),
        "listed_and_libraries": case(
            "Umeng is listed (by its package name); OkHttp is a plain library, not a third party.",
            "passed",
            [
                document(),
                says("p-umeng-pkg", "sdk", "umeng_analytics", "SDK包名：com.umeng.commonsdk", 300, match="package"),
                ref("ref-umeng-imei", ["device.imei"], actor=UMENG),
                ref("ref-okhttp", [], actor=OKHTTP),
            ],
            static=STATIC,
            ok=["ref-umeng-imei", "ref-okhttp"],
        ),
        "unlisted_sdk_seen_only_in_the_apk": case(
            "The ACCS push channel is in the APK, not in the policy, and no observation shows it at work: unchecked.",
            "unchecked",
            [document(), *umeng_listed(), ref("ref-umeng-imei", ["device.imei"], actor=UMENG)],
            static={**STATIC, "sdks": [{"id": "taobao_accs", "name": {"en": "ACCS"}}, {"id": "umeng_analytics"}]},
            ok=["ref-umeng-imei"],
            missing="taobao_accs",
        ),
    },
    "policy_sdk_unclear": {
        "named_only_by_its_company": case(
            "The policy names 深圳市腾讯计算机系统有限公司 but no product; Tencent Ads reads the IMEI.",
            "failed",
            [
                document(),
                says("p-tencent", "sdk", "gdt_tencent_ads", S_TENCENT, 320, match="vendor", broad=True),
                ref("ref-gdt", ["device.imei"], actor=GDT),
            ],
            static=STATIC,
            violating=["ref-gdt"],
        ),
        "named_outright": case(
            "Umeng is named by its alias.",
            "passed",
            [document(), *umeng_listed(), ref("ref-umeng-imei", ["device.imei"], actor=UMENG)],
            static=STATIC,
            ok=["ref-umeng-imei"],
        ),
    },
    "policy_not_found": {
        "nothing_anywhere": case(
            "No policy given or captured, none in the APK, none shown during the run.",
            "failed",
            [ref("ref-imei", ["device.imei"])],
            static=STATIC,
            phases=[{"ts": ts(0), "mark": "launch"}],
        ),
        "policy_collected": case("The policy is in the bundle.", "passed", [document()], static=STATIC),
        "asset_not_collected": case(
            "The APK has assets/privacy_policy.html but nobody collected it: unchecked, with where to look.",
            "unchecked",
            [ref("ref-imei", ["device.imei"])],
            static={
                **STATIC,
                "privacy_policy_hints": [
                    {"kind": "asset", "value": "assets/privacy_policy.html", "where": "assets/privacy_policy.html"}
                ],
            },
            missing="assets/privacy_policy.html",
        ),
        "no_static_analysis": case(
            "Without the APK scanned, a missing policy could be hiding in its assets.",
            "unchecked",
            [read("read-imei", 12, "device.imei")],
            missing="static analysis",
        ),
    },
    "policy_no_contact_channel": {
        "no_channel": case(
            "The policy states data types, deletion and correction, but gives no way to reach anyone.",
            "failed",
            [document(), says("p-contacts", "data_type", "contacts", S_CONTACTS, 40, broad=None), *rights()[1:]],
            static=STATIC,
        ),
        "email_given": case("联系我们：privacy@example.com", "passed", [document(), *rights()], static=STATIC),
        "heading_without_channel": case(
            "Only a 联系我们 heading: not silence (the unclear rule asks a person), so not this violation.",
            "passed",
            [
                document(),
                says("p-heading", "contact", "cue:联系我们", S_CONTACT_HEADING, 380, channel="cue", block="heading"),
                *rights()[1:],
            ],
            static=STATIC,
        ),
    },
    "policy_no_deletion_way": {
        "no_deletion": case(
            "Correction and contact are stated; deletion is not.",
            "failed",
            [document(), rights()[0], rights()[2]],
            static=STATIC,
        ),
        "deletion_stated": case(
            "您可以在“设置-隐私”中删除个人信息。", "passed", [document(), *rights()], static=STATIC
        ),
        "negated_deletion": case(
            "「我们不会删除…」 only: unclear, left to the unclear rule.",
            "passed",
            [
                document(),
                rights()[0],
                rights()[2],
                says("p-no-delete", "deletion", "用户删除", "用户删除的信息我们不会恢复。", 500, "negated"),
            ],
            static=STATIC,
        ),
    },
    "policy_no_correction_way": {
        "no_correction": case(
            "Deletion and contact are stated; correction is not.",
            "failed",
            [document(), rights()[0], rights()[1]],
            static=STATIC,
        ),
        "correction_stated": case("您可以…更正您的个人信息。", "passed", [document(), *rights()], static=STATIC),
    },
    "policy_statement_unclear": {
        "contact_heading_only_and_negated_deletion": case(
            "A 联系我们 heading with nothing under it, and deletion only in a negated sentence.",
            "failed",
            [
                document(),
                says("p-heading", "contact", "cue:联系我们", S_CONTACT_HEADING, 380, channel="cue", block="heading"),
                says("p-no-delete", "deletion", "用户删除", "用户删除的信息我们不会恢复。", 500, "negated"),
                rights()[2],
            ],
            static=STATIC,
        ),
        "all_stated": case(
            "Contact, deletion and correction stated plainly.", "passed", [document(), *rights()], static=STATIC
        ),
    },
}
