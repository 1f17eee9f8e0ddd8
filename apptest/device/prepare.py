"""Set the phone up for a run and put it back as it was, whatever happens.

A phone left with a global proxy pointing at a laptop that has gone home has no network
the next morning, and a lab's phone is shared. So every change is registered with its
undo *before* it is made, and `PhoneGuard.restore()` runs the undos in reverse order from
`finally`, on Ctrl-C and SIGTERM (the conductor turns those into exceptions), and from
`atexit` as a last resort. Each undo runs even if an earlier one failed; failures are
returned so the run can print them (a phone that could not be restored must be said).
"""

from __future__ import annotations

import atexit
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from apptest.device import cert
from apptest.device import commands as cmd
from apptest.device.adb import AdbPhone
from apptest.device.base import DeviceError
from apptest.device.settings import DeviceSettings

logger = logging.getLogger(__name__)


class Preparable(Protocol):
    """What the guard changes: a phone over adb, or the demo's stand-in (same calls)."""

    settings: DeviceSettings

    def proxy(self) -> str: ...

    def set_proxy(self, host: str, port: int) -> None: ...

    def set_proxy_value(self, value: str) -> None: ...

    def clear_proxy(self) -> None: ...

    def reverse(self, port: int) -> None: ...

    def reverse_remove(self, port: int) -> None: ...

    def force_stop(self, package: str) -> None: ...


class PhoneGuard:
    def __init__(self, phone: Preparable) -> None:
        self.phone = phone
        self._undo: list[tuple[str, Callable[[], Any]]] = []
        self.changes: list[str] = []
        atexit.register(self.restore)

    def __enter__(self) -> PhoneGuard:
        return self

    def __exit__(self, *exc: object) -> None:
        for problem in self.restore():
            logger.warning("phone not fully restored: %s", problem)

    def _register(self, what: str, undo: Callable[[], Any]) -> None:
        self._undo.append((what, undo))
        self.changes.append(what)

    def restore(self) -> list[str]:
        """Undo every change, newest first; returns what could not be undone."""
        problems = []
        while self._undo:
            what, undo = self._undo.pop()
            try:
                undo()
            except Exception as exc:  # keep undoing the rest
                problems.append(f"{what}: {exc}")
        atexit.unregister(self.restore)
        return problems

    # --- changes ------------------------------------------------------------------------
    def proxy(self, port: int) -> str:
        """Point the phone's global HTTP proxy at the capture; over USB through `adb reverse`.

        The previous value is read first and put back (a lab that runs its own proxy keeps
        it); a phone that had none gets `:0`, which every Android version reads as "off".
        """
        settings = self.phone.settings
        previous = self.phone.proxy()
        if settings.connection == "usb":
            self._register(f"adb reverse tcp:{port}", lambda: self.phone.reverse_remove(port))
            self.phone.reverse(port)
        if cmd.is_proxy_set(previous):
            self._register("global proxy", lambda: self.phone.set_proxy_value(previous))
        else:
            self._register("global proxy", self.phone.clear_proxy)
        host = settings.phone_proxy_host
        self.phone.set_proxy(host, port)
        return f"{host}:{port}"

    def install_ca(self, pem_path: Path) -> str:
        """mitmproxy's CA into the system store (rooted phones only); returns its file name."""
        phone = self.phone
        if not isinstance(phone, AdbPhone) or not phone.settings.rooted:
            raise DeviceError("installing the CA in the system store needs a rooted phone (`rooted: true`)")
        pem = pem_path.read_bytes()
        name = f"{cert.subject_hash_old(pem)}.0"
        sdk = phone.sdk
        phone.device.sync.push(pem, cert.REMOTE_CERT)
        self._register(
            "system CA", lambda: self._run_root_script(phone, cert.remove_script(sdk), "apptest-ca-remove.sh")
        )
        self._run_root_script(phone, cert.install_script(name, sdk), "apptest-ca-install.sh")
        listed = phone.root(cert.check_command(name, sdk))
        if name not in listed:
            raise DeviceError(f"CA {name} is not in {cert.store_for(sdk)} after installing it: {listed.strip()[:200]}")
        return name

    @staticmethod
    def _run_root_script(phone: AdbPhone, script: str, name: str) -> str:
        remote = f"{cmd.TMP}/{name}"
        phone.device.sync.push(script.encode("utf-8"), remote)
        try:
            return phone.root(f"sh {remote}")
        finally:
            phone.shell(cmd.remove(remote))

    def stop_app(self, package: str) -> None:
        """Force-stop the app when the run ends, so nothing it does later lands in no bundle."""
        self._register(f"force-stop {package}", lambda: self.phone.force_stop(package))
