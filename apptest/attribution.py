"""Who did it: a class, a stack, a host or a manifest component -> the app or which SDK.

One index serves the static scan (calling class), the runtime hooks (Java stack), and
traffic (destination host), so all three name SDKs the same way. Two traps it avoids,
both seen in tools labs use today:

* prefix matching is by whole package segments and the *longest* product prefix wins
  (`com.tencent.mm.opensdk` beats any broader `com.tencent…` entry; a broad prefix never
  steals the real caller);
* a stack is read from the innermost frame outwards, skipping framework frames and plain
  libraries (`kind: library`: okhttp, kotlinx …). The library frame passed through is kept
  as `via`, so "okhttp sent it on behalf of com.umeng" stays visible.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from apptest.model import Actor

FRAMEWORK_PREFIXES: tuple[str, ...] = (
    "java.",
    "javax.",
    "jdk.",
    "sun.",
    "libcore.",
    "dalvik.",
    "android.",
    "com.android.",
    "org.apache.harmony.",
    "org.json.",
    "org.xmlpull.",
    "com.sun.",
    "$Proxy",
)


def frame_class(frame: str) -> str:
    """`com.a.B.method(B.java:12)` -> `com.a.B` (also accepts a bare class name).

    Java 9+ prints frames of named modules and class loaders with a prefix
    (`java.base/java.net.Socket.connect(…)`, `plugins/sdk@2.1/com.x.Y.z(…)`): the class
    is what follows the last `/` of the part before the parenthesis.
    """
    head = frame.strip().removeprefix("at ").split("(", 1)[0]
    head = head.rsplit("/", 1)[-1]
    if "(" in frame:
        head = head.rsplit(".", 1)[0]
    return head


def is_framework(class_name: str) -> bool:
    return class_name.startswith(FRAMEWORK_PREFIXES)


def _segments_prefixes(name: str) -> Iterable[str]:
    """`a.b.c.D` -> `a.b.c.D`, `a.b.c`, `a.b`, `a` (longest first)."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        yield ".".join(parts[:end])


def registrable_suffixes(host: str) -> Iterable[str]:
    """`a.b.umeng.com` -> `a.b.umeng.com`, `b.umeng.com`, `umeng.com`, `com` (longest first)."""
    parts = host.lower().rstrip(".").split(".")
    for start in range(len(parts)):
        yield ".".join(parts[start:])


_MISS = object()


@dataclass(frozen=True)
class SdkRef:
    """The short form of an SDK that evidence carries."""

    id: str
    name: str
    kind: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "kind": self.kind}


class SdkIndex:
    """Lookups from class, component, native library and host to SDK entries of sdks.yaml."""

    def __init__(self, sdks: Sequence[dict[str, Any]]) -> None:
        self.sdks = {s["id"]: s for s in sdks}
        self._packages: dict[str, str] = {}
        self._components: dict[str, str] = {}
        self._component_prefixes: dict[str, str] = {}
        self._libs: dict[str, str] = {}
        self._lib_patterns: list[tuple[str, str]] = []
        self._domains: dict[str, str] = {}
        self._package_cache: dict[str, object] = {}
        for sdk in sdks:
            for prefix in sdk.get("packages") or []:
                self._packages.setdefault(prefix.rstrip("."), sdk["id"])
            for comp in sdk.get("components") or []:
                if comp.endswith("."):
                    self._component_prefixes.setdefault(comp.rstrip("."), sdk["id"])
                else:
                    self._components.setdefault(comp, sdk["id"])
            for lib in sdk.get("native_libs") or []:
                if "*" in lib:
                    self._lib_patterns.append((lib.lower(), sdk["id"]))
                else:
                    self._libs.setdefault(lib.lower(), sdk["id"])
            for domain in sdk.get("domains") or []:
                self._domains.setdefault(domain.lower().lstrip("."), sdk["id"])

    def ref(self, sdk_id: str) -> SdkRef:
        sdk = self.sdks[sdk_id]
        name = sdk["name"]
        label = str(name.get("en") or name.get("zh")) if isinstance(name, dict) else str(name)
        return SdkRef(sdk_id, label, str(sdk.get("kind", "unknown")))

    def match_class(self, class_name: str) -> tuple[str, str] | None:
        """(SDK id, matching package prefix) for a Java class name, longest prefix first.

        Answers are cached per package: a large app has tens of thousands of classes in a
        few hundred packages, and this runs for each of them.
        """
        package, _, _simple = class_name.rpartition(".")
        hit = self._package_cache.get(package, _MISS)
        if hit is _MISS:
            hit = self._match_uncached(package) if package else None
            self._package_cache[package] = hit
        if hit is None and class_name in self._packages:
            return self._packages[class_name], class_name
        return hit  # type: ignore[return-value]

    def _match_uncached(self, name: str) -> tuple[str, str] | None:
        for prefix in _segments_prefixes(name):
            sdk_id = self._packages.get(prefix)
            if sdk_id is not None:
                return sdk_id, prefix
        return None

    def by_class(self, class_name: str) -> str | None:
        """SDK id owning a Java class name; None for app code."""
        hit = self.match_class(class_name)
        return hit[0] if hit else None

    def by_component(self, component: str) -> str | None:
        if component in self._components:
            return self._components[component]
        for prefix in _segments_prefixes(component):
            if prefix in self._component_prefixes:
                return self._component_prefixes[prefix]
        return self.by_class(component)

    def by_native_lib(self, filename: str) -> str | None:
        """Exact `.so` names first, then patterns such as `libjcore*.so` (versioned names)."""
        name = filename.rsplit("/", 1)[-1].lower()
        if name in self._libs:
            return self._libs[name]
        return next((sdk for pattern, sdk in self._lib_patterns if fnmatchcase(name, pattern)), None)

    def by_host(self, host: str) -> str | None:
        for suffix in registrable_suffixes(host):
            if suffix in self._domains:
                return self._domains[suffix]
        return None

    def is_library(self, sdk_id: str | None) -> bool:
        return sdk_id is not None and self.sdks[sdk_id].get("kind") == "library"

    def actor_from_stack(self, frames: Sequence[str], app_package: str | None = None) -> Actor:
        """The innermost frame that is neither framework nor a plain library decides.

        Frames are innermost first (as Java prints them). When no frame qualifies the call
        came from the framework or a library alone: reported as `system`/library, never
        silently as the app.
        """
        via: str | None = None
        for frame in frames:
            cls = frame_class(frame)
            if not cls or is_framework(cls):
                continue
            sdk_id = self.by_class(cls)
            if sdk_id is not None and self.is_library(sdk_id):
                via = via or sdk_id
                continue
            if sdk_id is not None:
                ref = self.ref(sdk_id)
                return Actor(kind="sdk", id=sdk_id, name=ref.name, proof="stack", via=via)
            return Actor(kind="app", id=app_package, name=app_package, proof="stack", via=via)
        if via is not None:
            return Actor(kind="sdk", id=via, name=self.ref(via).name, proof="stack")
        return Actor(kind="system", proof="stack")
