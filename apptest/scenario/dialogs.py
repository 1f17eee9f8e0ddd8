"""Answering the system permission dialog, and finding out which permission it asked for.

The dialog's buttons are worded by the ROM (AOSP ids, then the texts vendor ROMs use), so
the scenario names only the answer. When it does not name the permission either, the
phone's own record tells: the permissions the user has denied (or granted) after the tap,
minus those before it. Marks for a named permission go down just before the tap; a
permission found by comparison can only be marked after it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from apptest.device.base import Target
from apptest.scenario.loader import Step
from apptest.scenario.outcome import Outcome, StepFailed

if TYPE_CHECKING:
    from apptest.scenario.runner import ScenarioRunner

logger = logging.getLogger(__name__)
POLL_SECONDS = 0.25

# The system permission dialog's buttons (AOSP ids first; vendor ROMs word them in Chinese).
DENY_BUTTON: dict[str, Any] = {
    "resource_id_alternatives": [
        "com.android.permissioncontroller:id/permission_deny_button",
        "com.android.permissioncontroller:id/permission_deny_and_dont_ask_again_button",
        "com.android.packageinstaller:id/permission_deny_button",
    ],
    "text": ["拒绝", "不允许", "禁止", "始终拒绝", "Deny", "Don't allow", "Don’t allow"],
}
ALLOW_BUTTON: dict[str, Any] = {
    "resource_id_alternatives": [
        "com.android.permissioncontroller:id/permission_allow_foreground_only_button",
        "com.android.permissioncontroller:id/permission_allow_button",
        "com.android.packageinstaller:id/permission_allow_button",
    ],
    "text": ["仅在使用中允许", "允许", "始终允许", "Allow", "While using the app", "Only this time"],
}
MAX_DIALOGS = 6


def button_targets(spec: dict[str, Any]) -> list[Target]:
    out = [Target(resource_id=rid) for rid in spec.get("resource_id_alternatives") or []]
    rest = {k: v for k, v in spec.items() if k != "resource_id_alternatives"}
    if rest:
        out.append(Target.from_spec(rest))
    return out


def permissions_of(args: dict[str, Any]) -> list[str]:
    perms = list(args.get("permissions") or [])
    if args.get("permission"):
        perms.insert(0, args["permission"])
    return [p if "." in p else f"android.permission.{p}" for p in perms]


def answer(runner: ScenarioRunner, step: Step, deny: bool) -> Outcome:
    args = step.args or {}
    buttons = (
        [Target.from_spec(args["button"])]
        if args.get("button")
        else button_targets(DENY_BUTTON if deny else ALLOW_BUTTON)
    )
    name = "permission_denied" if deny else "permission_granted"
    wanted = permissions_of(args)
    answered: list[str] = []
    refusals: list[str] = []
    shown: list[dict[str, Any]] = []
    timeout = runner.timeout_of(args)
    for number in range(len(wanted) if wanted else MAX_DIALOGS):
        button = runner.wait_for_any(buttons, timeout if number == 0 else _next_dialog_seconds(runner))
        if button is None:
            break
        # the dialog as the user saw it (and whatever purpose the app showed with it)
        shown.append(runner.recorder.screen(f"{step.index:03d}-dialog-{number}", *runner.capture()))
        runner.user_step(step)
        if wanted:
            mark = f"{name}:{wanted[number]}"
            runner.recorder.mark(mark, {"step": step.index, "via": "dialog"})
            if not runner.device.tap(button):
                raise StepFailed(f"{button.describe()} vanished before the tap")
            found = [wanted[number]]
        else:
            before = _answered(runner, deny)
            if not runner.device.tap(button):
                raise StepFailed(f"{button.describe()} vanished before the tap")
            runner.sleep(POLL_SECONDS)
            found = sorted(_answered(runner, deny) - before)
            for perm in found:
                runner.recorder.mark(f"{name}:{perm}", {"step": step.index, "via": "dialog"})
            if not found:
                logger.info("answered a permission dialog but could not tell which permission")
        answered.extend(found)
        if deny:
            refusals.extend(f"{name}:{p}" for p in found)
    if not answered and not runner.step_marked:
        raise StepFailed("no permission dialog on screen")
    missing = [p for p in wanted if p not in answered]
    if missing:
        raise StepFailed(f"no dialog for {', '.join(missing)}")
    runner.write_marks(step, refusals)
    return Outcome(detail={"permissions": answered, "dialogs": shown}, refusals=refusals)


def _next_dialog_seconds(runner: ScenarioRunner) -> float:
    """How long to wait for a further dialog: apps ask for several permissions in a row,
    each dialog following the previous answer within a moment."""
    return min(3.0, max(1.0, 3 * float(runner.settings["settle_seconds"])))


def _answered(runner: ScenarioRunner, deny: bool) -> set[str]:
    if deny:
        return runner.device.user_denied(runner.package)
    return runner.device.granted_permissions(runner.package)
