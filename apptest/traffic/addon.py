"""mitmproxy addon: write every flow into an evidence bundle and record personal data sent.

Usable on its own:  mitmdump -s apptest/traffic/addon.py --set apptest_bundle=RUN \
                            --set apptest_device=profiles/devices/example-pixel.yaml
(`apptest capture` runs the same addon in-process.)

Analysis runs in a separate process (`apptest_workers`, started with multiprocessing's
"spawn": a Python script that embeds this addon needs the usual `if __name__ ==
"__main__":` guard, or `apptest_workers=0` to analyse inside the proxy).

Unlike mitmproxy's save addon, which writes a flow only when it ends and never flushes,
flows are written at request time and again at response time, flushed each time, so a
killed proxy still leaves every request it forwarded on disk. If the bundle cannot be
written the flow is killed and the proxy stops: traffic never passes unrecorded.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mitmproxy import ctx, exceptions, http

if importlib.util.find_spec("apptest") is None:  # `mitmdump -s` from a checkout, not installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from apptest.errors import UnreadableInput
from apptest.traffic.message import SINKHOLE_MARK
from apptest.traffic.session import TrafficSession, open_session

logger = logging.getLogger(__name__)
OPTIONS = frozenset(
    {
        "apptest_bundle",
        "apptest_device",
        "apptest_operator_domains",
        "apptest_profiles",
        "apptest_sinkhole",
        "apptest_workers",
    }
)
# A WebSocket flow is rewritten whole for each message (the format has no append); past
# WS_ALWAYS messages that is O(n^2), so it is rewritten every WS_EVERY messages, and at
# least once a WS_SECONDS while messages keep coming, and at its end: a killed proxy loses
# at most a second of a long stream, never more than WS_EVERY - 1 messages.
WS_ALWAYS, WS_EVERY, WS_SECONDS = 200, 50, 1.0
SINKHOLE = "apptest_sinkhole"


class Apptest:
    """Writes every flow into the bundle; the session analyses what was written."""

    def __init__(self) -> None:
        self.session: TrafficSession | None = None
        self.pending: dict[str, str] = {}  # client connection id -> host, until a request is read
        self.failed = False
        self.clock = time.monotonic
        self._ws_written: dict[str, float] = {}  # WebSocket flow id -> when it was last written

    def load(self, loader: Any) -> None:
        loader.add_option("apptest_bundle", str | None, None, "Evidence bundle folder to create or extend.")
        loader.add_option(
            "apptest_device", str | None, None, "Device profile YAML with the known values to search for."
        )
        loader.add_option(
            "apptest_operator_domains", Sequence[str], [], "The app operator's own domains (party: first)."
        )
        loader.add_option("apptest_profiles", Sequence[str], [], "A lab's own profile folders.")
        loader.add_option(
            "apptest_sinkhole", bool, False, "Answer every request locally (200 {}); never contact upstream."
        )
        loader.add_option("apptest_seal", bool, True, "Seal the bundle (SHA256SUMS) when the proxy stops.")
        loader.add_option(
            "apptest_workers", int, 1, "Processes that analyse traffic beside the proxy (0: in the proxy itself)."
        )

    def configure(self, updated: set[str]) -> None:
        if SINKHOLE in updated and ctx.options.apptest_sinkhole:
            # Without lazy connections, HTTPS to a host that does not resolve fails before the
            # request is seen, and upstream certificate lookups contact the server.
            lazy = {"connection_strategy": "lazy", "upstream_cert": False}
            ctx.options.update(**{name: value for name, value in lazy.items() if name in ctx.options})
        if not OPTIONS & updated or not ctx.options.apptest_bundle:
            return
        if self.session is not None:
            self.session.close(seal=False)
        opts = ctx.options
        try:
            self.session = open_session(
                Path(opts.apptest_bundle),
                Path(opts.apptest_device) if opts.apptest_device else None,
                [Path(p) for p in opts.apptest_profiles],
                opts.apptest_operator_domains,
                {"sinkhole": opts.apptest_sinkhole, "mode": list(opts.mode)},
                max(0, opts.apptest_workers),
            )
        except (UnreadableInput, OSError) as exc:
            raise exceptions.OptionsError(f"apptest: {exc}") from exc

    def _save(self, flow: Any) -> bool:
        if self.session is None or self.failed:
            if self.failed:
                flow.kill()
            return False
        try:
            self.session.save_flow(flow)
        except OSError as exc:
            self.failed = True
            flow.kill()
            logger.error(f"apptest: cannot write evidence, stopping the proxy: {exc}")
            ctx.master.shutdown()
            return False
        return True

    def request(self, flow: http.HTTPFlow) -> None:
        if not self._save(flow) or self.session is None:
            return
        if ctx.options.apptest_sinkhole:
            flow.response = http.Response.make(200, b"{}", {"content-type": "application/json"})
            flow.metadata[SINKHOLE_MARK] = True
        self.pending.pop(flow.client_conn.id, None)
        self.session.connects(flow.request.pretty_host, True, "http", "", flow.id, flow.request.scheme)

    def response(self, flow: http.HTTPFlow) -> None:
        self._save(flow)

    def error(self, flow: http.HTTPFlow) -> None:
        self._save(flow)

    def websocket_message(self, flow: http.HTTPFlow) -> None:
        count = len(flow.websocket.messages) if flow.websocket is not None else 0
        now = self.clock()
        due = now - self._ws_written.get(flow.id, now) >= WS_SECONDS
        if count <= WS_ALWAYS or count % WS_EVERY == 0 or due:
            self._ws_written[flow.id] = now
            self._save(flow)  # messages are analysed from what is written

    def websocket_end(self, flow: http.HTTPFlow) -> None:
        self._ws_written.pop(flow.id, None)
        self._save(flow)

    def http_connect(self, flow: http.HTTPFlow) -> None:
        self.pending[flow.client_conn.id] = flow.request.host

    def tls_clienthello(self, data: Any) -> None:
        sni = data.client_hello.sni
        if sni:
            self.pending.setdefault(data.context.client.id, sni)

    def tls_failed_client(self, data: Any) -> None:
        host = data.conn.sni or self.pending.get(data.context.client.id) or _address(data.context.server)
        self.pending.pop(data.context.client.id, None)
        if self.session is not None:
            reason = f"client refused the proxy's TLS certificate (pinning or CA not trusted): {data.conn.error}"
            self.session.connects(host, False, "tls_refused", reason)

    def tcp_start(self, flow: Any) -> None:
        self._uninspected(flow, "not_http", "raw TCP, not HTTP: content not decoded")

    def udp_start(self, flow: Any) -> None:
        self._uninspected(flow, "udp", "UDP (QUIC or custom): content not decoded")

    def _uninspected(self, flow: Any, kind: str, reason: str) -> None:
        host = flow.server_conn.sni or _address(flow.server_conn)
        self.pending.pop(flow.client_conn.id, None)
        if self._save(flow) and self.session is not None:  # the observation's evidence must exist
            self.session.connects(host, False, kind, reason, flow.id)

    def tcp_end(self, flow: Any) -> None:
        self._save(flow)  # the bytes are evidence even if nobody can decode them

    tcp_error = udp_end = udp_error = tcp_end

    def client_disconnected(self, client: Any) -> None:
        host = self.pending.pop(client.id, None)
        if host and self.session is not None:
            self.session.connects(host, False, "no_request", "connection closed before any readable request")

    def done(self) -> None:
        if self.session is not None:
            self.session.close(seal=ctx.options.apptest_seal)
            self.session = None


def _address(conn: Any) -> str:
    address = getattr(conn, "address", None)
    return str(address[0]) if address else ""


addons = [Apptest()]
