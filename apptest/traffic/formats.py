"""Recognisers for the wire formats the decoder unwraps: JSON, base64, protobuf, text.

Each answers "is this really that format?" cheaply and strictly, because the decoder asks
it of every string in a message: a loose test would waste the proxy's time on random
tokens and report nonsense layers (`base64` of an MD5 digest).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

HEX = re.compile(r"[0-9a-fA-F]+")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FAIL = object()


def latin(text: str) -> str:
    """A Python string as its UTF-8 bytes in the latin-1 domain (ASCII passes unchanged)."""
    return text if text.isascii() else text.encode("utf-8", "surrogatepass").decode("latin-1")


def readable(data: bytes) -> bool:
    """UTF-8 text with (almost) no control characters: a decoding step that made sense."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return bool(text) and len(CONTROL.findall(text)) * 20 <= len(text)


def parse_json(text: str) -> Any:
    """The parsed document, or FAIL (JSON may legitimately be `null` or `false`)."""
    try:
        return json.loads(text.encode("latin-1"))
    except (ValueError, RecursionError):
        return FAIL


def unbase64(text: str) -> bytes | None:
    """Standard or URL-safe base64, padded or not; None when it is neither."""
    cleaned = text.rstrip("=")
    padded = cleaned + "=" * (-len(cleaned) % 4)
    try:
        if "-" in cleaned or "_" in cleaned:
            return base64.urlsafe_b64decode(padded)
        return base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return None


_TEXT_LEAD = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef")  # first char of a group when byte 0 < 0x80
_MAGIC_B64 = ("H4sI", "KLUv", "eJ", "eN", "eF", "eA")  # gzip, zstd, zlib headers in base64


def looks_base64(text: str) -> bool:
    """Worth a trial decode: compressed data, ASCII-like text, or a long blob.

    Base64 of ASCII text starts every 4-character group with A-Z or a-f (the byte's top
    bit is 0); a random token does so only half the time. Tokens and ids that merely use
    the base64 alphabet are everywhere in SDK traffic, and decoding each would cost the
    proxy more than the rest of the analysis. Long blobs (>= 64) are always tried: that is
    where protobuf and nested payloads hide.
    """
    if len(text) >= 64 or text.startswith(_MAGIC_B64):
        return True
    leads = text[::4]
    return sum(map(_TEXT_LEAD.__contains__, leads)) * 4 >= len(leads) * 3


_HEX_TEXT_LEAD = frozenset("234567")  # high nibble of printable ASCII
_MAGIC_HEX = ("1f8b", "28b52ffd", "7801", "785e", "789c", "78da")


def looks_hex_text(text: str) -> bool:
    """Hex worth decoding: of ASCII text (every byte's high nibble 2-7) or compressed data.

    MD5/SHA digests are hex too, and far more common; they fail this test."""
    if len(text) % 2 or text.isdigit():
        return False
    if text.lower().startswith(_MAGIC_HEX):
        return True
    leads = text[::2]
    return sum(map(_HEX_TEXT_LEAD.__contains__, leads)) * 4 >= len(leads) * 3


def worth_decoding(token: str) -> bool:
    """A token in the base64/hex alphabet that may be a layer rather than an opaque id."""
    return looks_hex_text(token) if HEX.fullmatch(token) else looks_base64(token)


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while pos < len(data) and shift < 64:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
    raise ValueError("bad varint")


def proto_fields(data: bytes) -> list[tuple[int, bytes]] | None:
    """Length-delimited fields of a protobuf message, or None when `data` is not one.

    Strict: the whole buffer must parse with valid wire types, so random binary rarely
    passes; scalar fields are skipped (the raw byte search still sees them).
    """
    fields: list[tuple[int, bytes]] = []
    pos, end = 0, len(data)
    try:
        while pos < end:
            key, pos = _varint(data, pos)
            wire, number = key & 7, key >> 3
            if number == 0:
                return None
            if wire == 0:
                _, pos = _varint(data, pos)
            elif wire == 1:
                pos += 8
            elif wire == 5:
                pos += 4
            elif wire == 2:
                size, pos = _varint(data, pos)
                if pos + size > end:
                    return None
                fields.append((number, data[pos : pos + size]))
                pos += size
            else:
                return None
    except ValueError:
        return None
    return fields if pos == end and fields else None


_PROTO_FIRST = frozenset((number << 3) | wire for number in range(1, 16) for wire in (0, 2))


def is_proto(data: bytes) -> bool:
    """A protobuf message worth walking: it starts like one (field 1-15, varint or bytes)."""
    return len(data) >= 8 and data[0] in _PROTO_FIRST and proto_fields(data) is not None
