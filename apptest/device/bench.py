"""A real phone as the bench of a live run: install, known values, proxy, CA — and undo.

`open()` leaves the phone ready for the scenario: the APK installed, the phone's own
identifiers recorded as known values (canaries.jsonl, source `device`), the global proxy
pointing at the capture, mitmproxy's CA in the system store when the profile asks for it.
`close()` undoes all of it through `PhoneGuard`, also after errors and Ctrl-C (the
conductor calls it from `finally`). The app stays installed, so a retest finds it; its
process is stopped so nothing it does after the run goes unrecorded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from apptest.device import frida_server
from apptest.device.adb import AdbPhone, connect
from apptest.device.base import DeviceError
from apptest.device.identifiers import read_identifiers
from apptest.device.prepare import PhoneGuard
from apptest.device.settings import DeviceSettings
from apptest.evidence import Bundle

logger = logging.getLogger(__name__)


class PhoneBench:
    kind = "adb"

    def __init__(
        self,
        settings: DeviceSettings,
        apk: Path,
        package: str | None,
        ca_path: Path | None = None,
        install: bool = True,
        require_frida: bool = True,
        say: Callable[[str], None] = lambda text: None,
    ) -> None:
        self.settings = settings
        self.apk = apk
        self.package = package
        self.ca_path = ca_path
        self.install = install
        self.require_frida = require_frida
        self.say = say
        self.phone: AdbPhone | None = None
        self.guard: PhoneGuard | None = None
        self.notes: list[str] = []
        self.frida: frida_server.FridaServer | None = None

    def open(self, bundle: Bundle, proxy_port: int) -> AdbPhone:
        """`package` defaults to the one the static scan wrote into the manifest."""
        self.package = self.package or str(bundle.manifest()["apk"]["package"])
        phone = self.phone = connect(self.settings)
        self.guard = PhoneGuard(phone)
        self.frida = frida_server.check(phone)
        problem = self.frida.problem()
        if problem and self.require_frida:
            raise DeviceError(f"{problem} (or run with --no-hooks: no runtime evidence then)")
        if problem:
            self.notes.append(problem)
        if self.install:
            self.say(f"installing {self.apk.name} on {phone.serial}")
            phone.install(self.apk)
        self.guard.stop_app(self.package)
        values, notes = read_identifiers(phone, self.package)
        self.notes.extend(notes)
        for data_type, value in values.items():
            bundle.add_canary(data_type, value, "device")
        self.say(f"proxy on the phone: {self.guard.proxy(proxy_port)}")
        if self.settings.install_ca:
            if self.ca_path is None or not self.ca_path.is_file():
                raise DeviceError(f"install_ca: mitmproxy's CA not found at {self.ca_path}")
            self.say(f"CA installed in the system store as {self.guard.install_ca(self.ca_path)}")
        return phone

    def facts(self) -> dict[str, Any]:
        facts: dict[str, Any] = self.phone.facts() if self.phone else {"kind": self.kind}
        if self.frida is not None:
            facts["frida_server"] = {"version": self.frida.version, "running": self.frida.running}
        return facts

    def hook_target(self) -> dict[str, Any]:
        """Frida on the phone over USB, catching every process of the app as it spawns."""
        serial = self.phone.serial if self.phone else self.settings.serial
        return {"kind": "spawn", "serial": serial, "package": self.package}

    def close(self) -> list[str]:
        return self.guard.restore() if self.guard is not None else []
