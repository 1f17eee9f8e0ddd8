"""Real clients and a real upstream server on 127.0.0.1 for the proxy integration tests.

Clients speak through the proxy the way apps do: absolute-form HTTP/1.1, CONNECT + TLS
(trusting the proxy's generated CA), HTTP/2 negotiated by ALPN (`h2`), and WebSocket
(`wsproto`) inside a CONNECT tunnel. The upstream echoes request bodies back (gzip'd),
so "a response that echoes data" is real too.
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
import re
import signal
import socket
import socketserver
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import h2.connection
import h2.events
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, BytesMessage, CloseConnection, Message, Request, TextMessage

ROOT = Path(__file__).resolve().parents[2]


# --- upstream -----------------------------------------------------------------------------
class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(10)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        if b"upgrade: websocket" in head.lower():
            self._websocket(sock, data)
            return
        length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1)) if b"ength:" in head else 0
        while len(rest) < length:
            rest += sock.recv(65536)
        body = gzip.compress(json.dumps({"echo": rest.decode("utf-8", "replace")}).encode())
        sock.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
            + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body
        )

    def _websocket(self, sock: socket.socket, data: bytes) -> None:
        ws = WSConnection(ConnectionType.SERVER)
        ws.receive_data(data)
        while True:
            for event in ws.events():
                if isinstance(event, Request):
                    sock.sendall(ws.send(AcceptConnection()))
                elif isinstance(event, TextMessage | BytesMessage):
                    sock.sendall(ws.send(Message(data=event.data)))  # echo
                elif isinstance(event, CloseConnection):
                    sock.sendall(ws.send(event.response()))
                    return
            chunk = sock.recv(65536)
            if not chunk:
                return
            ws.receive_data(chunk)


class Upstream(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def close(self) -> None:
        self.shutdown()
        self.server_close()


# --- the proxy under test -------------------------------------------------------------------
class Proxy:
    """A proxy child process; `port` is read from what it prints once it listens."""

    def __init__(self, args: Sequence[str], pattern: str, timeout: float = 30, prefix: Sequence[str] = ()) -> None:
        self.proc = subprocess.Popen(
            [*prefix, sys.executable, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        self.lines: list[str] = []
        self.port = 0
        found = threading.Event()

        def pump() -> None:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                self.lines.append(line)
                match = re.search(pattern, line)
                if match and not found.is_set():
                    self.port = int(match.group(1))
                    found.set()

        threading.Thread(target=pump, daemon=True).start()
        if not found.wait(timeout):
            self.stop()
            raise RuntimeError("proxy did not start:\n" + "".join(self.lines))

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signum)
        code = self.proc.wait(timeout)
        time.sleep(0.05)  # let the pump thread take the last lines
        return code


# --- clients -----------------------------------------------------------------------------
def http1(proxy: int, url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> bytes:
    """Plain HTTP through the proxy (absolute-form request)."""
    conn = http.client.HTTPConnection("127.0.0.1", proxy, timeout=10)
    conn.request("POST" if body is not None else "GET", url, body=body, headers=headers or {})
    data = conn.getresponse().read()
    conn.close()
    return data


def https1(proxy: int, host: str, path: str, cafile: Path, body: bytes | None = None,
           headers: dict[str, str] | None = None) -> int:  # fmt: skip
    """HTTPS through CONNECT, trusting only the proxy's CA (as a phone with it installed)."""
    context = ssl.create_default_context(cafile=str(cafile))
    conn = http.client.HTTPSConnection("127.0.0.1", proxy, timeout=10, context=context)
    conn.set_tunnel(host, 443)
    conn.request("POST" if body is not None else "GET", path, body=body, headers=headers or {})
    status = conn.getresponse().status
    conn.close()
    return status


def tunnel(proxy: int, host: str, port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", proxy), timeout=10)
    sock.sendall(f"CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
    reply = b""
    while b"\r\n\r\n" not in reply:
        reply += sock.recv(4096)
    assert b" 200 " in reply.split(b"\r\n", 1)[0], reply
    return sock


def refuse_tls(proxy: int, host: str) -> None:
    """A client that does not trust the proxy's CA (a pinned or CA-distrusting app)."""
    sock = tunnel(proxy, host, 443)
    try:
        ssl.create_default_context().wrap_socket(sock, server_hostname=host)
    except ssl.SSLError:
        pass
    finally:
        sock.close()


def h2_request(proxy: int, host: str, path: str, cafile: Path, headers: Sequence[tuple[str, str]] = (),
               body: bytes = b"") -> int:  # fmt: skip
    """One HTTP/2 request over TLS negotiated by ALPN; returns the status."""
    context = ssl.create_default_context(cafile=str(cafile))
    context.set_alpn_protocols(["h2"])
    sock = context.wrap_socket(tunnel(proxy, host, 443), server_hostname=host)
    assert sock.selected_alpn_protocol() == "h2"
    conn = h2.connection.H2Connection()
    conn.initiate_connection()
    stream = conn.get_next_available_stream_id()
    request_headers = [(":method", "POST" if body else "GET"), (":path", path), (":scheme", "https"),
                       (":authority", host), *headers]  # fmt: skip
    conn.send_headers(stream, request_headers, end_stream=not body)
    if body:
        conn.send_data(stream, body, end_stream=True)
    sock.sendall(conn.data_to_send())
    status = 0
    while True:
        data = sock.recv(65536)
        if not data:
            break
        for event in conn.receive_data(data):
            if isinstance(event, h2.events.ResponseReceived):
                status = int(dict(event.headers)[b":status"])
            if isinstance(event, h2.events.StreamEnded | h2.events.StreamReset):
                sock.close()
                return status
        sock.sendall(conn.data_to_send())
    return status


def websocket(proxy: int, port: int, messages: Sequence[str]) -> list[str]:
    """Send text messages over a WebSocket to the upstream (through CONNECT); return the echoes."""
    sock = tunnel(proxy, "127.0.0.1", port)
    ws = WSConnection(ConnectionType.CLIENT)
    sock.sendall(ws.send(Request(host=f"127.0.0.1:{port}", target="/ws")))
    echoes: list[str] = []
    pending = list(messages)
    while True:
        ws.receive_data(sock.recv(65536))
        for event in ws.events():
            if isinstance(event, AcceptConnection | TextMessage):
                if isinstance(event, TextMessage):
                    echoes.append(str(event.data))
                if pending:
                    sock.sendall(ws.send(Message(data=pending.pop(0))))
                elif len(echoes) == len(messages):
                    sock.sendall(ws.send(CloseConnection(code=1000)))
            elif isinstance(event, CloseConnection):
                sock.close()
                return echoes
