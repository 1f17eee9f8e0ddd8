"""One message as the detectors see it: a request, a response or a WebSocket message.

Live capture (mitmproxy flows), saved flow files and HAR exports all become `Message`s, so
decoding and detection never depend on where the traffic came from. Bodies are kept as
sent on the wire (`raw_content`, still gzip'd): mitmproxy's own `content` property
decompresses without a bound, and a decompression bomb must hit *our* limits instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from mitmproxy import http

Direction = Literal["request", "response", "websocket"]
SINKHOLE_MARK = "apptest_sinkhole"  # flow.metadata key: the proxy answered; nobody upstream sent it


@dataclass(frozen=True)
class Message:
    """What one direction of one exchange carried, plus where it went."""

    flow_id: str
    ts: float
    direction: Direction
    method: str
    url: str
    host: str
    scheme: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    path: str = ""
    query: str = ""
    index: int | None = None
    from_client: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


def _headers(headers: Any) -> tuple[tuple[str, str], ...]:
    return tuple((k.lower(), v) for k, v in headers.items(multi=True))


def split_url(url: str) -> tuple[str, str, str, str]:
    """(scheme, host, path, query) of a URL; the path keeps its percent-encoding."""
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or ""), parts.path, parts.query


def request_message(flow: http.HTTPFlow) -> Message:
    req = flow.request
    return Message(
        flow_id=flow.id,
        ts=req.timestamp_start,
        direction="request",
        method=req.method,
        url=req.pretty_url,
        host=req.pretty_host,
        scheme=req.scheme,
        headers=_headers(req.headers),
        body=req.raw_content or b"",
        path=req.path.split("?", 1)[0],
        query=req.path.split("?", 1)[1] if "?" in req.path else "",
    )


def response_message(flow: http.HTTPFlow) -> Message | None:
    if flow.response is None:
        return None
    req, resp = flow.request, flow.response
    return Message(
        flow_id=flow.id,
        ts=resp.timestamp_end or resp.timestamp_start or req.timestamp_start,
        direction="response",
        method=req.method,
        url=req.pretty_url,
        host=req.pretty_host,
        scheme=req.scheme,
        headers=_headers(resp.headers),
        body=resp.raw_content or b"",
    )


def websocket_message(flow: http.HTTPFlow, index: int) -> Message | None:
    if flow.websocket is None or not -len(flow.websocket.messages) <= index < len(flow.websocket.messages):
        return None
    msg = flow.websocket.messages[index]
    req = flow.request
    return Message(
        flow_id=flow.id,
        ts=msg.timestamp,
        direction="websocket",
        method=req.method,
        url=req.pretty_url,
        host=req.pretty_host,
        scheme=req.scheme,
        body=msg.content,
        index=index % len(flow.websocket.messages),
        from_client=msg.from_client,
    )


def messages_of_flow(flow: Any) -> list[Message]:
    """Every message of a saved HTTP flow (other flow types carry no HTTP to decode)."""
    from mitmproxy import http

    if not isinstance(flow, http.HTTPFlow):
        return []
    out = [request_message(flow)]
    resp = response_message(flow)
    if resp is not None and not flow.metadata.get(SINKHOLE_MARK):
        out.append(resp)
    if flow.websocket is not None:
        for index in range(len(flow.websocket.messages)):
            ws = websocket_message(flow, index)
            if ws is not None:
                out.append(ws)
    return out
