"""uiautomator2 as the UI channel (`ui: uiautomator2` in the device profile).

Faster dumps than `uiautomator dump` and Unicode text input (adb's `input text` is ASCII
only). Targets are still resolved by `ui.find` on the dump, so both channels tap the same
element for the same scenario step, and the dump kept as evidence is the one used.
uiautomator2 installs its own helper app on the phone at first connect; labs that may not
add apps to the test phone keep the default `ui: adb`.
"""

from __future__ import annotations

import io
from typing import Any

from apptest.device import ui
from apptest.device.base import Target


class U2Ui:
    def __init__(self, device: Any) -> None:
        self.d = device

    @classmethod
    def connect(cls, serial: str) -> U2Ui:
        import uiautomator2

        return cls(uiautomator2.connect(serial))

    def hierarchy(self) -> str:
        return str(self.d.dump_hierarchy())

    def screenshot_png(self) -> bytes:
        buffer = io.BytesIO()
        self.d.screenshot().save(buffer, format="PNG")
        return buffer.getvalue()

    def exists(self, target: Target) -> bool:
        return ui.find(self.hierarchy(), target) is not None

    def tap(self, target: Target) -> bool:
        node = ui.find(self.hierarchy(), target)
        if node is None:
            return False
        self.d.click(*node.center)
        return True

    def input_text(self, text: str) -> None:
        self.d.send_keys(text)
