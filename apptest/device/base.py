"""What the scenario engine may ask of a device, whoever the device is.

The same scenario drives a real phone (adb + uiautomator) and the demo's stand-in app
on the local JVM, so the engine talks to a `Device` protocol and never to adbutils.
Every method says what a tester's hand or an adb command would do; none of them judges.
A UI lookup that finds nothing returns False instead of raising: a button that is not
there is an observation about the app (it blocked, it changed its dialog), not a crash of
the test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from apptest.errors import UnreadableInput

TARGET_KEYS = ("text", "resource_id", "xpath", "xy", "description")


class DeviceError(UnreadableInput):
    """The device cannot be reached or refused a command (one line for the user)."""


@dataclass(frozen=True)
class Target:
    """Something on screen to tap or look for: by text, resource id, XPath or coordinates.

    `text` may list alternatives (`["不同意", "暂不同意"]`): apps word the same button
    differently, and the first one on screen wins. `contains` matches a part of the text
    (buttons often read "同意并继续").
    """

    text: tuple[str, ...] = ()
    resource_id: str | None = None
    xpath: str | None = None
    xy: tuple[int, int] | None = None
    description: str | None = None
    contains: bool = False

    @classmethod
    def from_spec(cls, spec: Any) -> Target:
        """A scenario value -> Target: a bare string is a text; a mapping names its keys."""
        if isinstance(spec, str):
            return cls(text=(spec,))
        if not isinstance(spec, dict):
            raise ValueError(f"a target is a text or a mapping with one of {', '.join(TARGET_KEYS)}")
        text = spec.get("text")
        texts = tuple(text) if isinstance(text, list | tuple) else ((text,) if text else ())
        xy = spec.get("xy")
        return cls(
            text=tuple(str(t) for t in texts),
            resource_id=spec.get("resource_id"),
            xpath=spec.get("xpath"),
            xy=(int(xy[0]), int(xy[1])) if xy else None,
            description=spec.get("description"),
            contains=bool(spec.get("contains", False)),
        )

    def describe(self) -> str:
        if self.text:
            return "text " + "|".join(self.text)
        if self.resource_id:
            return f"id {self.resource_id}"
        if self.xpath:
            return f"xpath {self.xpath}"
        if self.description:
            return f"description {self.description}"
        if self.xy:
            return f"xy {self.xy[0]},{self.xy[1]}"
        return "nothing"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.text:
            out["text"] = list(self.text)
        for key in ("resource_id", "xpath", "description"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.xy:
            out["xy"] = list(self.xy)
        if self.contains:
            out["contains"] = True
        return out


@runtime_checkable
class Device(Protocol):
    """A phone (or stand-in) the scenario drives. `package` is the app under test."""

    kind: str  # "adb" | "stand-in": written into the manifest so a report can say which

    def facts(self) -> dict[str, Any]:
        """Model, OS version, serial …: what the bundle manifest records about the device."""
        ...

    def launch(self, package: str, activity: str | None = None) -> None: ...

    def force_stop(self, package: str) -> None: ...

    def clear_data(self, package: str) -> None: ...

    def home(self) -> None: ...

    def back(self) -> None: ...

    def screen(self, on: bool) -> None: ...

    def tap(self, target: Target) -> bool:
        """Tap the first match; False when nothing on screen matches."""
        ...

    def exists(self, target: Target) -> bool: ...

    def input_text(self, text: str, target: Target | None = None) -> bool: ...

    def swipe(self, start: tuple[int, int], end: tuple[int, int], seconds: float) -> None: ...

    def grant(self, package: str, permission: str) -> None: ...

    def revoke(self, package: str, permission: str) -> None: ...

    def granted_permissions(self, package: str) -> set[str]: ...

    def user_denied(self, package: str) -> set[str]:
        """Runtime permissions the user has answered with "deny" (not merely never granted)."""
        ...

    def pid_of(self, package: str) -> int | None:
        """The app's main process id, None when it is not running."""
        ...

    def foreground_package(self) -> str | None: ...

    def screenshot(self) -> bytes | None:
        """PNG bytes, None when the device cannot take one (secure window, no display)."""
        ...

    def hierarchy(self) -> str | None:
        """The view hierarchy as uiautomator XML, None when it cannot be dumped."""
        ...
