"""Policy vs behaviour, end to end: a policy written for the test, a bundle of what the app
did, the judge. Declared things produce no finding, undeclared ones do; synonyms, negations
and SDK tables are honoured, and every finding quotes the policy or states its absence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from apptest.evidence import Bundle
from apptest.model import Actor, Destination, Observation, PhaseMark
from apptest.policy.collect import collect_file
from apptest.rules.judge import judge, read_evidence, resolve_categories
from tests.policy.conftest import POLICIES

PKG = "com.example.app"
T = "2026-05-01T08:00:{:02d}.000Z"
APP = Actor(kind="app", id=PKG, name=PKG, proof="stack")
POLICY_RULES = (
    "policy_not_found",
    "policy_data_type_undeclared",
    "policy_data_type_other_party",
    "policy_data_type_unclear",
    "policy_sdk_unlisted",
    "policy_sdk_unclear",
    "policy_no_contact_channel",
    "policy_no_deletion_way",
    "policy_no_correction_way",
    "policy_statement_unclear",
)


def sdk(sdk_id: str, proof: str = "stack") -> Actor:
    return Actor(kind="sdk", id=sdk_id, name=sdk_id, proof=proof)


def reads(second: int, data_type: str, actor: Actor = APP) -> Observation:
    return Observation(
        source="runtime",
        action="reads",
        data_types=(data_type,),
        actor=actor,
        ts=T.format(second),
        pid=4242,
        detail={"api": "android.x.Api.get", "outcome": "value"},
    )


def code(data_type: str, actor: Actor = APP) -> Observation:
    static_actor = Actor(kind=actor.kind, id=actor.id, name=actor.name, proof="static")
    return Observation(
        source="static",
        action="references",
        data_types=(data_type,),
        actor=static_actor,
        ts=T.format(0),
        detail={"api": "android.x.Api.get", "call_sites": 1},
    )


def sends(second: int, data_types: tuple[str, ...], host: str, sdk_id: str | None) -> Observation:
    actor = sdk(sdk_id, "domain") if sdk_id else Actor(kind="app", id=PKG, name=PKG, proof="domain")
    return Observation(
        source="traffic",
        action="transmits",
        data_types=data_types,
        actor=actor,
        ts=T.format(second),
        destination=Destination(host=host, party="third" if sdk_id else "first", sdk=sdk_id),
        confidence="known",
        detail={"scheme": "https", "method": "POST"},
    )


def make_bundle(
    root: Path,
    observations: list[Observation],
    static: dict[str, Any] | None = None,
    marks: tuple[str, ...] = ("launch", "policy_shown", "consent_given"),
) -> Path:
    bundle = Bundle.create(root, {"apk": {"package": PKG, "sha256": "unknown"}})
    bundle.write_static(static if static is not None else {"apk": {"package": PKG, "target_sdk": 30}})
    for second, mark in enumerate(marks):
        bundle.add_phase(PhaseMark(mark=mark, ts=T.format(second)))
    for obs in observations:
        bundle.add_observation(obs)
    bundle.close()
    return root


def judged(root: Path, knowledge) -> dict[str, Any]:
    judgement = judge(read_evidence(root), knowledge, resolve_categories(knowledge, "news"))
    judgement["by_rule"] = {}
    for finding in judgement["findings"]:
        judgement["by_rule"].setdefault(finding["rule_id"], []).append(finding)
    judgement["verdicts"] = {r["rule_id"]: r["verdict"] for r in judgement["rule_results"]}
    return judgement


def keys(judgement: dict[str, Any], rule: str) -> set[tuple[str, ...]]:
    """(data type, actor id) per data-type finding; (actor id,) per SDK finding."""
    out = set()
    for finding in judgement["by_rule"].get(rule, []):
        actor = finding["actors"][0]["id"] if finding["actors"] else ""
        out.add((finding["data_types"][0], actor) if rule.startswith("policy_data_type") else (actor,))
    return out


@pytest.fixture(scope="module")
def chinese_table(tmp_path_factory, knowledge) -> dict[str, Any]:
    """好运出行: a Chinese HTML policy whose SDK list is an HTML table."""
    root = make_bundle(
        tmp_path_factory.mktemp("zh") / "bundle",
        [
            reads(10, "location.precise"),  # 地理位置（精确位置）
            reads(11, "device.android_id"),  # 安卓ID
            reads(12, "clipboard"),  # 剪贴板
            reads(13, "contacts"),  # 我们不会收集您的通讯录
            code("sms"),  # 也不会读取您的短信
            reads(14, "device.serial"),  # only 设备信息, narrowed to 安卓ID and OAID
            reads(15, "device.imei", sdk("umeng_analytics")),  # its row: IMEI、OAID
            reads(16, "device.imsi", sdk("umeng_analytics")),  # nowhere
            reads(17, "location.coarse", sdk("amap_location")),
            reads(18, "network.cell", sdk("amap_location")),  # the rowspan continuation row
            sends(20, ("device.oaid",), "api-access.pangle.io", "pangle_csj"),
        ],
    )
    collect_file(root, POLICIES / "zh_sdk_table.html", knowledge)
    return judged(root, knowledge)


def test_chinese_table_undeclared_types(chinese_table) -> None:
    assert keys(chinese_table, "policy_data_type_undeclared") == {
        ("device.serial", PKG),
        ("device.imsi", "umeng_analytics"),
    }


def test_chinese_table_negations_are_for_review(chinese_table) -> None:
    assert keys(chinese_table, "policy_data_type_unclear") == {("contacts", PKG), ("sms", PKG)}
    for finding in chinese_table["by_rule"]["policy_data_type_unclear"]:
        assert finding["status"] == "needs_review"
        quotes = finding["detail"]["reported"]["policy.quotes"]
        assert quotes[0]["polarity"] == "negated"
        assert quotes[0]["sentence"] == "我们不会收集您的通讯录，也不会读取您的短信。"


def test_chinese_table_sdks(chinese_table) -> None:
    assert keys(chinese_table, "policy_sdk_unlisted") == {("pangle_csj",)}
    assert chinese_table["verdicts"]["policy_sdk_unclear"] == "passed"
    assert not chinese_table["by_rule"].get("policy_data_type_other_party")


def test_chinese_table_statements(chinese_table) -> None:
    for rule in (
        "policy_no_contact_channel",
        "policy_no_deletion_way",
        "policy_no_correction_way",
        "policy_statement_unclear",
        "policy_not_found",
    ):
        assert chinese_table["verdicts"][rule] == "passed", rule


def test_chinese_table_matrix(chinese_table) -> None:
    matrix = chinese_table["policy_matrix"]
    assert matrix["policy_found"] and matrix["documents"][0]["file"] == "policy/zh_sdk_table.html"
    rows = {r["data_type"]: r for r in matrix["data_types"]}
    assert rows["clipboard"]["status"] == "declared" and rows["clipboard"]["declared"] == "affirmed"
    assert rows["contacts"]["status"] == "unclear" and rows["contacts"]["declared"] == "negated"
    assert rows["device.serial"]["status"] == "undeclared" and rows["device.serial"]["quotes"] == []
    assert rows["location.precise"]["quotes"][0]["sentence"].startswith("为向您推荐附近的车辆")
    sdks = {r["sdk"]: r for r in matrix["sdks"]}
    assert sdks["pangle_csj"]["status"] == "unlisted" and sdks["pangle_csj"]["observed"]["sent"]
    assert sdks["umeng_analytics"]["status"] == "listed"
    assert sdks["umeng_analytics"]["data_types_not_declared"] == ["device.imsi"]
    assert sdks["amap_location"]["data_types_declared"] == sorted(sdks["amap_location"]["data_types_declared"])
    assert matrix["statements"]["complaint"]["status"] == "stated"


@pytest.fixture(scope="module")
def english_markdown(tmp_path_factory, knowledge) -> dict[str, Any]:
    """Lumen Notes: an English Markdown policy with an SDK table."""
    root = make_bundle(
        tmp_path_factory.mktemp("en") / "bundle",
        [
            sends(10, ("contact.email",), "api.lumen-notes.example", None),
            reads(11, "location.coarse"),
            reads(12, "contacts"),  # We do not collect your contacts
            reads(13, "camera"),  # only in "If you do not allow camera access…"
            reads(14, "clipboard"),  # never mentioned
            reads(15, "device.android_id", sdk("firebase_crashlytics")),
            sends(16, ("device.gaid",), "app.adjust.com", "adjust"),
            code("device.imei", sdk("sensorsdata")),
        ],
    )
    collect_file(root, POLICIES / "en_policy.md", knowledge)
    return judged(root, knowledge)


def test_english_markdown(english_markdown) -> None:
    # the IMEI is mentioned nowhere: undeclared for the unlisted Sensors Data SDK as for anyone
    assert keys(english_markdown, "policy_data_type_undeclared") == {("clipboard", PKG), ("device.imei", "sensorsdata")}
    assert keys(english_markdown, "policy_data_type_unclear") == {("contacts", PKG), ("camera", PKG)}
    assert keys(english_markdown, "policy_sdk_unlisted") == {("sensorsdata",)}
    for rule in ("policy_no_contact_channel", "policy_no_deletion_way", "policy_no_correction_way"):
        assert english_markdown["verdicts"][rule] == "passed", rule


@pytest.fixture(scope="module")
def chinese_text(tmp_path_factory, knowledge) -> dict[str, Any]:
    """云记账: a plain-text policy whose SDK list is `label: value` lines, with no rights section."""
    root = make_bundle(
        tmp_path_factory.mktemp("txt") / "bundle",
        [
            reads(10, "phone_number"),
            reads(11, "device.serial"),
            reads(12, "apps.installed", sdk("jpush")),
            reads(13, "device.imei", sdk("jpush")),
            reads(14, "location.coarse", sdk("pangle_csj")),
            reads(15, "apps.installed"),  # only JPush's entry names it
        ],
    )
    collect_file(root, POLICIES / "zh_plain.txt", knowledge)
    return judged(root, knowledge)


def test_chinese_text(chinese_text) -> None:
    assert not chinese_text["by_rule"].get("policy_data_type_undeclared")
    assert keys(chinese_text, "policy_data_type_other_party") == {("apps.installed", PKG)}
    assert chinese_text["verdicts"]["policy_sdk_unlisted"] == "passed"
    for rule in ("policy_no_contact_channel", "policy_no_deletion_way", "policy_no_correction_way"):
        (finding,) = chinese_text["by_rule"][rule]
        assert finding["status"] == "violation" and finding["observations"] == []
        assert finding["detail"]["reported"]["bundle.policy.files"] == ["policy/zh_plain.txt"]


def test_no_policy_anywhere(tmp_path: Path, knowledge) -> None:
    root = make_bundle(tmp_path / "bundle", [reads(10, "device.imei")], marks=("launch", "consent_given"))
    judgement = judged(root, knowledge)
    assert judgement["verdicts"]["policy_not_found"] == "failed"
    (finding,) = judgement["by_rule"]["policy_not_found"]
    assert finding["status"] == "risk"
    for rule in POLICY_RULES[1:]:
        assert judgement["verdicts"][rule] == "unchecked", rule
    assert judgement["policy_matrix"]["policy_found"] is False


def test_a_policy_shown_in_the_run_but_not_collected_is_unchecked(tmp_path: Path, knowledge) -> None:
    root = make_bundle(tmp_path / "bundle", [reads(10, "device.imei")])
    result = next(r for r in judged(root, knowledge)["rule_results"] if r["rule_id"] == "policy_not_found")
    assert result["verdict"] == "unchecked" and "policy_shown" in result["missing_evidence"][0]["en"]


def test_a_policy_in_the_apk_but_not_collected_is_unchecked(tmp_path: Path, knowledge) -> None:
    hints = [{"kind": "asset", "value": "assets/privacy_policy.html", "where": "assets/privacy_policy.html"}]
    root = make_bundle(
        tmp_path / "bundle", [], static={"apk": {"package": PKG}, "privacy_policy_hints": hints}, marks=("launch",)
    )
    result = next(r for r in judged(root, knowledge)["rule_results"] if r["rule_id"] == "policy_not_found")
    assert result["verdict"] == "unchecked"
    assert any("assets/privacy_policy.html" in m["en"] for m in result["missing_evidence"])
