"""The pure parts around the agent: clock offset, and the hook list built from the taxonomy."""

from __future__ import annotations

import pytest

from apptest.runtime.clock import ClockSample, corrected_ts, measure, offset_from
from apptest.runtime.config import PERMISSION_REQUEST_GROUP, HookOptions, agent_config, api_specs


@pytest.mark.parametrize(
    ("before", "device", "after", "offset", "rtt"),
    [
        (1000.0, 1005.0, 1010.0, 0.0, 10.0),  # same clock
        (1000.0, 61005.0, 1010.0, -60000.0, 10.0),  # device a minute ahead
        (5000.0, 1000.0, 5002.0, 4001.0, 2.0),  # device behind
    ],
)
def test_offset_from_one_exchange(before: float, device: float, after: float, offset: float, rtt: float) -> None:
    assert offset_from(before, device, after) == ClockSample(offset, rtt)


def test_measure_keeps_the_fastest_exchange() -> None:
    readings = iter([10_000.0, 20_000.0, 30_000.0])
    sample = measure(lambda: next(readings), tries=3)
    assert sample.rtt_ms >= 0 and sample.offset_ms != 0


def test_corrected_ts_is_utc_with_milliseconds() -> None:
    assert corrected_ts(1_700_000_000_123, 0) == "2023-11-14T22:13:20.123Z"
    assert corrected_ts(1_700_000_000_123, -60_000) == "2023-11-14T22:12:20.123Z"


def test_hook_list_comes_from_the_taxonomy(knowledge) -> None:
    specs = api_specs(knowledge.apis)
    methods = [a for a in knowledge.apis if a.get("method")]
    assert len(specs) == len(methods) and len(specs) < len(knowledge.apis)  # Build.SERIAL is a field
    assert [s["id"] for s in specs] == list(range(len(specs)))
    groups = {s["group"] for s in specs if s["category"] == "permission"}
    assert groups == {PERMISSION_REQUEST_GROUP}
    imei = next(s for s in specs if s["method"] == "getImei")
    assert imei["group"] == "android.telephony.TelephonyManager.getImei" and imei["telemetry"] is False
    assert all(s["telemetry"] for s in specs if s["category"] == "telemetry")


def test_agent_config_carries_the_options(knowledge) -> None:
    config = agent_config(knowledge.apis, HookOptions(bypass_pinning=True, native_tls=True), knowledge.runtime_hooks)
    assert config["options"]["bypassPinning"] is True and config["options"]["nativeTls"] is True
    assert HookOptions().to_manifest() == {"bypass_pinning": False, "native_tls": False}


def test_permission_results_and_bypass_targets_come_from_the_profile(knowledge) -> None:
    """One spec per method of each runtime_hooks.yaml target; the action only on bypass targets."""
    config = agent_config(knowledge.apis, HookOptions(), knowledge.runtime_hooks)
    for key, kind in (("permissionResults", "permission_result"), ("bypass", "pinning_bypass")):
        targets = [t for t in knowledge.runtime_hooks if t["kind"] == kind]
        expected = [(t["class"], m, t["overrides"], t.get("action")) for t in targets for m in t["methods"]]
        assert targets and [(s["class"], s["method"], s["overrides"], s["action"]) for s in config[key]] == expected
    assert all(s["action"] is None for s in config["permissionResults"])
    assert all(s["action"] for s in config["bypass"])
    assert all(s["signature"] is None or isinstance(s["signature"], list) for s in config["bypass"])


def test_a_lab_target_is_posted(knowledge) -> None:
    lab = {
        "id": "lab_pinner",
        "kind": "pinning_bypass",
        "class": "com.lab.net.Pinner",
        "methods": ["verify"],
        "signature": ["java.lang.String", "[B"],
        "overrides": False,
        "action": "skip",
    }
    config = agent_config(knowledge.apis, HookOptions(), [*knowledge.runtime_hooks, lab])
    assert config["bypass"][-1] == {
        "class": "com.lab.net.Pinner",
        "method": "verify",
        "signature": ["java.lang.String", "[B"],
        "overrides": False,
        "action": "skip",
    }


@pytest.mark.parametrize(
    ("host", "injected", "ok"),
    [("17.26.2", "17.0.1", True), ("17.26.2", "16.5.9", False), ("17.26.2", "?", False)],
)
def test_frida_server_must_share_the_major_version(host: str, injected: str, ok: bool) -> None:
    from apptest.runtime.session import HookError, check_versions

    if ok:
        check_versions(host, injected)
    else:
        with pytest.raises(HookError, match="major versions must match"):
            check_versions(host, injected)
