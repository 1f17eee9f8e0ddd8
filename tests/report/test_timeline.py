"""Timeline geometry: consent bands, phases, who did what, flagged evidence, merging."""

from __future__ import annotations

from typing import Any

from apptest.model import parse_ts
from apptest.report.timeline import GUTTER, MAX_LANES, WIDTH, consent_at, layout, rel_label

PHASES = [
    {"ts": "2026-05-01T08:30:00.000Z", "mark": "launch"},
    {"ts": "2026-05-01T08:30:10.000Z", "mark": "consent_given"},
    {"ts": "2026-05-01T08:30:30.000Z", "mark": "background"},
    {"ts": "2026-05-01T08:30:40.000Z", "mark": "foreground"},
]


def obs(oid: str, ts: str, action: str = "reads", actor: str = "app", **extra: Any) -> dict[str, Any]:
    kind = "app" if actor == "app" else "sdk"
    return {
        "id": oid,
        "ts": ts,
        "action": action,
        "data_types": ["device.android_id"],
        "actor": {"kind": kind, "id": actor},
        **extra,
    }


def lane_of(o: dict[str, Any]) -> tuple[str, str]:
    actor = o.get("actor") or {}
    return ("app", "App") if actor.get("kind") == "app" else (f"sdk:{actor['id']}", actor["id"])


def draw(observations: list[dict[str, Any]], phases: list[dict[str, Any]] = PHASES, flagged: set[str] = frozenset()):
    return layout(observations, phases, set(flagged), lane_of, lambda name: name.upper())


def test_nothing_dated_draws_nothing() -> None:
    assert draw([], []) is None


def test_bands_follow_consent_and_app_state() -> None:
    tl = draw([obs("a", "2026-05-01T08:30:50.000Z")])
    assert [b["state"] for b in tl["bands"]] == ["before", "given"]
    before, given = tl["bands"]
    assert before["x"] == GUTTER and abs(before["x"] + before["w"] - given["x"]) < 0.2
    assert [s["state"] for s in tl["app_states"]] == ["background"]
    consent = [p for p in tl["phases"] if p["consent"]]
    assert len(consent) == 1 and consent[0]["label"] == "CONSENT_GIVEN"


def test_points_sit_in_their_lane_and_flag_cited_evidence() -> None:
    tl = draw(
        [
            obs("r1", "2026-05-01T08:30:01.000Z", actor="umeng"),
            obs(
                "s1",
                "2026-05-01T08:30:02.000Z",
                action="transmits",
                actor="umeng",
                destination={"host": "ulogs.umeng.com"},
            ),
            obs("r2", "2026-05-01T08:30:20.000Z"),
            obs("c1", "2026-05-01T08:30:21.000Z", action="connects"),
        ],
        flagged={"s1"},
    )
    assert [lane["label"] for lane in tl["lanes"]] == ["App", "umeng"], "the app's own row comes first"
    kinds = {(p["kind"], p["flagged"], p["y"]) for p in tl["points"]}
    umeng_y, app_y = tl["lanes"][1]["mid"], tl["lanes"][0]["mid"]
    assert kinds == {("read", False, umeng_y), ("send", True, umeng_y), ("read", False, app_y)}
    assert tl["counts"] == {"reads": 2, "sends": 1, "flagged": 1}, "connects are not drawn"
    send = next(p for p in tl["points"] if p["kind"] == "send")
    assert send["host"] == "ulogs.umeng.com" and send["rel"] == "+2s"


def test_dense_runs_merge_and_say_how_many() -> None:
    many = [obs(f"o{n}", f"2026-05-01T08:30:{n // 10:02d}.{n % 10}00Z", actor="umeng") for n in range(50)]
    tl = draw([*many, obs("late", "2026-05-01T09:30:00.000Z")], phases=[])
    merged = [p for p in tl["points"] if p["count"] > 1]
    assert merged and sum(p["count"] for p in tl["points"]) == 51
    assert len(tl["points"]) < 10


def test_many_actors_fold_into_one_other_lane() -> None:
    tl = draw([obs(f"o{n}", "2026-05-01T08:30:01.000Z", actor=f"sdk{n:02d}") for n in range(MAX_LANES + 5)])
    assert len(tl["lanes"]) == MAX_LANES and tl["lanes"][-1]["key"] == "…"
    assert all(GUTTER <= p["x"] <= WIDTH for p in tl["points"])


def test_consent_at_and_relative_labels() -> None:
    assert consent_at(parse_ts("2026-05-01T08:30:09.999Z"), PHASES) == "before"
    assert consent_at(parse_ts("2026-05-01T08:30:10.000Z"), PHASES) == "given"
    withdrawn = [*PHASES, {"ts": "2026-05-01T08:31:00.000Z", "mark": "consent_withdrawn"}]
    assert consent_at(parse_ts("2026-05-01T08:32:00.000Z"), withdrawn) == "withdrawn"
    assert [rel_label(s) for s in (0, 1.25, 8.5, 90, 7325)] == ["+0s", "+1.2s", "+8.5s", "+1m30s", "+2h02m"]
