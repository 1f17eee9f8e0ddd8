"""From profiles/taxonomy.yaml and profiles/runtime_hooks.yaml to the hook list the agent
receives at load.

Hooks come from data: a lab that adds an API entry to the taxonomy (or its own profile
folder) gets it hooked without touching the agent. Only method entries are hooked; field
entries (`Build.SERIAL`) are static-scan only, since a static field read is not a call.
The permission-result callbacks and the certificate checks the pinning bypass neutralises
are data too (runtime_hooks.yaml), posted beside the APIs; the agent adds the bypass
targets only when the run asks for the bypass.

Each entry keeps its position in the posted list (`id`), so an event names the taxonomy
entry it came from. `group` says which nested calls are one call: every overload of one
API (getImei() calls getImei(int)), and all permission requests (ActivityCompat ends in
Activity.requestPermissions).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

PERMISSION_REQUEST_GROUP = "permission:request"


@dataclass(frozen=True)
class HookOptions:
    """What a run asks of the agent; recorded in the manifest under `options`."""

    bypass_pinning: bool = False
    native_tls: bool = False
    stack_depth: int = 48
    sweep_ms: int = 1500

    def to_agent(self) -> dict[str, Any]:
        return {
            "bypassPinning": self.bypass_pinning,
            "nativeTls": self.native_tls,
            "stackDepth": self.stack_depth,
            "sweepMs": self.sweep_ms,
        }

    def to_manifest(self) -> dict[str, Any]:
        return {"bypass_pinning": self.bypass_pinning, "native_tls": self.native_tls}


def hookable(apis: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The taxonomy's method entries, in file order (their index is the agent's entry id)."""
    return [api for api in apis if api.get("method")]


def group_of(api: dict[str, Any]) -> str:
    if api.get("category") == "permission":
        return PERMISSION_REQUEST_GROUP
    return f"{api['class']}.{api['method']}"


def api_specs(apis: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "id": number,
            "class": api["class"],
            "method": api["method"],
            "category": api["category"],
            "telemetry": bool(api.get("telemetry")) or api["category"] == "telemetry",
            "group": group_of(api),
        }
        for number, api in enumerate(hookable(apis))
    ]


def runtime_hook_specs(targets: Sequence[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    """One spec per method of each runtime_hooks.yaml target of `kind`, in file order."""
    return [
        {
            "class": target["class"],
            "method": method,
            "signature": list(target["signature"]) if target.get("signature") is not None else None,
            "overrides": bool(target.get("overrides")),
            "action": target.get("action"),
        }
        for target in targets
        if target["kind"] == kind
        for method in target["methods"]
    ]


def agent_config(
    apis: Sequence[dict[str, Any]],
    options: HookOptions,
    runtime_hooks: Sequence[dict[str, Any]],
) -> dict[str, Any]:
    """The JSON posted to the agent's `init`; `runtime_hooks` is `Knowledge.runtime_hooks`
    (a lab's profile folder included)."""
    return {
        "apis": api_specs(apis),
        "permissionResults": runtime_hook_specs(runtime_hooks, "permission_result"),
        "bypass": runtime_hook_specs(runtime_hooks, "pinning_bypass"),
        "options": options.to_agent(),
    }


# HotSpot flags under which frida's Java bridge hooks JDK classes reliably: class-data
# sharing maps JDK classes read-only (hooks on them silently never fire), and replacing a
# JIT-compiled method can hang the VM. Android's ART needs none of this; the JVM stand-ins
# (tests, `apptest demo`) do.
HOOKABLE_JVM_FLAGS: tuple[str, ...] = ("-Xshare:off", "-XX:CompileCommand=quiet", "-XX:CompileCommand=exclude,*.*")
