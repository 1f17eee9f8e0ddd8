"""A real phone over adb: the `Device` the scenario drives, plus what a run prepares.

Everything goes through adbutils' protocol client (no `adb` subprocess), so the commands
a phone receives are exactly the strings in `commands.py`, and a local adb-protocol
server can check them in tests. UI targets are resolved from `uiautomator dump` and
tapped with `input tap` unless the profile asks for uiautomator2 (`ui: uiautomator2`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from apptest.device import commands as cmd
from apptest.device import ui
from apptest.device.base import DeviceError, Target
from apptest.device.settings import DeviceSettings

logger = logging.getLogger(__name__)


def connect(settings: DeviceSettings) -> AdbPhone:
    """The phone named by the settings (or the only one attached); DeviceError otherwise."""
    import adbutils

    client = adbutils.AdbClient(host=settings.adb_host, port=settings.adb_port)
    try:
        if settings.serial:
            device = client.device(serial=settings.serial)
            state = device.get_state()
            if state != "device":
                raise DeviceError(f"phone {settings.serial} is {state!r}, not ready (authorise adb on the phone)")
        else:
            attached = client.device_list()
            if len(attached) != 1:
                raise DeviceError(
                    f"{len(attached)} phones attached: name one with --serial or `serial:` in the device profile"
                )
            device = attached[0]
    except adbutils.AdbError as exc:
        raise DeviceError(f"adb: {exc}") from exc
    return AdbPhone(device, settings)


class AdbPhone:
    """One phone. Methods map one-to-one onto shell commands; nothing is cached but the SDK."""

    kind = "adb"

    def __init__(self, device: Any, settings: DeviceSettings) -> None:
        self.device = device
        self.settings = settings
        self._sdk: int | None = None
        self._u2: Any = None

    # --- plumbing -----------------------------------------------------------------------
    def shell(self, command: str) -> str:
        import adbutils

        try:
            out: str = self.device.shell(command)
        except adbutils.AdbError as exc:
            raise DeviceError(f"adb shell {command!r}: {exc}") from exc
        return out

    def shell_bytes(self, command: str) -> bytes:
        out: bytes = self.device.shell(command, encoding=None)
        return out

    def root(self, command: str) -> str:
        if not self.settings.rooted:
            raise DeviceError(f"needs root, and the device profile does not say `rooted: true`: {command}")
        return self.shell(cmd.su(command))

    @property
    def serial(self) -> str:
        return str(self.device.serial)

    @property
    def sdk(self) -> int:
        if self._sdk is None:
            text = self.shell(cmd.getprop("ro.build.version.sdk")).strip()
            self._sdk = int(text) if text.isdigit() else 0
        return self._sdk

    def facts(self) -> dict[str, Any]:
        props = {
            "model": "ro.product.model",
            "manufacturer": "ro.product.manufacturer",
            "android_version": "ro.build.version.release",
            "build": "ro.build.fingerprint",
        }
        out: dict[str, Any] = {"kind": self.kind, "serial": self.serial, "sdk": self.sdk}
        for key, prop in props.items():
            value = self.shell(cmd.getprop(prop)).strip()
            if value:
                out[key] = value
        out["rooted"] = self.settings.rooted
        return out

    # --- app lifecycle ------------------------------------------------------------------
    def install(self, apk: Path, grant_all: bool = False) -> None:
        """Push, `pm install` (with the low-target-SDK bypass on 14+), remove the copy."""
        self.device.sync.push(str(apk), cmd.INSTALL_TMP)
        try:
            out = self.shell(cmd.install(cmd.INSTALL_TMP, self.sdk, grant_all))
        finally:
            self.shell(cmd.remove(cmd.INSTALL_TMP))
        if not cmd.install_ok(out):
            raise DeviceError(f"install of {apk.name} failed: {out.strip()[:200]}")

    def uninstall(self, package: str) -> None:
        self.shell(cmd.uninstall(package))

    def launch(self, package: str, activity: str | None = None) -> None:
        self.shell(cmd.launch(package, activity))

    def force_stop(self, package: str) -> None:
        self.shell(cmd.force_stop(package))

    def clear_data(self, package: str) -> None:
        self.shell(cmd.clear_data(package))

    def home(self) -> None:
        self.shell(cmd.keyevent("KEYCODE_HOME"))

    def back(self) -> None:
        self.shell(cmd.keyevent("KEYCODE_BACK"))

    def screen(self, on: bool) -> None:
        self.shell(cmd.keyevent("KEYCODE_WAKEUP" if on else "KEYCODE_SLEEP"))

    def pid_of(self, package: str) -> int | None:
        return cmd.pid_from_pidof(self.shell(cmd.pidof(package)))

    def foreground_package(self) -> str | None:
        return cmd.foreground_from_dumpsys(self.shell("dumpsys activity activities"))

    # --- permissions ----------------------------------------------------------------------
    def grant(self, package: str, permission: str) -> None:
        self._checked(cmd.grant(package, permission))

    def revoke(self, package: str, permission: str) -> None:
        self._checked(cmd.revoke(package, permission))

    def granted_permissions(self, package: str) -> set[str]:
        return cmd.granted_from_dumpsys(self.shell(cmd.dumpsys_package(package)))

    def user_denied(self, package: str) -> set[str]:
        return cmd.user_denied_from_dumpsys(self.shell(cmd.dumpsys_package(package)))

    def _checked(self, command: str) -> None:
        out = self.shell(command)
        if "Exception" in out or "Error" in out:
            raise DeviceError(f"{command}: {out.strip()[:200]}")

    # --- screen -------------------------------------------------------------------------
    def screenshot(self) -> bytes | None:
        if self._u2_device() is not None:
            return self._u2.screenshot_png()
        data = self.shell_bytes("screencap -p")
        return data if data.startswith(b"\x89PNG") else None

    def hierarchy(self) -> str | None:
        if self._u2_device() is not None:
            return self._u2.hierarchy()
        out = self.shell(cmd.ui_dump())
        if "ERROR" in out or "dumped" not in out.lower():
            logger.info("uiautomator dump failed: %s", out.strip()[:200])
            return None
        data: bytes = self.device.sync.read_bytes(cmd.UI_DUMP)
        text = data.decode("utf-8", errors="replace")
        return text if text.lstrip().startswith("<?xml") else None

    def _find(self, target: Target) -> ui.Node | None:
        xml = self.hierarchy()
        return ui.find(xml, target) if xml else None

    def exists(self, target: Target) -> bool:
        if target.xy:
            return True
        if self._u2_device() is not None:
            return bool(self._u2.exists(target))
        return self._find(target) is not None

    def tap(self, target: Target) -> bool:
        if target.xy:
            self.shell(cmd.tap(*target.xy))
            return True
        if self._u2_device() is not None:
            return bool(self._u2.tap(target))
        node = self._find(target)
        if node is None:
            return False
        self.shell(cmd.tap(*node.center))
        return True

    def input_text(self, text: str, target: Target | None = None) -> bool:
        if target is not None and not self.tap(target):
            return False
        if self._u2_device() is not None:
            self._u2.input_text(text)
        else:
            self.shell(cmd.input_text(text))
        return True

    def swipe(self, start: tuple[int, int], end: tuple[int, int], seconds: float) -> None:
        self.shell(cmd.swipe(*start, *end, int(seconds * 1000)))

    def _u2_device(self) -> Any:
        if self.settings.ui != "uiautomator2":
            return None
        if self._u2 is None:
            from apptest.device.u2 import U2Ui

            self._u2 = U2Ui.connect(self.serial)
        return self._u2

    # --- network --------------------------------------------------------------------------
    def set_proxy(self, host: str, port: int) -> None:
        self.shell(cmd.proxy_on(host, port))

    def set_proxy_value(self, value: str) -> None:
        """Put back a proxy setting exactly as it was read (`host:port`)."""
        self.shell(f"settings put global http_proxy {cmd.q(value)}")

    def clear_proxy(self) -> None:
        self.shell(cmd.proxy_off())

    def proxy(self) -> str:
        return self.shell(cmd.proxy_get()).strip()

    def reverse(self, port: int) -> None:
        self.device.reverse(f"tcp:{port}", f"tcp:{port}")

    def reverse_remove(self, port: int) -> None:
        self.device.reverse_remove(f"tcp:{port}")
