"""A whole message into leaves: path, query, headers, cookies and body, each fully unwrapped.

The message-level part of decoding: which parts of a request or response carry data,
how the body's content-encoding and content-type are honoured (bounded, see layers.py),
and which headers are skipped because they never carry personal data.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from apptest.traffic.formats import latin
from apptest.traffic.layers import MIN_LEAF, Decoded, Limits, Walk
from apptest.traffic.message import Message

_SKIP_HEADERS = frozenset(
    (
        "host", "content-length", "content-type", "accept", "accept-encoding", "accept-language",
        "connection", "content-encoding", "transfer-encoding", "date", "cache-control", "pragma",
        "upgrade", "keep-alive", "te", "sec-websocket-key", "sec-websocket-accept",
        "sec-websocket-version", "sec-websocket-extensions", "if-modified-since", "last-modified",
        "expires", "vary", "etag", "server",
    )
)  # fmt: skip
_BOUNDARY = re.compile(r'boundary="?([^";,]+)"?', re.I)


def decode_message(msg: Message, limits: Limits | None = None) -> Decoded:
    """Every leaf of a message: path, query, headers, cookies and body, each fully unwrapped."""
    walk = Walk(limits or Limits())
    if msg.direction == "request":
        _path(walk, latin(msg.path))
        if msg.query:
            query = latin(msg.query)
            walk.emit(query, (), "query", "")
            walk.form(query, (), "query", 1)
    for name, val in msg.headers:
        if name in _SKIP_HEADERS:
            continue
        if name in ("cookie", "set-cookie"):
            for pair in val.split(";")[:1] if name == "set-cookie" else val.split(";"):
                cname, _, cval = pair.strip().partition("=")
                walk.value(latin(cval), (), "cookie", cname, 1)
        else:
            walk.value(latin(val), (), "header", name, 1)
    _body(walk, msg)
    return walk.out


def _path(walk: Walk, path: str) -> None:
    if "%" in path:
        walk.emit(unquote_to_bytes(path).decode("latin-1"), ("urldecode",), "path", "")
    for segment in path.split("/"):
        if len(segment) >= 12:
            walk.value(segment, (), "path", "", 1)
        elif len(segment) >= MIN_LEAF:
            walk.emit(segment, (), "path", "")


def _body(walk: Walk, msg: Message) -> None:
    body = msg.body
    if not body:
        return
    if len(body) > walk.lim.max_body:
        walk.hit(f"body: only the first {walk.lim.max_body} of {len(body)} bytes inspected")
        body = body[: walk.lim.max_body]
    headers = dict(msg.headers)
    chain: tuple[str, ...] = ()
    for codec in reversed([c for c in headers.get("content-encoding", "").split(",") if c.strip()]):
        codec = codec.strip().lower()
        if codec == "identity":
            continue
        out = walk.inflate(body, codec, "body")
        if out is None:
            walk.hit(f"body: content-encoding {codec} did not decode; raw bytes searched")
            break
        body, chain = out, (*chain, codec)
    ctype = headers.get("content-type", "").lower()
    boundary = _BOUNDARY.search(headers.get("content-type", ""))
    if ctype.startswith("multipart/") and boundary:
        walk.emit(body.decode("latin-1"), chain, "body", "")
        walk.multipart(body, boundary.group(1), (*chain, "multipart"), 1)
    elif ctype.startswith("application/x-www-form-urlencoded") and b"=" in body:
        text = body.decode("latin-1")
        walk.emit(text, chain, "body", "", "form")
        walk.form(text, (*chain, "form"), "body", 1)
    else:
        walk.value(body.decode("latin-1"), chain, "body", "", 0)
