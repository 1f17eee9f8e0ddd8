"""Phase marks -> the state at any moment of a run: consent, app, screen, denials.

Collectors never decide whether something happened "before consent"; they only write
marks (`consent_given`, `permission_denied:<perm>` …) and timestamps. The judge replays
the marks here, at analysis time, so a bundle recorded years ago can be re-judged with a
corrected protocol. How each mark changes the state is data (`state_effect` in
`profiles/phases.yaml`); this module only applies it.

Two traps:

* a mark applies from its own timestamp on (`mark.ts <= t`): a read in the same
  millisecond as `consent_given` counts as after consent, because the hook and the tap are
  recorded by different clocks and we do not invent a violation from rounding;
* a bundle with no consent mark at all stays `before` for its whole length: that is the
  conservative reading, and `consent_marked` is False so every finding can say so.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from apptest.model import Observation, PhaseMark, parse_ts

# Marks the protocol defines by name (architecture note): a launch starts a new process
# life, a step is something the tester (the "user") did.
LAUNCH_MARKS = ("launch", "relaunched")
STEP_MARK = "step"
PERMISSION_PREFIX = "android.permission."


def full_permission(name: str) -> str:
    """`CAMERA` -> `android.permission.CAMERA`; vendor permissions are kept as written."""
    return name if "." in name else PERMISSION_PREFIX + name


def split_mark(raw: str) -> tuple[str, str | None]:
    """`permission_denied:android.permission.CAMERA` -> (`permission_denied`, `android…CAMERA`)."""
    name, sep, param = raw.partition(":")
    return name, (param if sep else None)


@dataclass(frozen=True)
class Mark:
    """One mark on the run's clock, parsed once."""

    at: datetime
    name: str
    param: str | None
    raw: str


@dataclass(frozen=True)
class State:
    """What held at one moment. `denied_at` and `last_step` serve re-prompt questions."""

    consent: str = "before"
    app: str = "unknown"
    screen: str = "on"
    denied: frozenset[str] = frozenset()
    granted: frozenset[str] = frozenset()
    separate: frozenset[str] = frozenset()
    launch_number: int = 0
    launched_at: datetime | None = None
    denied_at: tuple[tuple[str, datetime], ...] = ()
    last_step: datetime | None = None

    def denial_time(self, permission: str) -> datetime | None:
        return dict(self.denied_at).get(permission)

    def to_dict(self) -> dict[str, Any]:
        """The public shape the architecture note gives for a finding's `states`."""
        return {
            "consent": self.consent,
            "app": self.app,
            "screen": self.screen,
            "denied": sorted(self.denied),
            "granted": sorted(self.granted),
            "separate": sorted(self.separate),
            "launch": self.launch_number,
        }


@dataclass(frozen=True)
class Timeline:
    """All marks in time order and the state after each, for lookups by timestamp."""

    marks: tuple[Mark, ...] = ()
    snapshots: tuple[State, ...] = field(default=(State(),))
    times: tuple[datetime, ...] = ()
    unknown: tuple[str, ...] = ()
    consent_marked: bool = False

    def at(self, moment: datetime) -> State:
        """The state at `moment`: every mark with `ts <= moment` has applied."""
        index = bisect.bisect_right(self.times, moment)
        return self.snapshots[index]

    def has(self, name: str, param: str | None = None) -> bool:
        return any(m.name == name and (param is None or m.param == param) for m in self.marks)

    def find(self, name: str, param: str | None = None) -> list[Mark]:
        return [m for m in self.marks if m.name == name and (param is None or m.param == param)]


def effects_of(phase_defs: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """`knowledge.phases` -> {mark name: state_effect}."""
    return {name: dict(d.get("state_effect") or {}) for name, d in phase_defs.items()}


def _apply(state: State, mark: Mark, effect: Mapping[str, str]) -> State:
    changes: dict[str, Any] = {}
    if "consent" in effect:
        changes["consent"] = effect["consent"]
    if "app" in effect:
        changes["app"] = effect["app"]
    if "screen" in effect:
        changes["screen"] = effect["screen"]
    if effect.get("denied") and mark.param:
        perm = full_permission(mark.param)
        times = dict(state.denied_at)
        if effect["denied"] == "add":
            changes["denied"] = state.denied | {perm}
            changes["granted"] = state.granted - {perm}
            times[perm] = mark.at
        else:
            changes["denied"] = state.denied - {perm}
            changes["granted"] = state.granted | {perm}
            times.pop(perm, None)
        changes["denied_at"] = tuple(sorted(times.items()))
    if effect.get("separate_consent") and mark.param:
        changes["separate"] = state.separate | {mark.param}
    if mark.name in LAUNCH_MARKS:
        changes["launch_number"] = state.launch_number + 1
        changes["launched_at"] = mark.at
    if mark.name == STEP_MARK:
        changes["last_step"] = mark.at
    return replace(state, **changes) if changes else state


def build_timeline(marks: Iterable[PhaseMark], effects: Mapping[str, Mapping[str, str]]) -> Timeline:
    """Replay marks (sorted by time, file order kept for ties) into per-moment states."""
    parsed: list[Mark] = []
    unknown: list[str] = []
    for mark in marks:
        name, param = split_mark(mark.mark)
        if name not in effects:
            unknown.append(mark.mark)
            continue
        if param and name.startswith("permission_"):
            param = full_permission(param)
        parsed.append(Mark(at=parse_ts(mark.ts), name=name, param=param, raw=mark.mark))
    parsed.sort(key=lambda m: m.at)
    states = [State()]
    for step in parsed:
        states.append(_apply(states[-1], step, effects[step.name]))
    consent_marked = any("consent" in effects[m.name] for m in parsed)
    return Timeline(
        marks=tuple(parsed),
        snapshots=tuple(states),
        times=tuple(m.at for m in parsed),
        unknown=tuple(sorted(set(unknown))),
        consent_marked=consent_marked,
    )


def marks_from_observations(observations: Iterable[Observation]) -> list[PhaseMark]:
    """Permission answers seen by the hooks, as the marks a scenario would have written.

    A run driven by hand has no scenario to write `permission_denied:<perm>`, but the
    runtime hooks see the answer (`permission_result`), so denials still count.
    """
    out: list[PhaseMark] = []
    for obs in observations:
        if obs.action != "permission_result":
            continue
        for perm, granted in _answers(obs.detail):
            name = "permission_granted" if granted else "permission_denied"
            out.append(PhaseMark(mark=f"{name}:{full_permission(perm)}", ts=obs.ts))
    return out


def _answers(detail: Mapping[str, Any]) -> list[tuple[str, bool]]:
    results = detail.get("results")
    if isinstance(results, Mapping):
        return [(p, _granted(v)) for p, v in results.items()]
    perm = detail.get("permission")
    if not isinstance(perm, str):
        return []
    value = detail.get("granted", detail.get("result"))
    return [(perm, _granted(value))] if value is not None else []


def _granted(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("granted", "grant", "allow"))
