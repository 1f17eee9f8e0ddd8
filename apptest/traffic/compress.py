"""Bounded decompression: gzip, deflate, brotli, zstd, never more than the budget allows.

An app (or a hostile server) can send a few kilobytes that inflate to gigabytes. The proxy
sits in the app's path, so a decompression bomb must neither exhaust memory nor stall the
event loop: every decoder here stops at `limit` output bytes and says that it stopped, and
the caller inspects what was produced and reports the limit as evidence ("partly
inspected"), instead of crashing or silently skipping the body.
"""

from __future__ import annotations

import zlib
from typing import NamedTuple

import brotli
import zstandard

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_ZLIB_HEADERS = (b"\x78\x01", b"\x78\x5e", b"\x78\x9c", b"\x78\xda")


class Inflated(NamedTuple):
    """Output of one decompression step; `truncated` means the limit stopped it."""

    data: bytes
    truncated: bool


class CorruptData(ValueError):
    """The input is not valid for the codec (not an error of the app: just not that codec)."""


def _zlib(data: bytes, wbits: int, limit: int) -> Inflated:
    engine = zlib.decompressobj(wbits)
    try:
        out = engine.decompress(data, limit)
    except zlib.error as exc:
        raise CorruptData(str(exc)) from exc
    truncated = bool(engine.unconsumed_tail) or (len(out) >= limit and not engine.eof)
    return Inflated(out, truncated)


def _brotli(data: bytes, limit: int) -> Inflated:
    engine = brotli.Decompressor()
    try:
        out = engine.process(data, output_buffer_limit=limit)
    except brotli.error as exc:
        raise CorruptData(str(exc)) from exc
    if len(out) > limit:
        return Inflated(out[:limit], True)
    return Inflated(out, not engine.is_finished() and len(out) >= limit)


def inflate(data: bytes, codec: str, limit: int) -> Inflated:
    """Decompress `data` with `codec` (gzip, x-gzip, deflate, br, zstd), at most `limit` bytes.

    `deflate` is tried as zlib-wrapped first and raw second, because servers and clients
    disagree about what the header means (RFC 9110 says zlib, many send raw deflate).
    """
    codec = codec.strip().lower()
    if codec in ("gzip", "x-gzip"):
        return _zlib(data, 31, limit)
    if codec == "deflate":
        try:
            return _zlib(data, 15, limit)
        except CorruptData:
            return _zlib(data, -15, limit)
    if codec == "br":
        return _brotli(data, limit)
    if codec == "zstd":
        return _zstd(data, limit)
    raise CorruptData(f"unknown codec {codec!r}")


def _zstd(data: bytes, limit: int) -> Inflated:
    """Read through a bounded stream reader: a frame's declared size is the sender's claim."""
    reader = zstandard.ZstdDecompressor().stream_reader(data, read_across_frames=True)
    chunks: list[bytes] = []
    size = 0
    try:
        while size <= limit:
            chunk = reader.read(min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except zstandard.ZstdError as exc:
        raise CorruptData(str(exc)) from exc
    out = b"".join(chunks)
    return Inflated(out[:limit], len(out) > limit)


def sniff_codec(data: bytes) -> str | None:
    """The codec announced by the first bytes of a payload (brotli has no magic: None)."""
    if data.startswith(GZIP_MAGIC):
        return "gzip"
    if data.startswith(ZSTD_MAGIC):
        return "zstd"
    if data[:2] in _ZLIB_HEADERS:
        return "deflate"
    return None
