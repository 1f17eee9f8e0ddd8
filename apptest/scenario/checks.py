"""After a refusal: does the app still serve its basic function? (`usable` / `blocks`)

Forced consent — "agree or leave" — is judged from these records: the rule compares the
refusal (which permission, or the whole policy) with the category's necessary scope, so
this module only records what the screen showed, with the reason spelled out:

* `exited` — no process left (the app closed itself, or crashed, after the refusal);
* `left_foreground` — alive but another app (usually the launcher) is in front;
* `check_failed` — in front, but the basic-function check (a tab, a search box) is not
  on screen: the app is stuck on a "you must agree" page or re-asks in a loop.

Without a check target only the first two can be seen; the record says so (`check: null`)
so nobody reads "alive" as "usable".
"""

from __future__ import annotations

from typing import Any

from apptest.device.base import Device, Target
from apptest.model import Actor, EvidenceRef, Observation, iso_ts
from apptest.scenario.record import STEPS_STREAM, Recorder

REFUSAL_MARKS = ("consent_refused", "consent_withdrawn", "permission_denied")


def classify(alive: bool, foreground: bool, check_ok: bool | None) -> tuple[str, str | None]:
    """(action, reason): `usable` with no reason, or `blocks` with the first failure."""
    if not alive:
        return "blocks", "exited"
    if not foreground:
        return "blocks", "left_foreground"
    if check_ok is False:
        return "blocks", "check_failed"
    return "usable", None


def check_usable(
    device: Device,
    package: str,
    recorder: Recorder,
    target: Target | None,
    after: str | None,
    stem: str,
    step_index: int,
) -> Observation:
    """Look at the app now and record one `usable`/`blocks` observation (with the screen)."""
    pid = device.pid_of(package)
    foreground_pkg = device.foreground_package() if pid is not None else None
    alive, foreground = pid is not None, foreground_pkg == package
    check_ok = device.exists(target) if (target is not None and alive and foreground) else None
    action, reason = classify(alive, foreground, check_ok if target is not None else None)
    files = recorder.screen(stem, device.screenshot(), device.hierarchy())
    detail: dict[str, Any] = {
        "alive": alive,
        "foreground": foreground,
        "foreground_package": foreground_pkg,
        "check": target.to_dict() if target is not None else None,
        "check_ok": check_ok,
        "step": step_index,
        **files,
    }
    if after:
        detail["after"] = after
    if reason:
        detail["reason"] = reason
    obs = Observation(
        source="scenario",
        action=action,  # type: ignore[arg-type]
        actor=Actor(kind="app", id=package, name=package, proof="none"),
        ts=iso_ts(),
        confidence="known",
        pid=pid,
        evidence=EvidenceRef(STEPS_STREAM, f"step-{step_index}"),
        detail=detail,
    )
    recorder.observation(obs)
    return obs
