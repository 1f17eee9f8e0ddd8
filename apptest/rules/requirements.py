"""What evidence a rule needs before its silence can mean "passed".

A rule that found nothing in a bundle without runtime hooks has not passed, it was never
checked. Rules name their needs in `requires:` (without them the verdict is `unchecked`
and the missing evidence is listed) and the known blind spots in `limited_by:` (content
the proxy could not read, a packed APK): a limit turns a would-be `passed` into
`unchecked`, and is reported next to a `failed` too. The keys form a closed set, like the
operators, and the rule schema lists them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from apptest.rules.context import Facts

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
    missing: str


NEEDS: dict[str, Need] = {
    "runtime": Need(_runtime, "runtime hook observations (apptest hook or apptest run)"),
    "traffic": Need(_traffic, "captured traffic observations (apptest capture or apptest run)"),
    "runtime_or_traffic": Need(
        lambda f: _runtime(f) or _traffic(f), "runtime or traffic observations (a dynamic test)"
    ),
    "static": Need(_static, "static analysis of the APK (apptest scan or apptest static --bundle)"),
    "static.target_sdk": Need(_target_sdk, "the APK's targetSdkVersion (static.json apk.target_sdk)"),
    "phases.launch": Need(_launch, "a launch mark in phases.jsonl"),
    "phases.background": Need(
        _background, "a background, screen_off or killed mark in phases.jsonl (the app never left the foreground)"
    ),
    "phases.permission_denied": Need(_denial, "a permission denial in the test (permission_denied mark)"),
    "phases.refusal": Need(
        _refusal, "a refusal in the test (consent_refused, consent_withdrawn or permission_denied mark)"
    ),
    "scenario.after_refusal": Need(
        _refusal_check,
        "a scenario check after a refusal (a usable or blocks observation whose detail.after names the refusal)",
    ),
    "runtime.permission_requests": Need(
        _permission_requests, "runtime requests_permission observations (permission dialogs hooked)"
    ),
    "policy": Need(
        _policy, "the app's privacy policy in the bundle (apptest policy FILE --bundle B, or analyze --policy FILE)"
    ),
}


def _uninspected(facts: Facts) -> str | None:
    hosts = sorted(
        {
            o.destination.host
            for o in facts.observations
            if o.action == "connects" and o.destination and o.detail.get("inspected") is False
        }
    )
    if not hosts:
        return None
    shown = ", ".join(hosts[:10]) + (f" and {len(hosts) - 10} more" if len(hosts) > 10 else "")
    return f"content not readable (TLS refused, pinning or not HTTP) for {len(hosts)} host(s): {shown}"


def _packed(facts: Facts) -> str | None:
    packers = facts.static.get("packers") or []
    if not packers:
        return None
    names = ", ".join(str(p.get("name", p) if isinstance(p, dict) else p) for p in packers)
    return f"the APK is packed ({names}): static code analysis sees only the unpacking stub"


def _incomplete(facts: Facts) -> str | None:
    if facts.static.get("analysis_complete") is False:
        return "static analysis incomplete (some dex or resources could not be read)"
    return None


def _consent_unmarked(facts: Facts) -> str | None:
    if facts.timeline.consent_marked:
        return None
    return "no consent mark in phases.jsonl: every observation was judged as before consent"


def _policy_uncollected(facts: Facts) -> str | None:
    """The APK or the run points at a policy that is not in the bundle."""
    if facts.policy.found:
        return None
    hints = [str(h.get("value")) for h in facts.static.get("privacy_policy_hints") or [] if isinstance(h, dict)]
    shown = any(m.name == "policy_shown" for m in facts.timeline.marks)
    if not hints and not shown:
        return None
    where = ", ".join(hints[:5]) if hints else "the policy_shown mark of the run"
    return f"a privacy policy exists ({where}) but is not in the bundle: collect it with apptest policy"


def _sdks_unobserved(facts: Facts) -> str | None:
    """SDKs the APK contains, absent from the policy, that no observation names."""
    seen = {o.actor.id for o in facts.observations if o.actor.kind == "sdk" and o.actor.id}
    seen |= {o.destination.sdk for o in facts.observations if o.destination and o.destination.sdk}
    rows = [s for s in facts.static.get("sdks") or [] if isinstance(s, dict) and s.get("id")]
    quiet = sorted(
        str(s["id"])
        for s in rows
        if s["id"] not in seen and facts.policy.sdk_status(str(s["id"])) in ("unlisted", "unclear")
    )
    if not facts.policy.found or not quiet:
        return None
    return f"SDKs in the APK that the policy does not list but no observation shows at work: {', '.join(quiet)}"


@dataclass(frozen=True)
class Limit:
    check: Callable[[Facts], str | None]
    downgrades: bool


LIMITS: dict[str, Limit] = {
    "traffic.uninspected": Limit(_uninspected, downgrades=True),
    "static.packed": Limit(_packed, downgrades=True),
    "static.incomplete": Limit(_incomplete, downgrades=True),
    "phases.consent_unmarked": Limit(_consent_unmarked, downgrades=False),
    "policy.uncollected": Limit(_policy_uncollected, downgrades=True),
    "policy.sdks_unobserved": Limit(_sdks_unobserved, downgrades=True),
}
