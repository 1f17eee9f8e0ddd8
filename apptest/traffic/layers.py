"""The layer walker: one value in, every decodable layer of it out, each as a leaf.

SDKs hide identifiers behind layers — base64 of gzip of JSON inside a form field inside a
URL-encoded body — so the detectors must see every layer, each labelled with how it was
reached (`form>urldecode>json`), because "where and how it was sent" is part of the
evidence. Every layer is also kept as it is (a leaf), so values that no decoder
understands (protobuf, custom binary) are still found by a raw byte search.

Text is kept in the *latin-1 domain*: bytes map 1:1 to code points, so binary bodies can
be searched, and known values are turned into the same domain (their UTF-8 and GBK bytes).

Walking is pure and bounded: depth, bytes produced, decompression ratio and leaf count
are limited, and a limit that was hit is reported (`Decoded.limits`) so the message
counts as *partly inspected*, never as clean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import unquote_to_bytes

from apptest.traffic.compress import CorruptData, inflate, sniff_codec
from apptest.traffic.formats import (
    CONTROL,
    FAIL,
    is_proto,
    latin,
    parse_json,
    proto_fields,
    readable,
    unbase64,
    worth_decoding,
)

MIN_LEAF = 6  # nothing shorter can hold a known value or a validated pattern
MIN_ENCODED = 16  # base64/hex shorter than this is far more often a random token than a layer
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,2000}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_TOKEN = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")  # the base64 (either alphabet) and hex alphabets
_HEX = re.compile(r"[0-9a-fA-F]+")
_INERT = re.compile(r"[\x20-\x24\x26-\x3c\x3e-\x5a\x5c-\x7a\x7c-\x7e]{0,15}")  # MIN_ENCODED - 1
_PCT = re.compile(r"%[0-9A-Fa-f]{2}")
_FORM = re.compile(r"[^=&\s]+=[^&\s]*(?:&+[^=&\s]+=[^&\s]*)*&?")
_PART_NAME = re.compile(r'name="([^"]*)"', re.I)


class Leaf(NamedTuple):
    """One decoded piece: its text (latin-1 domain), how it was reached, and where."""

    @property
    def steps(self) -> tuple[str, ...]:
        """The chain to a hit inside this text (a container adds the format it parsed as)."""
        return (*self.chain, self.inner) if self.inner else self.chain

    text: str
    chain: tuple[str, ...]
    location: str  # path | query | header | cookie | body
    key: str  # the nearest field name (JSON key, form field, header, cookie name)
    inner: str = ""  # the format this text parsed as (json, form): a hit in it was reached through it


@dataclass(frozen=True)
class Limits:
    """Bounds on the work one message may cost; defaults fit a proxy in the app's path."""

    max_depth: int = 8
    max_body: int = 8 << 20
    max_expand: int = 32 << 20
    max_ratio: int = 200
    max_leaves: int = 20_000


@dataclass
class Decoded:
    leaves: list[Leaf] = field(default_factory=list)
    limits: list[str] = field(default_factory=list)


class Walk:
    """The state of decoding one message: leaves so far, bytes produced, limits hit."""

    def __init__(self, limits: Limits) -> None:
        self.lim = limits
        self.out = Decoded()
        self.produced = 0
        self.full = False

    def hit(self, what: str) -> None:
        if what not in self.out.limits:
            self.out.limits.append(what)

    def emit(self, text: str, chain: tuple[str, ...], loc: str, key: str, inner: str = "") -> bool:
        if self.full:
            return False
        if len(self.out.leaves) >= self.lim.max_leaves or self.produced + len(text) > self.lim.max_expand:
            self.full = True
            self.hit(f"decoding stopped: more than {self.lim.max_leaves} pieces or {self.lim.max_expand} bytes")
            return False
        self.produced += len(text)
        self.out.leaves.append(Leaf(text, chain, loc, key, inner))
        return True

    def inflate(self, data: bytes, codec: str, where: str) -> bytes | None:
        room = max(0, self.lim.max_expand - self.produced)
        limit = min(room, max(len(data) * self.lim.max_ratio, 1 << 16))
        try:
            result = inflate(data, codec, limit)
        except CorruptData:
            return None
        if result.truncated:
            self.hit(f"{where}: {codec} output cut at {len(result.data)} bytes (ratio/size limit)")
        return result.data

    # --- one value, any layer ---------------------------------------------------------
    def value(self, text: str, chain: tuple[str, ...], loc: str, key: str, depth: int, quiet: bool = False) -> None:
        """Emit `text` as a leaf and unwrap it.

        `quiet`: the text is already verbatim inside an emitted container, so it needs no
        leaf of its own — except as a JSON or form container itself, whose leaf carries the
        `json`/`form` step into the chain of what is found in it."""
        if len(text) < MIN_LEAF:
            return
        found = self._step(text, chain, loc, key, depth)
        if found is None:
            if not quiet:
                self.emit(text, chain, loc, key)
            return
        label, step = found
        container = label in ("json", "form")
        if (container or not quiet) and not self.emit(text, chain, loc, key, label if container else ""):
            return
        if depth >= self.lim.max_depth:
            self.hit(f"{loc}: nesting deeper than {self.lim.max_depth} layers not decoded")
            return
        step()

    def _step(self, text: str, chain: tuple[str, ...], loc: str, key: str, depth: int) -> Any:
        """(label, thunk) of the one decoder that applies to `text`, or None.

        Called for every string of every message, so the common case — an id or token in
        the base64 alphabet — is settled first by one regex and a cheap shape test.
        """
        nxt = depth + 1
        if len(text) >= MIN_ENCODED and _TOKEN.fullmatch(text):
            return self._token(text, chain, loc, key, nxt) if worth_decoding(text) else None
        head = text[0] if text[0] not in " \t\r\n" else text.lstrip()[:1]
        if head in ("{", "["):
            parsed = parse_json(text)
            if parsed is not FAIL:
                return "json", lambda: self.json(parsed, text, (*chain, "json"), loc, key, nxt)
        if ".eyJ" in text:  # a JWT's payload segment; cheap to rule out in base64 blobs
            jwt = _JWT.search(text)
            if jwt:
                return "jwt", lambda: self.jwt(jwt.group(0), (*chain, "jwt"), loc, key, nxt)
        if "=" in text and _FORM.fullmatch(text):
            return "form", lambda: self.form(text, (*chain, "form"), loc, nxt)
        if "%" in text and _PCT.search(text):
            plain = unquote_to_bytes(text).decode("latin-1")
            return "urldecode", lambda: self.value(plain, (*chain, "urldecode"), loc, key, nxt)
        if not (text.isascii() and text.isprintable()) and CONTROL.search(text):
            data = text.encode("latin-1")
            codec = sniff_codec(data)
            if codec:
                return codec, lambda: self.compressed(data, codec, chain, loc, key, nxt)
            if len(data) <= 1 << 20 and is_proto(data):
                return "protobuf", lambda: self.protobuf(data, (*chain, "protobuf"), loc, nxt)
        return None

    def _token(self, text: str, chain: tuple[str, ...], loc: str, key: str, depth: int) -> Any:
        """Hex or base64 that decodes to text, compressed data or protobuf; else None."""
        if _HEX.fullmatch(text):
            raw = bytes.fromhex(text)
            if readable(raw) or sniff_codec(raw):
                return "hex", lambda: self.binary(raw, (*chain, "hex"), loc, key, depth)
            return None
        decoded = unbase64(text)
        if decoded is not None and (readable(decoded) or sniff_codec(decoded) or is_proto(decoded)):
            return "base64", lambda: self.binary(decoded, (*chain, "base64"), loc, key, depth)
        return None

    def binary(self, data: bytes, chain: tuple[str, ...], loc: str, key: str, depth: int) -> None:
        codec = sniff_codec(data)
        if codec and not readable(data):
            self.compressed(data, codec, chain, loc, key, depth)
        else:
            self.value(data.decode("latin-1"), chain, loc, key, depth)

    def compressed(self, data: bytes, codec: str, chain: tuple[str, ...], loc: str, key: str, depth: int) -> None:
        out = self.inflate(data, codec, loc)
        if out is not None:
            self.value(out.decode("latin-1"), (*chain, codec), loc, key, depth)

    def json(self, doc: Any, raw: str, chain: tuple[str, ...], loc: str, key: str, depth: int) -> None:
        """Every string of a document; strings that are verbatim in `raw` (no escapes, nothing
        to decode) are not repeated: a hit in the container leaf is reported through `json`."""
        verbatim = "\\" not in raw
        stack: list[tuple[Any, str]] = [(doc, key)]
        while stack and not self.full:
            node, name = stack.pop()
            pairs = node.items() if isinstance(node, dict) else ((name, item) for item in node)
            for field_name, item in pairs:
                kind = type(item)
                if kind is str:
                    if len(item) >= MIN_LEAF and not (verbatim and _settled(item)):
                        self.value(latin(item), chain, loc, str(field_name), depth, verbatim)
                elif kind is dict or kind is list:
                    stack.append((item, str(field_name)))

    def jwt(self, token: str, chain: tuple[str, ...], loc: str, key: str, depth: int) -> None:
        for segment in token.split(".")[:2]:
            decoded = unbase64(segment)
            if decoded is not None:
                self.value(decoded.decode("latin-1"), chain, loc, key, depth)

    def form(self, text: str, chain: tuple[str, ...], loc: str, depth: int) -> None:
        for pair in text.split("&"):
            name, _, val = pair.partition("=")
            if "%" in val or "+" in val:
                plain = unquote_to_bytes(val.replace("+", " ")).decode("latin-1")
                self.value(plain, (*chain, "urldecode"), loc, field_name(name), depth)
            elif not _inert(val):
                self.value(val, chain, loc, field_name(name), depth, quiet=True)

    def protobuf(self, data: bytes, chain: tuple[str, ...], loc: str, depth: int) -> None:
        for number, payload in proto_fields(data) or ():
            self.binary(payload, chain, loc, f"#{number}", depth)

    def multipart(self, body: bytes, boundary: str, chain: tuple[str, ...], depth: int) -> None:
        for part in body.split(b"--" + boundary.encode("latin-1")):
            head, sep, content = part.partition(b"\r\n\r\n")
            if not sep:
                continue
            name = _PART_NAME.search(head.decode("latin-1"))
            self.binary(content.removesuffix(b"\r\n"), chain, "body", name.group(1) if name else "", depth)


def _settled(text: str) -> bool:
    """Verbatim in its container and nothing to decode: the common id or short word."""
    if len(text) < MIN_ENCODED:
        return _INERT.fullmatch(text) is not None
    return _TOKEN.fullmatch(text) is not None and not worth_decoding(text)


def _inert(text: str) -> bool:
    """Short printable text no decoder applies to: nothing to gain from a leaf of its own.

    (Printable ASCII shorter than MIN_ENCODED without `{ [ = %`: not JSON, form, URL-encoded,
    base64 or hex by the decoder's own rules, and too short for a JWT.)"""
    return _INERT.fullmatch(text) is not None


def field_name(raw: str) -> str:
    return unquote_to_bytes(raw.replace("+", " ")).decode("latin-1") if "%" in raw or "+" in raw else raw
