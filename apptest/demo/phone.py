"""The demo's phone: the stand-in app on a local JVM, driven like a phone.

`StandInPhone` implements the same `Device` protocol as a real phone, so the demo runs
the real scenario engine, and targets are resolved by the same `ui.find` over the same
uiautomator-shaped dump. What differs, and the report says so: the "phone" is the JVM;
the app's "process" is a thread group inside it (its pid is the JVM's while the app runs);
screenshots are wireframes drawn from the view dump; there is no text input or scrolling.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import os
import socket
import subprocess
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from apptest.demo.build import MAIN_CLASS
from apptest.demo.screen import wireframe
from apptest.device import ui
from apptest.device.base import DeviceError, Target
from apptest.device.settings import DeviceSettings
from apptest.runtime.config import HOOKABLE_JVM_FLAGS

logger = logging.getLogger(__name__)
READY = "APPTEST-STANDIN"


def _drain(stream: IO[str], sink: IO[str] | None) -> None:
    for line in stream:
        if sink is not None:
            sink.write(line)
            sink.flush()


class StandInPhone:
    """A running stand-in JVM and its control connection."""

    kind = "stand-in"
    # the stand-in's proxy is its own setting, never reached through `adb reverse`
    settings = DeviceSettings(connection="wifi", proxy_host="127.0.0.1")

    def __init__(self, process: subprocess.Popen[str], port: int, pid: int, log: IO[str] | None) -> None:
        self.process = process
        self.jvm_pid = pid
        self._log = log
        self._sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self._io = self._sock.makefile("rw", encoding="utf-8", newline="\n")
        self._lock = threading.Lock()

    @classmethod
    def start(
        cls,
        classes: Path,
        properties: Mapping[str, str],
        log_path: Path | None = None,
        java: str = "java",
    ) -> StandInPhone:
        """Start the JVM (idle: the app is not launched until the scenario says so).

        No proxy yet: like a phone, the stand-in gets its global proxy from the bench
        (`PhoneGuard.proxy`), and loses it again when the run ends.
        """
        args = [java, *HOOKABLE_JVM_FLAGS, "-XX:+UseSerialGC", "-Djava.awt.headless=true", "-cp", str(classes)]
        args += [f"-Dstandin.{k}={v}" for k, v in properties.items()]
        args.append(MAIN_CLASS)
        log = open(log_path, "a", encoding="utf-8") if log_path else None  # noqa: SIM115 - lives with the JVM
        try:
            process = subprocess.Popen(
                args,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log or subprocess.DEVNULL,
                text=True,
                encoding="utf-8",
                env={k: v for k, v in os.environ.items() if k not in ("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS")},
            )
        except OSError as exc:
            raise DeviceError(f"cannot start the stand-in JVM: {exc}") from exc
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith(READY):
            process.kill()
            raise DeviceError(f"the stand-in JVM did not start: {line.strip() or 'no output'}")
        fields = dict(part.split("=", 1) for part in line.split()[1:])
        threading.Thread(target=_drain, args=(process.stdout, log), daemon=True).start()
        return cls(process, int(fields["port"]), int(fields["pid"]), log)

    # --- the channel ---------------------------------------------------------------------
    def call(self, *words: object) -> str:
        line = " ".join(str(w) for w in words)
        with self._lock:
            try:
                self._io.write(line + "\n")
                self._io.flush()
                answer = self._io.readline().rstrip("\n")
            except OSError as exc:
                raise DeviceError(f"stand-in: {line}: {exc}") from exc
        if answer.startswith("OK"):
            return answer[3:]
        raise DeviceError(f"stand-in: {line}: {answer or 'connection closed'}")

    def close(self) -> None:
        """Stop the app and the JVM; a JVM that does not exit in time is killed."""
        with contextlib.suppress(DeviceError):
            self.call("quit")
        for handle in (self._io, self._sock):
            with contextlib.suppress(OSError):
                handle.close()
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self._log is not None:
            self._log.close()

    # --- Device -----------------------------------------------------------------------------
    def facts(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "model": "apptest stand-in phone (local JVM)",
            "android_version": None,
            "jvm_pid": self.jvm_pid,
            "note": "not a phone: Java stand-ins of the android.* classes the app calls, on the local JVM",
        }

    def launch(self, package: str, activity: str | None = None) -> None:
        self.call("launch")

    def force_stop(self, package: str) -> None:
        self.call("stop")

    def clear_data(self, package: str) -> None:
        self.call("clear")

    def home(self) -> None:
        self.call("key", "KEYCODE_HOME")

    def back(self) -> None:
        self.call("key", "KEYCODE_BACK")

    def screen(self, on: bool) -> None:
        self.call("key", "KEYCODE_WAKEUP" if on else "KEYCODE_SLEEP")

    def hierarchy(self) -> str | None:
        return base64.b64decode(self.call("dump")).decode("utf-8")

    def screenshot(self) -> bytes | None:
        xml = self.hierarchy()
        return wireframe(xml) if xml else None

    def exists(self, target: Target) -> bool:
        if target.xy:
            return True
        xml = self.hierarchy()
        return xml is not None and ui.find(xml, target) is not None

    def tap(self, target: Target) -> bool:
        if target.xy:
            point: tuple[int, int] | None = target.xy
        else:
            xml = self.hierarchy()
            node = ui.find(xml, target) if xml else None
            point = node.center if node else None
        if point is None:
            return False
        self.call("tap", point[0], point[1])
        return True

    def input_text(self, text: str, target: Target | None = None) -> bool:
        """The stand-in has no text fields: only the tap on `target` happens."""
        return self.tap(target) if target is not None else True

    def swipe(self, start: tuple[int, int], end: tuple[int, int], seconds: float) -> None:
        """Nothing scrolls on the stand-in's screens."""

    def grant(self, package: str, permission: str) -> None:
        self.call("grant", permission)

    def revoke(self, package: str, permission: str) -> None:
        self.call("revoke", permission)

    def _permissions(self) -> list[tuple[str, bool, bool]]:
        out = []
        for entry in self.call("perms").split(";"):
            parts = entry.split()
            if len(parts) == 3:
                out.append((parts[0], parts[1] == "true", parts[2] == "true"))
        return out

    def granted_permissions(self, package: str) -> set[str]:
        return {name for name, granted, _ in self._permissions() if granted}

    def user_denied(self, package: str) -> set[str]:
        return {name for name, granted, user_set in self._permissions() if user_set and not granted}

    def proxy(self) -> str:
        return self.call("proxy")

    def set_proxy(self, host: str, port: int) -> None:
        self.call("proxy_set", f"{host}:{port}")

    def set_proxy_value(self, value: str) -> None:
        self.call("proxy_set", value)

    def clear_proxy(self) -> None:
        self.call("proxy_set", ":0")

    def reverse(self, port: int) -> None:
        """Nothing to reverse: the stand-in runs on this machine."""

    def reverse_remove(self, port: int) -> None:
        """Nothing to reverse: the stand-in runs on this machine."""

    def pid_of(self, package: str) -> int | None:
        answer = self.call("pid")
        return int(answer) if answer.isdigit() else None

    def foreground_package(self) -> str | None:
        return self.call("top") or None
