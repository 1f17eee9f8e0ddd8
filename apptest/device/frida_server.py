"""Is frida-server running on the phone, and does it speak the host's frida?

frida's client and server must share a major version (17 talks to 17); a mismatch fails
later with an obscure protocol error, in the middle of a run. Packers and anti-frida SDKs
look for a process named `frida-server`, so labs rename it: the profile's
`frida.server_path` names the binary, and its file name is the process looked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from apptest.device import commands as cmd
from apptest.device.adb import AdbPhone

_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)")


@dataclass(frozen=True)
class FridaServer:
    path: str
    running: bool
    version: str | None
    host_version: str

    @property
    def compatible(self) -> bool:
        return self.version is not None and major(self.version) == major(self.host_version)

    @property
    def ok(self) -> bool:
        return self.running and self.compatible

    def problem(self) -> str | None:
        if not self.running:
            return f"frida-server is not running ({self.path}): start it as root on the phone"
        if self.version is None:
            return f"cannot read the version of {self.path}"
        if not self.compatible:
            return f"frida-server {self.version} on the phone, frida {self.host_version} here: majors must match"
        return None


def major(version: str) -> int | None:
    match = _VERSION.match(version.strip())
    return int(match.group(1)) if match else None


def check(phone: AdbPhone, host_version: str | None = None) -> FridaServer:
    if host_version is None:
        import frida

        host_version = str(frida.__version__)
    path = phone.settings.frida_server
    name = path.rsplit("/", 1)[-1]
    running = cmd.pid_from_pidof(phone.shell(cmd.pidof(name))) is not None
    out = phone.shell(f"{cmd.q(path)} --version").strip()
    version = out if _VERSION.match(out) else None
    return FridaServer(path=path, running=running, version=version, host_version=host_version)
