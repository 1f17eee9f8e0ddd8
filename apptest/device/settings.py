"""The parts of a device profile that say how to reach and prepare the phone.

A device profile (`--device FILE`, validated by `Knowledge.device_profile`) holds both the
phone's known identifier values (for traffic analysis) and, under `control:`, how
`apptest run` drives it; this module reads only the latter. `--serial` on the command
line overrides the profile's serial. Every key has a default that suits a USB phone
without root, so a profile needs `control:` only to change something.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_PROXY_PORT = 8080
ADB_PORT = 5037
FRIDA_SERVER = "/data/local/tmp/frida-server"


def adb_server_port() -> int:
    """adb's own convention: ANDROID_ADB_SERVER_PORT, else 5037."""
    return int(os.environ.get("ANDROID_ADB_SERVER_PORT") or ADB_PORT)


@dataclass(frozen=True)
class DeviceSettings:
    """How to reach the phone and what may be changed on it for a run.

    `connection: usb` routes the phone's proxy to 127.0.0.1 through `adb reverse`, so no
    Wi-Fi address is needed; `wifi` sets the proxy to `proxy_host` (the lab machine's
    address as the phone sees it).
    """

    serial: str | None = None
    connection: str = "usb"
    proxy_host: str = "127.0.0.1"
    proxy_port: int = DEFAULT_PROXY_PORT
    rooted: bool = False
    install_ca: bool = False
    ui: str = "adb"
    frida_server: str = FRIDA_SERVER
    imei_call: str | None = None
    adb_host: str = "127.0.0.1"
    adb_port: int = field(default_factory=lambda: adb_server_port())

    @classmethod
    def from_profile(cls, data: Mapping[str, Any] | None, serial: str | None = None) -> DeviceSettings:
        profile = data or {}
        data = profile.get("control") or {}
        proxy = data.get("proxy") or {}
        adb = data.get("adb") or {}
        frida = data.get("frida") or {}
        return cls(
            serial=serial or profile.get("serial"),
            connection=str(data.get("connection", "usb")),
            proxy_host=str(proxy.get("host", "127.0.0.1")),
            proxy_port=int(proxy.get("port", DEFAULT_PROXY_PORT)),
            rooted=bool(data.get("rooted", False)),
            install_ca=bool(data.get("install_ca", False)),
            ui=str(data.get("ui", "adb")),
            frida_server=str(frida.get("server_path", FRIDA_SERVER)),
            imei_call=data.get("imei_call"),
            adb_host=str(adb.get("host", "127.0.0.1")),
            adb_port=int(adb.get("port", adb_server_port())),
        )

    @property
    def phone_proxy_host(self) -> str:
        """The proxy address the phone is told: itself (reversed over USB) or the lab host."""
        return "127.0.0.1" if self.connection == "usb" else self.proxy_host


def load_settings(knowledge: Any, path: Path | None, serial: str | None = None) -> DeviceSettings:
    """Settings from a device profile file (validated, `control:` against its own schema)."""
    if path is None:
        return DeviceSettings(serial=serial)
    from apptest.knowledge import check_schema

    profile = knowledge.device_profile(path)
    if profile.get("control") is not None:
        check_schema(Path(path), "device_control", profile["control"], at="control")
    return DeviceSettings.from_profile(profile, serial)
