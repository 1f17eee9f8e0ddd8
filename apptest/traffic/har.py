"""HAR exports (Charles, Fiddler, Chrome, HTTP Toolkit, Burp) as messages, entry by entry.

Tools disagree on the details of HAR 1.2: Fiddler prepends a BOM, Chrome leaves out
the Cookie header but fills `cookies`, some put binary bodies in base64 with an
`encoding` field, aborted entries lack a response, and an export interrupted by a crash
is cut off mid-entry. mitmproxy's own HAR reader rejects the whole file on the first
problem; here each entry stands alone: a bad entry is reported by number and the others
are analysed, and a truncated file yields every entry before the cut.

HAR bodies are stored already decompressed, so `content-encoding` is dropped: decoding
them again would fail and look like a decoding limit.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from apptest.traffic.message import Message, split_url

_DROP = frozenset({"content-encoding", "content-length", "transfer-encoding"})


def _headers(items: Any) -> tuple[tuple[str, str], ...]:
    out = []
    for item in items or ():
        if isinstance(item, dict) and "name" in item:
            out.append((str(item["name"]).lower(), str(item.get("value", ""))))
        elif isinstance(item, list | tuple) and len(item) == 2:
            out.append((str(item[0]).lower(), str(item[1])))
    return tuple(h for h in out if h[0] not in _DROP and not h[0].startswith(":"))


def _text(block: dict[str, Any] | None) -> bytes:
    """A postData or content block's bytes (text, base64 text, or form params)."""
    if not block:
        return b""
    text = block.get("text")
    if text is None and block.get("params"):
        return urlencode([(p.get("name", ""), p.get("value", "")) for p in block["params"]]).encode()
    if not isinstance(text, str):
        return b""
    if block.get("encoding") == "base64" or block.get("_encoding") == "base64":
        try:
            return base64.b64decode(text)
        except (binascii.Error, ValueError):
            return text.encode("utf-8", "surrogateescape")
    return text.encode("utf-8", "surrogateescape")


def _ts(entry: dict[str, Any]) -> float:
    try:
        return datetime.fromisoformat(str(entry["startedDateTime"]).replace("Z", "+00:00")).timestamp()
    except (KeyError, ValueError):
        return 0.0


def entry_messages(entry: dict[str, Any], flow_id: str) -> list[Message]:
    """The request and (when present) the response of one HAR entry."""
    request = entry["request"]
    url, method = str(request["url"]), str(request.get("method", "GET"))
    scheme, host, path, query = split_url(url)
    headers = _headers(request.get("headers"))
    if request.get("cookies") and not any(name == "cookie" for name, _ in headers):
        cookie = "; ".join(f"{c.get('name', '')}={c.get('value', '')}" for c in request["cookies"])
        headers = (*headers, ("cookie", cookie))
    ts = _ts(entry)
    out = [
        Message(
            flow_id, ts, "request", method, url, host, scheme, headers, _text(request.get("postData")),
            path=path, query=query,
        )
    ]  # fmt: skip
    response = entry.get("response")
    if isinstance(response, dict) and response.get("status", 0):
        elapsed = entry.get("time")
        ended = ts + max(0.0, float(elapsed)) / 1000 if isinstance(elapsed, int | float) else ts
        headers = _headers(response.get("headers"))
        out.append(
            Message(flow_id, ended, "response", method, url, host, scheme, headers, _text(response.get("content")))
        )
    return out


def _entries(text: str, errors: list[str], path: Path) -> list[Any]:
    """All entries of a HAR document; from a damaged one, every entry before the damage."""
    try:
        doc = json.loads(text)
        entries = doc["log"]["entries"]
        if not isinstance(entries, list):
            raise TypeError("log.entries is not a list")
        return entries
    except (ValueError, KeyError, TypeError) as exc:
        start = text.find('"entries"')
        bracket = text.find("[", start) if start >= 0 else -1
        if bracket < 0:
            errors.append(f"{path}: not a HAR file ({exc.__class__.__name__}: {exc})")
            return []
    decoder, pos = json.JSONDecoder(), bracket + 1
    salvaged: list[Any] = []
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            break
        try:
            entry, pos = decoder.raw_decode(text, pos)
        except ValueError:
            errors.append(f"{path}: HAR damaged or cut off at character {pos}; {len(salvaged)} entries read before it")
            break
        salvaged.append(entry)
    return salvaged


def read_har(path: Path) -> tuple[list[list[Message]], list[str]]:
    """Messages grouped per entry (one entry = one flow), and what could not be read."""
    errors: list[str] = []
    text = path.read_bytes().decode("utf-8-sig", "replace")
    flows = []
    for number, entry in enumerate(_entries(text, errors, path)):
        try:
            flows.append(entry_messages(entry, f"{path.name}#{number}"))
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            errors.append(f"{path}: entry {number} unreadable ({exc.__class__.__name__}: {exc})")
    return flows, errors
