"""The standard refusal steps on a phone, as the phone receives them over the adb protocol."""

from __future__ import annotations

from dataclasses import replace

from apptest.evidence import Bundle
from apptest.knowledge import Knowledge
from apptest.scenario.loader import load_scenario
from apptest.scenario.record import Recorder
from apptest.scenario.runner import ScenarioRunner
from tests.device.adbserver import AdbTestServer, ui_dump
from tests.device.conftest import SERIAL, UI_XML, base_outputs, phone_for

PKG = "com.example.rental"
REFUSE_TAP = "input tap 295 1560"


def _refused(server: AdbTestServer) -> bool:
    return REFUSE_TAP in server.commands


def test_refusing_the_policy_on_a_phone(tmp_path):
    outputs = {
        **base_outputs(),
        "uiautomator dump": ui_dump(UI_XML),
        "screencap -p": b"\x89PNG\r\n\x1a\nfake",
        # the app exits after the refusal, as many do
        f"pidof {PKG}": lambda cmd, srv: "" if _refused(srv) else "31337\n",
        "dumpsys activity activities": "  mResumedActivity: ActivityRecord{1 u0 com.example.rental/.MainActivity t3}\n",
    }
    knowledge = Knowledge.load()
    scenario = load_scenario(knowledge, "standard")
    steps = tuple(s for s in scenario.steps if s.id in ("first-launch", "policy", "refuse"))
    scenario = replace(
        scenario, steps=steps, settings={**scenario.settings, "settle_seconds": 0, "refusal_check_seconds": 0}
    )
    with AdbTestServer(SERIAL, outputs) as srv:
        phone = phone_for(srv)
        bundle = Bundle.create(tmp_path / "b", {"apk": {"package": PKG, "sha256": "unknown"}})
        result = ScenarioRunner(scenario, phone, PKG, Recorder(bundle), sleep=lambda s: None).run()
        bundle.close()
        acted = [
            c
            for c in srv.commands
            if not c.startswith(("uiautomator dump", "screencap", "getprop", "pidof", "dumpsys"))
        ]
    assert acted == [
        "am force-stop com.example.rental",
        "pm clear com.example.rental",
        "monkey -p com.example.rental -c android.intent.category.LAUNCHER 1",
        REFUSE_TAP,
    ]
    assert result.checks == [{"after": "consent_refused", "action": "blocks", "reason": "exited"}]
    marks = [r["mark"] for r in bundle.read_stream("phases.jsonl").records]
    assert marks == ["launch", "policy_shown", "step:refuse the privacy policy", "consent_refused"]
