"""Run a resolved scenario on a `Device`, writing marks, steps, screens and checks.

When a mark is written matters as much as which: the judge decides "before consent" by
comparing timestamps. The rules here, each chosen so that a race between the tester's
hand and the app's reaction never invents a violation:

* a user action's marks (`consent_given` for the tap on 同意, `step:<name>`) are written
  once the target is found and *just before* the tap, so whatever the tap causes is on
  the right side of the mark;
* `launch`/`relaunched`/`foreground`/`screen_on` are written before the command (what
  the app does while starting counts as started), `killed`/`background`/`screen_off`
  after it has returned (the app counts as in front until it really is not);
* a permission whose name the scenario did not give is found by comparing the phone's
  permission state before and after the dialog, and marked after the tap.

A step that fails writes no marks (a mark claims something happened) and is recorded as
failed in `ui/steps.jsonl`; `on_failure: stop` ends the scenario there.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from apptest.device.base import Device, Target
from apptest.model import iso_ts
from apptest.scenario.checks import REFUSAL_MARKS, check_usable
from apptest.scenario.dialogs import POLL_SECONDS, answer, permissions_of
from apptest.scenario.loader import Scenario, Step
from apptest.scenario.outcome import Outcome, ScenarioResult, StepFailed
from apptest.scenario.record import Recorder, slug

logger = logging.getLogger(__name__)


Progress = Callable[[Step, int, str, dict[str, Any]], None]


class ScenarioRunner:
    def __init__(
        self,
        scenario: Scenario,
        device: Device,
        package: str,
        recorder: Recorder,
        progress: Progress | None = None,
        sleep: Callable[[float], None] = time.sleep,
        activity: str | None = None,
    ) -> None:
        self.scenario = scenario
        self.device = device
        self.package = package
        self.recorder = recorder
        self.progress = progress
        self.sleep = sleep
        self.activity = activity
        self.settings = scenario.settings
        usable = scenario.vars.get("usable")
        self.usable = Target.from_spec(usable) if usable else None
        self.step_marked = False

    # --- driving ------------------------------------------------------------------------
    def run(self) -> ScenarioResult:
        result = ScenarioResult(self.scenario.id)
        for step in self.scenario.steps:
            record = self.run_step(step, result)
            result.steps.append(record)
            if record["status"] == "failed" and self.settings.get("on_failure") == "stop":
                result.stopped = f"step {step.index} ({step.name}) failed: {record.get('error')}"
                break
        return result

    def run_step(self, step: Step, result: ScenarioResult) -> dict[str, Any]:
        started = iso_ts()
        self.step_marked = False
        marks_before = len(self.recorder.marks)
        handler = getattr(self, f"_do_{step.action}")
        try:
            outcome: Outcome = handler(step)
        except StepFailed as exc:
            outcome = Outcome("skipped" if step.optional else "failed", {"error": str(exc)})
        settle = step.settle if step.settle is not None else float(self.settings["settle_seconds"])
        if step.action not in ("wait", "phase") and settle:
            self.sleep(settle)
        files: dict[str, str] = {}
        if step.action == "screenshot" or (self.settings.get("screenshots") and step.action not in ("wait", "phase")):
            files = self.recorder.screen(f"{step.index:03d}-{slug(step.action)}", *self.capture())
        record: dict[str, Any] = {
            "ts": started,
            "ended": iso_ts(),
            "index": step.index,
            "id": step.id,
            "name": step.name,
            "action": step.action,
            "args": step.args,
            "status": outcome.status,
            "marks": [m["mark"] for m in self.recorder.marks[marks_before:]],
            **files,
        }
        if outcome.detail.get("error"):
            record["error"] = outcome.detail.pop("error")
        if outcome.detail:
            record["detail"] = outcome.detail
        self.recorder.step(record)
        if self.progress:
            self.progress(step, len(self.scenario.steps), outcome.status, record)
        for refusal in outcome.refusals:
            self.sleep(float(self.settings["refusal_check_seconds"]))
            obs = check_usable(
                self.device,
                self.package,
                self.recorder,
                self.usable,
                refusal,
                f"{step.index:03d}-check-{slug(refusal.split(':')[-1])}",
                step.index,
            )
            result.checks.append({"after": refusal, "action": obs.action, "reason": obs.detail.get("reason")})
        return record

    def capture(self) -> tuple[bytes | None, str | None]:
        """Screenshot and view dump now; (None, None) when the device cannot give them."""
        try:
            return self.device.screenshot(), self.device.hierarchy()
        except Exception as exc:  # a screen that cannot be captured is not a failed step
            logger.info("screen capture failed: %s", exc)
            return None, None

    # --- helpers ----------------------------------------------------------------------------
    def write_marks(self, step: Step, refusals: list[str] | None = None) -> None:
        for mark in step.marks:
            self.recorder.mark(mark, {"step": step.index})
            if refusals is not None and mark.split(":", 1)[0] in REFUSAL_MARKS:
                refusals.append(mark)

    def user_step(self, step: Step) -> None:
        if not self.step_marked:
            self.recorder.step_mark(step.name, {"step": step.index, "action": step.action})
            self.step_marked = True

    def wait_for_any(self, targets: list[Target], timeout: float) -> Target | None:
        """The first of `targets` on screen within `timeout` seconds (checked at least once)."""
        deadline = time.monotonic() + timeout
        while True:
            for target in targets:
                if self.device.exists(target):
                    return target
            if time.monotonic() >= deadline:
                return None
            self.sleep(POLL_SECONDS)

    def timeout_of(self, spec: Any) -> float:
        if isinstance(spec, dict) and spec.get("timeout") is not None:
            return float(spec["timeout"])
        return float(self.settings["wait_for_seconds"])

    def _launch(self, activity: str | None) -> None:
        self.device.launch(self.package, activity or self.activity)

    # --- actions ------------------------------------------------------------------------------
    def _do_launch(self, step: Step) -> Outcome:
        args = step.args or {}
        if args.get("clear_data"):
            self.device.force_stop(self.package)
            self.device.clear_data(self.package)
        self.recorder.mark("launch", {"step": step.index})
        self.write_marks(step)
        self._launch(args.get("activity"))
        return Outcome()

    def _do_relaunch(self, step: Step) -> Outcome:
        alive = self.device.pid_of(self.package) is not None
        self.device.force_stop(self.package)
        if alive:
            self.recorder.mark("killed", {"step": step.index})
        self.recorder.mark("relaunched", {"step": step.index})
        self.write_marks(step)
        self._launch((step.args or {}).get("activity"))
        return Outcome()

    def _do_kill(self, step: Step) -> Outcome:
        self.device.force_stop(self.package)
        self.recorder.mark("killed", {"step": step.index})
        self.write_marks(step)
        return Outcome()

    def _do_wait(self, step: Step) -> Outcome:
        self.sleep(float(step.args))
        self.write_marks(step)
        return Outcome()

    def _do_wait_for(self, step: Step) -> Outcome:
        target = Target.from_spec(step.args)
        if self.wait_for_any([target], self.timeout_of(step.args)) is None:
            raise StepFailed(f"{target.describe()} not on screen")
        self.write_marks(step)
        return Outcome()

    def _do_tap(self, step: Step) -> Outcome:
        target = Target.from_spec(step.args)
        if self.wait_for_any([target], self.timeout_of(step.args)) is None:
            raise StepFailed(f"{target.describe()} not on screen")
        refusals: list[str] = []
        self.user_step(step)
        self.write_marks(step, refusals)
        if not self.device.tap(target):
            raise StepFailed(f"{target.describe()} vanished before the tap")
        return Outcome(refusals=refusals)

    def _do_input(self, step: Step) -> Outcome:
        args = step.args
        target = Target.from_spec(args["target"]) if args.get("target") else None
        self.user_step(step)
        self.write_marks(step)
        if not self.device.input_text(str(args["text"]), target):
            raise StepFailed(f"{target.describe() if target else 'input field'} not on screen")
        return Outcome()

    def _do_swipe(self, step: Step) -> Outcome:
        args = step.args
        self.user_step(step)
        self.write_marks(step)
        self.device.swipe(tuple(args["from"]), tuple(args["to"]), float(args.get("seconds", 0.3)))
        return Outcome()

    def _do_back(self, step: Step) -> Outcome:
        self.user_step(step)
        refusals: list[str] = []
        self.write_marks(step, refusals)
        self.device.back()
        return Outcome(refusals=refusals)

    def _do_home(self, step: Step) -> Outcome:
        self.user_step(step)
        self.device.home()
        self.recorder.mark("background", {"step": step.index})
        self.write_marks(step)
        return Outcome()

    def _do_background(self, step: Step) -> Outcome:
        args = step.args
        self.user_step(step)
        self.device.home()
        self.recorder.mark("background", {"step": step.index})
        self.write_marks(step)
        self.sleep(float(args["seconds"]))
        if args.get("return", True):
            self.recorder.mark("foreground", {"step": step.index})
            self._launch(None)
        return Outcome()

    def _do_screen_off(self, step: Step) -> Outcome:
        self.device.screen(False)
        self.recorder.mark("screen_off", {"step": step.index})
        self.write_marks(step)
        self.sleep(float(step.args["seconds"]))
        self.recorder.mark("screen_on", {"step": step.index})
        self.device.screen(True)
        return Outcome()

    def _do_grant(self, step: Step) -> Outcome:
        perm = permissions_of(step.args)[0]
        self.device.grant(self.package, perm)
        self.recorder.mark(f"permission_granted:{perm}", {"step": step.index, "via": "grant"})
        self.write_marks(step)
        return Outcome()

    def _do_revoke(self, step: Step) -> Outcome:
        """`pm revoke` kills the app on a phone, so no usable check follows (it would say
        `exited` because of the tool, not the app)."""
        perm = permissions_of(step.args)[0]
        self.device.revoke(self.package, perm)
        self.recorder.mark(f"permission_denied:{perm}", {"step": step.index, "via": "revoke"})
        self.write_marks(step)
        return Outcome()

    def _do_deny(self, step: Step) -> Outcome:
        return answer(self, step, deny=True)

    def _do_allow(self, step: Step) -> Outcome:
        return answer(self, step, deny=False)

    def _do_phase(self, step: Step) -> Outcome:
        arg = step.args
        mark, detail = (arg, {}) if isinstance(arg, str) else (arg["mark"], dict(arg.get("detail") or {}))
        self.recorder.mark(mark, {"step": step.index, **detail})
        refusals: list[str] = []
        self.write_marks(step, refusals)
        if mark.split(":", 1)[0] in REFUSAL_MARKS:
            refusals.insert(0, mark)
        return Outcome(refusals=refusals)

    def _do_screenshot(self, step: Step) -> Outcome:
        self.write_marks(step)
        return Outcome()

    def _do_check_usable(self, step: Step) -> Outcome:
        target = Target.from_spec(step.args) if step.args else self.usable
        after = self.recorder.last_mark(REFUSAL_MARKS)
        obs = check_usable(
            self.device, self.package, self.recorder, target, after, f"{step.index:03d}-usable", step.index
        )
        self.write_marks(step)
        return Outcome(detail={"observation": obs.id, "action": obs.action, "reason": obs.detail.get("reason")})
