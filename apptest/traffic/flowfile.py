"""mitmproxy flow files: written fast, read while they grow, read when cut short or damaged.

mitmproxy's own reader stops at the first bad byte and raises, losing the flows after it
— and a capture killed mid-write (the very case evidence must survive) always ends with a
partial record. Here a bad region is reported with its byte offset and reading resumes
at the next record that parses as a whole flow.

apptest's capture writes each flow several times (request complete, response complete,
WebSocket messages), so a crash between two writes still leaves the first on disk; a
reader keeps the latest state of each flow id, in order of first appearance. The live
analysis process reads the same file as it grows (`FlowTail`), so live and offline
analysis see exactly the same evidence.
"""

from __future__ import annotations

import copy
import dataclasses
import enum
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import IO, Any

from mitmproxy import certs, http
from mitmproxy import flow as mflow
from mitmproxy.io import compat, tnetstring
from mitmproxy.version import FLOW_FORMAT_VERSION

_PREFIX = re.compile(rb"([0-9]{1,12}):")
_RECORD_START = re.compile(rb"[0-9]{1,12}:[0-9]{1,2}:[a-z_]{2,40};")
MAX_RESYNC_TRIES = 100_000


def encode(value: Any) -> bytes:
    """tnetstring, byte for byte as mitmproxy writes it (dict items last to first), ~2x faster.

    The proxy writes every flow twice while the app waits; mitmproxy's encoder builds the
    output chunk by chunk in Python. tests/traffic/test_flowfile.py checks the bytes are
    identical to mitmproxy's own, so files stay readable by any mitmproxy tool.
    """
    kind = type(value)
    if kind is str:
        data = value.encode()
        return b"%d:%b;" % (len(data), data)
    if kind is bytes:
        return b"%d:%b," % (len(value), value)
    if kind is dict:
        body = b"".join([encode(k) + encode(v) for k, v in reversed(value.items())])
        return b"%d:%b}" % (len(body), body)
    if value is None:
        return b"0:~"
    if value is True:
        return b"4:true!"
    if value is False:
        return b"5:false!"
    if kind is int:
        data = b"%d" % value
        return b"%d:%b#" % (len(data), data)
    if kind is float:
        data = repr(value).encode()
        return b"%d:%b^" % (len(data), data)
    if kind is list or kind is tuple:
        body = b"".join([encode(item) for item in value])
        return b"%d:%b]" % (len(body), body)
    if kind is _Encoded:
        return value
    raise ValueError(f"unserializable object: {value!r} ({kind})")


class _Encoded(bytes):
    """A value already in tnetstring form, passed through by `encode`."""


_UNCACHEABLE = object()
_ATOMS = frozenset({str, bytes, int, float, bool, type(None)})  # mitmproxy coerces numbers to the field's type


def _frozen(value: Any) -> Any:
    """A copy of `value` that compares equal exactly when its state would, or _UNCACHEABLE."""
    kind = type(value)
    if kind in _ATOMS or isinstance(value, (enum.Enum, certs.Cert)):
        return value
    if kind is list or kind is tuple:
        items = tuple(_frozen(item) for item in value)
        return _UNCACHEABLE if any(item is _UNCACHEABLE for item in items) else (kind, items)
    params = getattr(kind, "__dataclass_params__", None)
    if params is not None and params.frozen:
        return value
    return _UNCACHEABLE


@cache
def _state_fields(kind: Any) -> tuple[str, ...]:
    """The fields mitmproxy's SerializableDataclass.get_state writes, in its order."""
    return tuple(f.name for f in dataclasses.fields(kind) if f.metadata.get("serialize", True) is not False)


class FlowEncoder:
    """`encode(flow.get_state())`, reusing each connection's encoding while it is unchanged.

    Every HTTP flow is written at least twice while the app waits, and most of a write's
    cost is the two connections: mitmproxy serialises a dataclass by inspecting its type
    hints on every call. A keep-alive connection carries many flows and rarely changes, so
    its encoding is kept and reused as long as every serialised field compares equal to
    the copy taken when it was encoded; a field of a type not known to be immutable means
    no reuse. tests/traffic/test_flowfile.py checks the bytes equal mitmproxy's own.
    """

    def __init__(self, limit: int = 4096) -> None:
        self.limit = limit
        self._conns: OrderedDict[str, tuple[tuple[Any, ...], _Encoded]] = OrderedDict()

    def encode(self, flow: Any) -> bytes:
        if type(flow) is not http.HTTPFlow or getattr(flow, "_backup", None) is not None:
            return encode(flow.get_state())
        state = {
            "version": FLOW_FORMAT_VERSION,
            "type": flow.type,
            "id": flow.id,
            "error": flow.error.get_state() if flow.error else None,
            "client_conn": self._connection(flow.client_conn),
            "server_conn": self._connection(flow.server_conn),
            "intercepted": flow.intercepted,
            "is_replay": flow.is_replay,
            "marked": flow.marked,
            "metadata": copy.deepcopy(flow.metadata),
            "comment": flow.comment,
            "timestamp_created": flow.timestamp_created,
            "backup": None,
            "request": flow.request.get_state(),
            "response": flow.response.get_state() if flow.response else None,
            "websocket": flow.websocket.get_state() if flow.websocket else None,
        }
        return encode(state)

    def _connection(self, conn: Any) -> Any:
        snapshot = tuple(_frozen(getattr(conn, name)) for name in _state_fields(conn.__class__))
        if any(value is _UNCACHEABLE for value in snapshot):
            return conn.get_state()
        cached = self._conns.get(conn.id)
        if cached is not None and cached[0] == snapshot:
            self._conns.move_to_end(conn.id)
            return cached[1]
        encoded = _Encoded(encode(conn.get_state()))
        self._conns[conn.id] = (snapshot, encoded)
        if len(self._conns) > self.limit:
            self._conns.popitem(last=False)
        return encoded


def _parse(view: memoryview, pos: int) -> tuple[Any, int]:
    """One flow at `pos` and the offset after it; raises on anything that is not one."""
    value, rest = tnetstring.pop(view[pos:])
    if not isinstance(value, dict):
        raise ValueError("not a flow record")
    parsed = mflow.Flow.from_state(compat.migrate_flow(value))
    return parsed, len(view) - len(rest)


def _complete(buf: bytes, pos: int) -> bool:
    """Whether the record starting at `pos` is wholly in `buf` (a bad prefix counts as complete:
    it will fail to parse and be reported)."""
    prefix = _PREFIX.match(buf, pos)
    if prefix is None:
        return not (len(buf) - pos <= 12 and buf[pos:].isdigit())
    return prefix.end() + int(prefix.group(1)) + 1 <= len(buf)


def _resync(view: memoryview, buf: bytes, start: int) -> int | None:
    """The next offset after `start` where a whole flow parses, or None.

    A record cut short may end in digits that run into the next record's length prefix
    (`…94668120` + `1420:9:websocket;`), so every suffix of a candidate's digits is tried.
    """
    for tries, found in enumerate(_RECORD_START.finditer(buf, start)):
        if tries >= MAX_RESYNC_TRIES:
            return None
        colon = buf.index(b":", found.start())
        for offset in range(found.start(), colon):
            try:
                _parse(view, offset)
            except Exception:  # any failure means "not a record start"
                continue
            return offset
    return None


class FlowTail:
    """Flows appended to a file, returned as their records become complete.

    `poll()` returns what is new. A record still being written is left for the next poll;
    with `final=True` (the writer has stopped) whatever remains is parsed or reported.
    """

    def __init__(self, path: Path, offset: int = 0) -> None:
        self.path = Path(path)
        self.offset = offset  # file offset of the first byte not yet consumed
        self.errors: list[str] = []
        self.count = 0
        self._buf = b""
        self._handle: IO[bytes] | None = None

    def poll(self, final: bool = False) -> list[Any]:
        if self._handle is None:
            if not self.path.exists():
                return []
            self._handle = open(self.path, "rb")  # noqa: SIM115 - kept open while the file grows
            self._handle.seek(self.offset)
        self._buf += self._handle.read()
        buf, out, pos = self._buf, [], 0
        view = memoryview(buf)
        while pos < len(buf):
            if not final and not _complete(buf, pos):
                break
            try:
                parsed, pos = _parse(view, pos)
            except Exception as exc:  # a hostile or damaged file may raise anything
                resume = _resync(view, buf, pos + 1)
                if resume is None and not final:
                    break  # maybe the next record is still being written
                reason = str(exc).split(":", 1)[0] or exc.__class__.__name__
                where = f"byte {self.offset + pos}"
                tail = f"resumed at byte {self.offset + resume}" if resume is not None else "nothing readable after it"
                self.errors.append(
                    f"{self.path}: unreadable flow data at {where} after {self.count} flows ({reason}); {tail}"
                )
                pos = resume if resume is not None else len(buf)
                continue
            self.count += 1
            out.append(parsed)
        view.release()
        self.offset += pos
        self._buf = buf[pos:]
        return out

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


@dataclass
class FlowRead:
    flows: list[Any] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def read_flow_file(path: Path) -> FlowRead:
    """Every flow of a finished file (latest state per id, first-seen order) and the errors."""
    tail = FlowTail(path)
    latest: dict[str, Any] = {}
    try:
        for parsed in tail.poll(final=True):
            latest[parsed.id] = parsed
    finally:
        tail.close()
    return FlowRead(list(latest.values()), tail.errors)
