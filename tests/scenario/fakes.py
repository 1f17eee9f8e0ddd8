"""A scripted phone for scenario tests: screens as uiautomator XML, taps that change them.

It implements the `Device` protocol with real target resolution (`ui.find` on its XML), and
logs every call in one list with the marks the recorder writes, so tests can check the
order of "what the phone was told" and "what the bundle says happened".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apptest.device import ui
from apptest.device.base import Target
from apptest.scenario.record import Recorder

PKG = "com.example.app"


def screen(*buttons: str, package: str = PKG) -> str:
    nodes = "".join(
        f'<node text="{text}" resource-id="{package}:id/b{n}" class="android.widget.Button" package="{package}" '
        f'checkable="false" checked="false" clickable="true" bounds="[0,{100 * n}][1080,{100 * n + 90}]" />'
        for n, text in enumerate(buttons)
    )
    return f"<?xml version='1.0' encoding='UTF-8' ?><hierarchy rotation=\"0\">{nodes}</hierarchy>"


class ScriptedPhone:
    kind = "scripted"

    def __init__(
        self, screens: dict[str, str], start: str, taps: dict[tuple[str, str], Callable[[ScriptedPhone], None]]
    ):
        self.screens = screens
        self.current = start
        self.start_screen = start
        self.taps = taps
        self.log: list[tuple[str, ...]] = []
        self.alive = False
        self.top: str | None = None
        self.denied: set[str] = set()
        self.granted: set[str] = set()

    def facts(self) -> dict[str, Any]:
        return {"kind": self.kind}

    def launch(self, package: str, activity: str | None = None) -> None:
        self.log.append(("launch",))
        if not self.alive:
            self.current = self.start_screen
        self.alive, self.top = True, PKG

    def force_stop(self, package: str) -> None:
        self.log.append(("force_stop",))
        self.alive, self.top = False, "launcher"

    def clear_data(self, package: str) -> None:
        self.log.append(("clear_data",))

    def home(self) -> None:
        self.log.append(("home",))
        self.top = "launcher"

    def back(self) -> None:
        self.log.append(("back",))

    def screen(self, on: bool) -> None:
        self.log.append(("screen", str(on)))

    def hierarchy(self) -> str | None:
        return self.screens[self.current]

    def screenshot(self) -> bytes | None:
        return b"\x89PNG fake " + self.current.encode()

    def exists(self, target: Target) -> bool:
        return ui.find(self.screens[self.current], target) is not None

    def tap(self, target: Target) -> bool:
        node = ui.find(self.screens[self.current], target)
        if node is None:
            return False
        self.log.append(("tap", node.text))
        action = self.taps.get((self.current, node.text))
        if action:
            action(self)
        return True

    def input_text(self, text: str, target: Target | None = None) -> bool:
        self.log.append(("input", text))
        return True

    def swipe(self, start: tuple[int, int], end: tuple[int, int], seconds: float) -> None:
        self.log.append(("swipe",))

    def grant(self, package: str, permission: str) -> None:
        self.log.append(("grant", permission))
        self.granted.add(permission)

    def revoke(self, package: str, permission: str) -> None:
        self.log.append(("revoke", permission))
        self.granted.discard(permission)

    def granted_permissions(self, package: str) -> set[str]:
        return set(self.granted)

    def user_denied(self, package: str) -> set[str]:
        return set(self.denied)

    def pid_of(self, package: str) -> int | None:
        return 4242 if self.alive else None

    def foreground_package(self) -> str | None:
        return self.top


class LoggingRecorder(Recorder):
    """Writes marks to the bundle and into the phone's log, in call order."""

    def __init__(self, bundle: Any, phone: ScriptedPhone) -> None:
        super().__init__(bundle)
        self.phone = phone

    def mark(self, mark: str, detail: dict[str, Any] | None = None) -> dict[str, Any]:
        self.phone.log.append(("mark", mark))
        return super().mark(mark, detail)
