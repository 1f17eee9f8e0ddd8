"""The step runner: what the phone is told, which marks are written, and in which order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from apptest.evidence import Bundle, verify
from apptest.knowledge import Knowledge
from apptest.scenario.checks import classify
from apptest.scenario.loader import load_scenario
from apptest.scenario.runner import ScenarioRunner
from tests.scenario.fakes import PKG, LoggingRecorder, ScriptedPhone, screen

FAST = {"settle_seconds": 0, "refusal_check_seconds": 0, "wait_for_seconds": 0.2}
DENY = "com.android.permissioncontroller:id/permission_deny_button"


def run(tmp_path: Path, phone: ScriptedPhone, steps: list, vars: dict | None = None, settings: dict | None = None):
    doc = {"id": "t", "version": "1.0.0", "title": {"zh": "测", "en": "t"}, "settings": {**FAST, **(settings or {})},
           "vars": vars or {}, "steps": steps}  # fmt: skip
    (tmp_path / "p" / "scenarios").mkdir(parents=True)
    (tmp_path / "p" / "scenarios" / "t.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    scenario = load_scenario(Knowledge.load([tmp_path / "p"]), "t")
    bundle = Bundle.create(tmp_path / "b", {"apk": {"package": PKG, "sha256": "unknown"}})
    result = ScenarioRunner(scenario, phone, PKG, LoggingRecorder(bundle, phone), sleep=lambda s: None).run()
    bundle.close()
    return result, bundle


def records(bundle: Bundle, stream: str) -> list[dict]:
    return bundle.read_stream(stream).records


def policy_app() -> ScriptedPhone:
    """A policy dialog; refusing exits the app, agreeing shows the home screen."""
    screens = {"policy": screen("不同意", "同意"), "home": screen("找房", "我的")}

    def refuse(phone: ScriptedPhone) -> None:
        phone.alive, phone.top = False, "launcher"

    def agree(phone: ScriptedPhone) -> None:
        phone.current = "home"

    return ScriptedPhone(screens, "policy", {("policy", "不同意"): refuse, ("policy", "同意"): agree})


def test_marks_are_written_just_before_the_action_they_claim(tmp_path):
    phone = policy_app()
    steps = [
        {"launch": {"clear_data": True}},
        {"tap": "同意", "mark": "consent_given", "name": "agree"},
        {"home": None},
        {"kill": None},
    ]
    result, bundle = run(tmp_path, phone, steps)
    assert not result.failed
    assert phone.log == [
        ("force_stop",), ("clear_data",), ("mark", "launch"), ("launch",),
        ("mark", "step:agree"), ("mark", "consent_given"), ("tap", "同意"),
        ("mark", "step:home"), ("home",), ("mark", "background"),
        ("force_stop",), ("mark", "killed"),
    ]  # fmt: skip
    marks = [r["mark"] for r in records(bundle, "phases.jsonl")]
    assert marks == ["launch", "step:agree", "consent_given", "step:home", "background", "killed"]


def test_refusal_is_followed_by_a_check_that_sees_the_app_exit(tmp_path):
    phone = policy_app()
    result, bundle = run(tmp_path, phone, [{"launch": None}, {"tap": "不同意", "mark": "consent_refused"}],
                         vars={"usable": {"text": "找房"}})  # fmt: skip
    assert result.checks == [{"after": "consent_refused", "action": "blocks", "reason": "exited"}]
    (obs,) = records(bundle, "observations.jsonl")
    assert obs["source"] == "scenario" and obs["action"] == "blocks"
    assert obs["detail"]["after"] == "consent_refused" and obs["detail"]["reason"] == "exited"
    assert obs["detail"]["check"] == {"text": ["找房"]} and obs["detail"]["check_ok"] is None
    assert obs["actor"] == {"kind": "app", "id": PKG, "name": PKG, "proof": "none"}
    assert (bundle.root / obs["detail"]["screenshot"]).read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("alive", "top", "check_ok", "expected"),
    [
        (False, None, None, ("blocks", "exited")),
        (True, "launcher", None, ("blocks", "left_foreground")),
        (True, PKG, False, ("blocks", "check_failed")),
        (True, PKG, True, ("usable", None)),
        (True, PKG, None, ("usable", None)),  # no check target: only alive and in front
    ],
)
def test_classify(alive, top, check_ok, expected):
    assert classify(alive, top == PKG, check_ok) == expected


def test_check_usable_refers_to_the_latest_refusal(tmp_path):
    phone = policy_app()
    steps = [{"launch": None}, {"phase": "consent_refused"}, {"tap": "同意", "mark": "consent_given"},
             {"check_usable": {"text": "找房"}}]  # fmt: skip
    _result, bundle = run(tmp_path, phone, steps)
    observations = records(bundle, "observations.jsonl")
    # the phase step itself is a refusal: checked once (policy still shown, no usable target: usable)
    assert [(o["action"], o["detail"].get("after")) for o in observations] == [
        ("usable", "consent_refused"),
        ("usable", "consent_refused"),
    ]
    assert observations[1]["detail"]["check_ok"] is True


def test_a_failed_step_writes_no_marks_and_is_logged(tmp_path):
    phone = policy_app()
    result, bundle = run(tmp_path, phone, [{"launch": None}, {"tap": "同意并继续", "mark": "consent_given"}])
    assert [s["status"] for s in result.steps] == ["ok", "failed"]
    assert "同意并继续 not on screen" in result.failed[0]["error"]
    assert [r["mark"] for r in records(bundle, "phases.jsonl")] == ["launch"]
    steps = records(bundle, "ui/steps.jsonl")
    assert [s["status"] for s in steps] == ["ok", "failed"]
    assert steps[1]["screenshot"] == "ui/001-tap.png" and (bundle.root / "ui/001-tap.xml").is_file()


def test_optional_step_is_skipped_and_stop_on_failure_stops(tmp_path):
    phone = policy_app()
    steps = [{"launch": None}, {"tap": "跳过", "optional": True}, {"tap": "nope"}, {"kill": None}]
    result, _ = run(tmp_path, phone, steps, settings={"on_failure": "stop"})
    assert [s["status"] for s in result.steps] == ["ok", "skipped", "failed"]
    assert result.stopped and "step 2" in result.stopped
    assert ("force_stop",) not in phone.log


def _permission_app() -> ScriptedPhone:
    screens = {
        "home": screen("找房"),
        "dialog": screen("仅在使用中允许", "拒绝", package="com.android.permissioncontroller"),
        "blocked": screen("去开启"),
    }
    screens["dialog"] = screens["dialog"].replace(
        'resource-id="com.android.permissioncontroller:id/b1"', f'resource-id="{DENY}"'
    )

    def deny(phone: ScriptedPhone) -> None:
        phone.denied.add("android.permission.ACCESS_FINE_LOCATION")
        phone.current = "blocked"

    phone = ScriptedPhone(screens, "dialog", {("dialog", "拒绝"): deny})
    return phone


def test_deny_finds_out_which_permission_it_answered(tmp_path):
    phone = _permission_app()
    result, bundle = run(tmp_path, phone, [{"launch": None}, {"deny": {}}], vars={"usable": {"text": "找房"}})
    marks = [r["mark"] for r in records(bundle, "phases.jsonl")]
    assert marks == ["launch", "step:deny", "permission_denied:android.permission.ACCESS_FINE_LOCATION"]
    assert result.steps[1]["detail"] == {
        "permissions": ["android.permission.ACCESS_FINE_LOCATION"],
        "dialogs": [{"screenshot": "ui/001-dialog-0.png", "hierarchy": "ui/001-dialog-0.xml"}],
    }
    dialog = (bundle.root / "ui/001-dialog-0.xml").read_text()
    assert "permission_deny_button" in dialog  # the screen as it was before the answer
    assert result.steps[1]["marks"] == ["step:deny", "permission_denied:android.permission.ACCESS_FINE_LOCATION"]
    assert result.checks == [
        {"after": "permission_denied:android.permission.ACCESS_FINE_LOCATION", "action": "blocks",
         "reason": "check_failed"}
    ]  # fmt: skip


def test_deny_a_named_permission_marks_it_before_the_tap(tmp_path):
    phone = _permission_app()
    run(tmp_path, phone, [{"launch": None}, {"deny": {"permission": "ACCESS_FINE_LOCATION"}}])
    assert phone.log[-3:] == [
        ("mark", "step:deny ACCESS_FINE_LOCATION"),
        ("mark", "permission_denied:android.permission.ACCESS_FINE_LOCATION"),
        ("tap", "拒绝"),
    ]


def test_deny_without_a_dialog_fails_and_marks_nothing(tmp_path):
    phone = policy_app()
    result, bundle = run(tmp_path, phone, [{"launch": None}, {"deny": {"permission": "CAMERA"}}])
    assert result.failed and "no permission dialog" in result.failed[0]["error"]
    assert [r["mark"] for r in records(bundle, "phases.jsonl")] == ["launch"]


def test_background_relaunch_grant_revoke_and_screen(tmp_path):
    phone = policy_app()
    steps = [
        {"relaunch": None},
        {"background": {"seconds": 1}},
        {"screen_off": {"seconds": 1}},
        {"grant": {"permission": "CAMERA"}},
        {"revoke": {"permission": "android.permission.CAMERA"}},
        {"relaunch": None},
    ]
    result, bundle = run(tmp_path, phone, steps)
    marks = [r["mark"] for r in records(bundle, "phases.jsonl")]
    assert marks == [
        "relaunched",  # not running before: no `killed`
        "step:background 1", "background", "foreground",
        "screen_off", "screen_on",
        "permission_granted:android.permission.CAMERA",
        "permission_denied:android.permission.CAMERA",
        "killed", "relaunched",
    ]  # fmt: skip
    assert not result.checks  # a revoke is not followed by a usable check (pm revoke kills the app)
    revoke = records(bundle, "phases.jsonl")[7]
    assert revoke["detail"] == {"step": 4, "via": "revoke"}


def test_every_step_is_in_the_chained_step_log(tmp_path):
    phone = policy_app()
    _result, bundle = run(tmp_path, phone, [{"launch": None}, {"wait": 0}, {"screenshot": "policy"}])
    steps = records(bundle, "ui/steps.jsonl")
    assert [(s["index"], s["action"], s["status"]) for s in steps] == [(0, "launch", "ok"), (1, "wait", "ok"),
                                                                       (2, "screenshot", "ok")]  # fmt: skip
    assert "screenshot" not in steps[1]  # nothing to see during a wait
    assert steps[2]["screenshot"] == "ui/002-screenshot.png"
    bundle.seal()
    assert verify(bundle.root).ok
    assert json.loads((bundle.root / "ui/steps.jsonl").read_text().splitlines()[1])["prev"]
