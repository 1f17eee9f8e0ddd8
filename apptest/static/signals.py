"""APK signals that are not SDKs: packers, obfuscation, auto-start, policy links.

A packed app shows the scanner a stub, so "no sensitive calls found" would be a lie; an
obfuscated app hides SDK package names. Both are said out loud (`analysis_complete:
false`, warnings) so that "0 SDKs" is never read as "clean". Signatures are data in
`profiles/apk_signals.yaml`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from apptest.static.manifest import Component


def detect_packers(
    signals: dict[str, Any],
    file_names: Sequence[str],
    class_names: set[str],
    application_class: str | None,
) -> list[dict[str, Any]]:
    """Packers whose files, native libraries or stub classes are in the APK."""
    base_names = {n.rsplit("/", 1)[-1] for n in file_names}
    found = []
    for packer in signals["packers"]:
        evidence = [f for f in packer["files"] if f in file_names]
        evidence += [lib for lib in packer["native_libs"] if lib in base_names]
        evidence += sorted(
            n
            for n in base_names
            for p in packer.get("native_lib_prefixes") or []
            if n.startswith(p) and n.endswith(".so")
        )
        evidence += [c for c in packer["classes"] if c in class_names or c == application_class]
        if evidence:
            found.append({"id": packer["id"], "name": packer["name"], "evidence": sorted(set(evidence))})
    return found


def hidden_code(
    signals: dict[str, Any], file_names: Sequence[str], class_names: set[str], application_class: str | None
) -> list[str]:
    """Reasons to think code is hidden from the scan, whoever packed it."""
    reasons = []
    if application_class and class_names and application_class not in class_names:
        reasons.append(
            f"the Application class {application_class} is named in the manifest but defined in no dex"
        )
    for name in signals.get("hidden_code_files") or []:
        if name in file_names:
            reasons.append(f"{name}: an encrypted or packed code blob beside the dex")
    return reasons


def obfuscation_share(class_names: Iterable[str]) -> tuple[float, int]:
    """Share of classes with a one- or two-letter name segment (ProGuard/DexGuard style)."""
    total = short = 0
    for name in class_names:
        total += 1
        parts = name.split(".")
        if any(len(p) <= 2 for p in parts[:-1]) or len(parts[-1].split("$")[0]) <= 2:
            short += 1
    return (short / total if total else 0.0), total


def auto_start(signals: dict[str, Any], components: Iterable[Component]) -> list[dict[str, Any]]:
    """Receivers (and services) woken by boot, connectivity, package or screen broadcasts."""
    wanted = set(signals["autostart_actions"])
    rows = []
    for comp in components:
        actions = sorted(a for a in comp.actions if a in wanted)
        if actions and comp.enabled:
            rows.append(
                {"component": comp.name, "kind": comp.kind, "actions": actions, "exported": comp.exported}
            )
    return rows


def policy_hints(
    signals: dict[str, Any], file_names: Sequence[str], dex_urls: Iterable[tuple[str, str]]
) -> list[dict[str, str]]:
    """Asset names that look like a privacy policy, and the policy-like URLs found in code."""
    keywords = [k.lower() for k in signals["policy_keywords"]]
    hints: dict[tuple[str, str], dict[str, str]] = {}
    for name in file_names:
        low = name.lower()
        if low.startswith(("assets/", "res/raw/")) and any(k in low for k in keywords):
            hints[("asset", name)] = {"kind": "asset", "value": name, "where": name}
    for dex_name, url in dex_urls:
        hints.setdefault(("url", url), {"kind": "url", "value": url, "where": dex_name})
    return [hints[k] for k in sorted(hints)]
