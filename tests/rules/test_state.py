"""Phase marks replayed into per-moment state (pure; no bundle needed)."""

from __future__ import annotations

from apptest.knowledge import Knowledge
from apptest.model import Observation, PhaseMark, parse_ts
from apptest.rules.state import build_timeline, effects_of, full_permission, marks_from_observations

EFFECTS = effects_of(Knowledge.load().phases)
CAM = "android.permission.CAMERA"


def timeline(*marks: tuple[str, str]):
    return build_timeline([PhaseMark(mark=m, ts=t) for t, m in marks], EFFECTS)


def at(text: str):
    return parse_ts(text)


def test_consent_applies_from_its_own_timestamp() -> None:
    tl = timeline(("2026-05-01T08:00:00.000Z", "launch"), ("2026-05-01T08:00:10.000Z", "consent_given"))
    assert tl.at(at("2026-05-01T08:00:09.999Z")).consent == "before"
    assert tl.at(at("2026-05-01T08:00:10.000Z")).consent == "given"
    assert tl.consent_marked


def test_no_consent_mark_is_before_for_the_whole_run() -> None:
    tl = timeline(("2026-05-01T08:00:00.000Z", "launch"))
    assert tl.at(at("2026-05-02T00:00:00.000Z")).consent == "before"
    assert not tl.consent_marked


def test_marks_are_sorted_by_time_not_file_order() -> None:
    tl = timeline(("2026-05-01T08:00:10.000Z", "consent_withdrawn"), ("2026-05-01T08:00:05.000Z", "consent_given"))
    assert tl.at(at("2026-05-01T08:00:07.000Z")).consent == "given"
    assert tl.at(at("2026-05-01T08:00:11.000Z")).consent == "withdrawn"


def test_denied_granted_and_denial_time() -> None:
    tl = timeline(
        ("2026-05-01T08:00:05.000Z", f"permission_denied:{CAM}"),
        ("2026-05-01T08:00:20.000Z", "permission_granted:CAMERA"),
    )
    mid = tl.at(at("2026-05-01T08:00:10.000Z"))
    assert mid.denied == {CAM} and mid.denial_time(CAM) == at("2026-05-01T08:00:05.000Z")
    late = tl.at(at("2026-05-01T08:00:30.000Z"))
    assert late.denied == frozenset() and late.granted == {CAM} and late.denial_time(CAM) is None


def test_app_screen_separate_and_launch_numbers() -> None:
    tl = timeline(
        ("2026-05-01T08:00:00.000Z", "launch"),
        ("2026-05-01T08:00:05.000Z", "consent_separate:location.precise"),
        ("2026-05-01T08:00:10.000Z", "background"),
        ("2026-05-01T08:00:15.000Z", "screen_off"),
        ("2026-05-01T08:00:20.000Z", "killed"),
        ("2026-05-01T08:00:30.000Z", "relaunched"),
        ("2026-05-01T08:00:31.000Z", "step:open_map"),
    )
    state = tl.at(at("2026-05-01T08:00:16.000Z"))
    assert (state.app, state.screen, state.launch_number) == ("background", "off", 1)
    assert state.separate == {"location.precise"}
    assert tl.at(at("2026-05-01T08:00:25.000Z")).app == "killed"
    last = tl.at(at("2026-05-01T08:00:40.000Z"))
    assert (last.app, last.launch_number) == ("foreground", 2)
    assert last.last_step == at("2026-05-01T08:00:31.000Z")


def test_unknown_marks_are_reported_not_applied() -> None:
    tl = timeline(("2026-05-01T08:00:00.000Z", "agreed_maybe"), ("2026-05-01T08:00:01.000Z", "launch"))
    assert tl.unknown == ("agreed_maybe",)
    assert len(tl.marks) == 1


def test_permission_answers_from_hooks_become_marks() -> None:
    obs = [
        Observation(
            source="runtime",
            action="permission_result",
            ts="2026-05-01T08:00:05.000Z",
            detail={"permission": "CAMERA", "result": "denied"},
        ),
        Observation(
            source="runtime",
            action="permission_result",
            ts="2026-05-01T08:00:06.000Z",
            detail={"results": {"android.permission.READ_CONTACTS": "granted"}},
        ),
        Observation(source="runtime", action="reads", ts="2026-05-01T08:00:07.000Z"),
    ]
    marks = [m.mark for m in marks_from_observations(obs)]
    assert marks == [f"permission_denied:{CAM}", "permission_granted:android.permission.READ_CONTACTS"]
    assert full_permission("com.vendor.permission.PUSH") == "com.vendor.permission.PUSH"
