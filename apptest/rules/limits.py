"""Known blind spots of a bundle, named by rules in `limited_by:`.

A rule that found nothing while the proxy could not read a host's content, or while the APK
was packed, has not passed: a limit turns a would-be `passed` into `unchecked`
(`downgrades`), and its sentence is listed next to a `failed` verdict and in each finding's
`detail.limits`, so a reader knows what the finding could not see. The keys form a closed
set, like the operators, and the rule schema lists them; the sentences are `{zh, en}`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from apptest.rules.context import Facts
from apptest.rules.text import Text, shown, text

CONSENT_UNMARKED = text(
    "phases.jsonl 中没有同意标记：所有观察记录均按同意前判定",
    "no consent mark in phases.jsonl: every observation was judged as before consent",
)


def _uninspected(facts: Facts) -> Text | None:
    hosts = sorted(
        {
            o.destination.host
            for o in facts.observations
            if o.action == "connects" and o.destination and o.detail.get("inspected") is False
        }
    )
    if not hosts:
        return None
    names = shown(hosts)
    return text(
        f"{len(hosts)} 个主机的通信内容无法读取（TLS 被拒绝、证书固定或非 HTTP）：{names['zh']}",
        f"content not readable (TLS refused, pinning or not HTTP) for {len(hosts)} host(s): {names['en']}",
    )


def _packed(facts: Facts) -> Text | None:
    packers = facts.static.get("packers") or []
    if not packers:
        return None
    names = ", ".join(str(p.get("name", p) if isinstance(p, dict) else p) for p in packers)
    return text(
        f"APK 已加固（{names}）：静态代码分析只能看到脱壳程序",
        f"the APK is packed ({names}): static code analysis sees only the unpacking stub",
    )


def _incomplete(facts: Facts) -> Text | None:
    if facts.static.get("analysis_complete") is False:
        return text(
            "静态分析不完整（部分 dex 或资源文件无法读取）",
            "static analysis incomplete (some dex or resources could not be read)",
        )
    return None


def _consent_unmarked(facts: Facts) -> Text | None:
    if facts.timeline.consent_marked:
        return None
    return dict(CONSENT_UNMARKED)


def _policy_uncollected(facts: Facts) -> Text | None:
    """The APK or the run points at a policy that is not in the bundle.

    The advice works whether or not the bundle is sealed: a policy given to a sealed bundle
    goes under `derived/policy/` (outside SHA256SUMS) and is judged all the same.
    """
    if facts.policy.found:
        return None
    hints = [str(h.get("value")) for h in facts.static.get("privacy_policy_hints") or [] if isinstance(h, dict)]
    shown_mark = any(m.name == "policy_shown" for m in facts.timeline.marks)
    if not hints and not shown_mark:
        return None
    where = shown(hints, 5) if hints else text("测试中的 policy_shown 标记", "the policy_shown mark of the run")
    return text(
        f"存在隐私政策（{where['zh']}），但证据包中没有：取得政策文本后用 apptest analyze 证据包 --policy 文件"
        "（或 apptest policy 文件 --bundle 证据包）加入；已封存的证据包将其收入 derived/policy/，封存不变",
        f"a privacy policy exists ({where['en']}) but is not in the bundle: obtain its text and add it with "
        "apptest analyze BUNDLE --policy FILE (or apptest policy FILE --bundle BUNDLE); a sealed bundle "
        "keeps it under derived/policy/ and its seal unchanged",
    )


def _sdks_unobserved(facts: Facts) -> Text | None:
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
    ids = ", ".join(quiet)
    return text(
        f"APK 中有隐私政策未列出的 SDK，但没有观察记录显示其在工作：{ids}",
        f"SDKs in the APK that the policy does not list but no observation shows at work: {ids}",
    )


@dataclass(frozen=True)
class Limit:
    check: Callable[[Facts], Text | None]
    downgrades: bool


LIMITS: dict[str, Limit] = {
    "traffic.uninspected": Limit(_uninspected, downgrades=True),
    "static.packed": Limit(_packed, downgrades=True),
    "static.incomplete": Limit(_incomplete, downgrades=True),
    "phases.consent_unmarked": Limit(_consent_unmarked, downgrades=False),
    "policy.uncollected": Limit(_policy_uncollected, downgrades=True),
    "policy.sdks_unobserved": Limit(_sdks_unobserved, downgrades=True),
}
