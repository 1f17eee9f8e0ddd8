"""What evidence a rule needs before its silence can mean "passed".

A rule that found nothing in a bundle without runtime hooks has not passed, it was never
checked. Rules name their needs in `requires:` (without them the verdict is `unchecked`
and the missing evidence is listed) and the known blind spots in `limited_by:` (content
the proxy could not read, a packed APK; see `limits.py`): a limit turns a would-be `passed`
into `unchecked`, and is reported next to a `failed` too. The keys form a closed set, like
the operators, and the rule schema lists them. The sentences a report prints about a
missing need are `{zh, en}` (see `text.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from apptest.rules.context import Facts
from apptest.rules.text import Text, text

REFUSAL_MARKS = ("permission_denied", "consent_refused", "consent_withdrawn")


def _any_source(facts: Facts, source: str) -> bool:
    return any(o.source == source for o in facts.observations)


def _runtime(facts: Facts) -> bool:
    return _any_source(facts, "runtime")


def _traffic(facts: Facts) -> bool:
    return _any_source(facts, "traffic")


def _static(facts: Facts) -> bool:
    return bool(facts.static.get("apk") or facts.static.get("permissions")) or _any_source(facts, "static")


def _target_sdk(facts: Facts) -> bool:
    return isinstance((facts.static.get("apk") or {}).get("target_sdk"), int)


def _launch(facts: Facts) -> bool:
    return any(s.launch_number > 0 for s in facts.timeline.snapshots)


def _background(facts: Facts) -> bool:
    return any(s.app in ("background", "killed") or s.screen == "off" for s in facts.timeline.snapshots)


def _denial(facts: Facts) -> bool:
    return any(m.name == "permission_denied" for m in facts.timeline.marks)


def _refusal(facts: Facts) -> bool:
    return any(m.name in REFUSAL_MARKS for m in facts.timeline.marks)


def _refusal_check(facts: Facts) -> bool:
    return any(
        o.action in ("usable", "blocks") and str(o.detail.get("after", "")).split(":")[0] in REFUSAL_MARKS
        for o in facts.observations
    )


def _permission_requests(facts: Facts) -> bool:
    return any(o.source == "runtime" and o.action == "requests_permission" for o in facts.observations)


def _policy(facts: Facts) -> bool:
    return facts.policy.found


@dataclass(frozen=True)
class Need:
    check: Callable[[Facts], bool]
    missing: Text


NEEDS: dict[str, Need] = {
    "runtime": Need(
        _runtime,
        text(
            "运行时监测记录（apptest hook 或 apptest run）",
            "runtime hook observations (apptest hook or apptest run)",
        ),
    ),
    "traffic": Need(
        _traffic,
        text(
            "网络流量记录（apptest capture 或 apptest run）",
            "captured traffic observations (apptest capture or apptest run)",
        ),
    ),
    "runtime_or_traffic": Need(
        lambda f: _runtime(f) or _traffic(f),
        text("运行时监测或网络流量记录（动态检测）", "runtime or traffic observations (a dynamic test)"),
    ),
    "static": Need(
        _static,
        text(
            "APK 静态分析结果（apptest scan 或 apptest static --bundle）",
            "static analysis of the APK (apptest scan or apptest static --bundle)",
        ),
    ),
    "static.target_sdk": Need(
        _target_sdk,
        text(
            "APK 的 targetSdkVersion（static.json 中的 apk.target_sdk）",
            "the APK's targetSdkVersion (static.json apk.target_sdk)",
        ),
    ),
    "phases.launch": Need(_launch, text("phases.jsonl 中的启动标记（launch）", "a launch mark in phases.jsonl")),
    "phases.background": Need(
        _background,
        text(
            "phases.jsonl 中的后台、熄屏或结束标记（background、screen_off 或 killed；App 从未离开前台）",
            "a background, screen_off or killed mark in phases.jsonl (the app never left the foreground)",
        ),
    ),
    "phases.permission_denied": Need(
        _denial,
        text("测试中的权限拒绝（permission_denied 标记）", "a permission denial in the test (permission_denied mark)"),
    ),
    "phases.refusal": Need(
        _refusal,
        text(
            "测试中的拒绝操作（consent_refused、consent_withdrawn 或 permission_denied 标记）",
            "a refusal in the test (consent_refused, consent_withdrawn or permission_denied mark)",
        ),
    ),
    "scenario.after_refusal": Need(
        _refusal_check,
        text(
            "拒绝后的场景检查（detail.after 指明该拒绝的 usable 或 blocks 观察记录）",
            "a scenario check after a refusal (a usable or blocks observation whose detail.after names the refusal)",
        ),
    ),
    "runtime.permission_requests": Need(
        _permission_requests,
        text(
            "运行时权限申请记录（requests_permission：需监测权限弹窗）",
            "runtime requests_permission observations (permission dialogs hooked)",
        ),
    ),
    "policy": Need(
        _policy,
        text(
            "证据包中的App隐私政策（apptest policy FILE --bundle B，或 analyze --policy FILE）",
            "the app's privacy policy in the bundle (apptest policy FILE --bundle B, or analyze --policy FILE)",
        ),
    ),
}
