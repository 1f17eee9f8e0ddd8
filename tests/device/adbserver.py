"""A local adb server speaking the host protocol subset adbutils uses, for tests.

Real TCP on 127.0.0.1: each request is a 4-hex-digit length and a service name; the
answer is `OKAY` or `FAIL` + a length-prefixed message. Implemented: `host:version`,
`host:devices`, `host-serial:<s>:get-state`, `host:transport:<s>` (and `host:tport:serial:`)
followed on the same connection by `shell:<cmd>`, `sync:` (SEND/RECV/STAT/QUIT with
DATA/DONE/OKAY/FAIL framing) or `reverse:forward|killforward|list-forward`.

Shell commands are recorded as the phone would receive them and answered from a table
of (prefix, output) pairs, the longest matching prefix winning; an output may be a
function of the command and the server (to write a file a later RECV reads). Files
pushed with SEND land in `files`; RECV and STAT read from it.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import struct
import threading
from collections.abc import Callable
from typing import Any

Output = bytes | str | Callable[[str, "AdbTestServer"], bytes | str]
VERSION = 40  # below 41 adbutils uses host:transport:<serial>, the form tests expect
S_IFREG = 0o100000


def _block(text: str | bytes) -> bytes:
    data = text.encode() if isinstance(text, str) else text
    return f"{len(data):04x}".encode() + data


class _Conn:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def exact(self, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return buf

    def request(self) -> str:
        size = int(self.exact(4), 16)
        return self.exact(size).decode("utf-8")

    def okay(self, payload: bytes = b"") -> None:
        self.sock.sendall(b"OKAY" + payload)

    def fail(self, message: str) -> None:
        self.sock.sendall(b"FAIL" + _block(message))


class _Handler(socketserver.BaseRequestHandler):
    server: AdbTestServer

    def handle(self) -> None:
        conn = _Conn(self.request)
        with contextlib.suppress(EOFError, ConnectionError, OSError):
            self.server.dispatch(conn)


class AdbTestServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, serial: str = "TESTPHONE1", outputs: dict[str, Output] | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.serial = serial
        self.outputs: dict[str, Output] = dict(outputs or {})
        self.files: dict[str, bytes] = {}
        self.commands: list[str] = []
        self.services: list[str] = []
        self.reverses: dict[str, str] = {}
        self.lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, args=(0.02,), daemon=True)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def __enter__(self) -> AdbTestServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()

    def _log(self, service: str) -> None:
        with self.lock:
            self.services.append(service)

    # --- host services --------------------------------------------------------------
    def dispatch(self, conn: _Conn) -> None:
        service = conn.request()
        self._log(service)
        if service == "host:version":
            conn.okay(_block(f"{VERSION:04x}"))
        elif service in ("host:devices", "host:devices-l"):
            conn.okay(_block(f"{self.serial}\tdevice\n"))
        elif service.startswith("host-serial:"):
            _, serial, command = service.split(":", 2)
            if serial != self.serial:
                conn.fail(f"device '{serial}' not found")
            elif command == "get-state":
                conn.okay(_block("device"))
            else:
                conn.fail(f"unsupported: {command}")
        elif service.startswith("host:transport:") or service.startswith("host:tport:serial:"):
            serial = service.rsplit(":", 1)[1]
            if serial != self.serial:
                conn.fail(f"device '{serial}' not found")
                return
            conn.okay(struct.pack("<Q", 1) if service.startswith("host:tport") else b"")
            self.device_service(conn)
        else:
            conn.fail(f"unknown host service: {service}")

    # --- device services ------------------------------------------------------------
    def device_service(self, conn: _Conn) -> None:
        service = conn.request()
        self._log(service)
        if service.startswith("shell:"):
            command = service[len("shell:") :]
            with self.lock:
                self.commands.append(command)
            conn.okay()
            out = self.answer(command)
            conn.sock.sendall(out)
            conn.sock.shutdown(socket.SHUT_WR)
        elif service == "sync:":
            conn.okay()
            self.sync(conn)
        elif service.startswith("reverse:"):
            self.reverse(conn, service[len("reverse:") :])
        else:
            conn.fail(f"unknown device service: {service}")

    def answer(self, command: str) -> bytes:
        best = max((p for p in self.outputs if command.startswith(p)), key=len, default=None)
        if best is None:
            return b""
        out = self.outputs[best]
        if callable(out):
            out = out(command, self)
        return out.encode("utf-8") if isinstance(out, str) else out

    def reverse(self, conn: _Conn, request: str) -> None:
        if request.startswith("forward:"):
            spec = request[len("forward:") :].removeprefix("norebind:")
            remote, _, local = spec.partition(";")
            self.reverses[remote] = local
            conn.okay()
            conn.okay()
        elif request.startswith("killforward:"):
            remote = request[len("killforward:") :]
            if remote not in self.reverses:
                conn.fail(f"listener '{remote}' not found")
                return
            del self.reverses[remote]
            conn.okay()
            conn.okay()
        elif request == "killforward-all":
            self.reverses.clear()
            conn.okay()
            conn.okay()
        elif request == "list-forward":
            lines = "".join(f"{self.serial} {r} {lo}\n" for r, lo in self.reverses.items())
            conn.okay(_block(lines))
        else:
            conn.fail(f"unknown reverse request: {request}")

    def sync(self, conn: _Conn) -> None:
        while True:
            try:
                ident = conn.exact(4).decode()
            except EOFError:
                return
            size = struct.unpack("<I", conn.exact(4))[0]
            arg = conn.exact(size).decode("utf-8")
            self._log(f"sync:{ident} {arg}")
            if ident == "QUIT":
                return
            if ident == "STAT":
                data = self.files.get(arg)
                mode, length = (S_IFREG | 0o644, len(data)) if data is not None else (0, 0)
                conn.sock.sendall(b"STAT" + struct.pack("<III", mode, length, 1700000000 if data is not None else 0))
            elif ident == "SEND":
                path = arg.rsplit(",", 1)[0]
                body = b""
                while True:
                    kind = conn.exact(4)
                    value = struct.unpack("<I", conn.exact(4))[0]
                    if kind == b"DATA":
                        body += conn.exact(value)
                    elif kind == b"DONE":
                        break
                    else:
                        raise EOFError
                self.files[path] = body
                conn.sock.sendall(b"OKAY" + struct.pack("<I", 0))
            elif ident == "RECV":
                data = self.files.get(arg)
                if data is None:
                    message = b"No such file or directory"
                    conn.sock.sendall(b"FAIL" + struct.pack("<I", len(message)) + message)
                    continue
                for start in range(0, len(data), 64 * 1024):
                    chunk = data[start : start + 64 * 1024]
                    conn.sock.sendall(b"DATA" + struct.pack("<I", len(chunk)) + chunk)
                conn.sock.sendall(b"DONE" + struct.pack("<I", 0))
            else:
                return

    # --- helpers for tests ----------------------------------------------------------
    def sent(self, prefix: str) -> list[str]:
        return [c for c in self.commands if c.startswith(prefix)]


def ui_dump(xml: str) -> Callable[[str, AdbTestServer], str]:
    """A `uiautomator dump PATH` answer that writes `xml` where the command asked."""

    def answer(command: str, server: AdbTestServer) -> str:
        path = command.split()[-1].strip("'")
        server.files[path] = xml.encode("utf-8")
        return f"UI hierchary dumped to: {path}\n"

    return answer


def states(*outputs: Any) -> Callable[[str, AdbTestServer], Any]:
    """Answer successive calls of one command with successive outputs (the last repeats)."""
    calls = {"n": 0}

    def answer(command: str, server: AdbTestServer) -> Any:
        out = outputs[min(calls["n"], len(outputs) - 1)]
        calls["n"] += 1
        return out

    return answer
