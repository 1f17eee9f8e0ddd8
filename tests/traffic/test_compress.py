"""Bounded decompression of every codec, and the truncation flag."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest
import zstandard

from apptest.traffic.compress import CorruptData, inflate, sniff_codec

DATA = b'{"imei": "865123041234562"}' * 20
ENCODERS = {
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "br": brotli.compress,
    "zstd": lambda d: zstandard.ZstdCompressor().compress(d),
}


@pytest.mark.parametrize("codec", sorted(ENCODERS))
def test_roundtrip_and_limit(codec: str) -> None:
    packed = ENCODERS[codec](DATA)
    assert inflate(packed, codec, 1 << 20) == (DATA, False)
    cut = inflate(packed, codec, 100)
    assert cut.truncated and cut.data == DATA[:100]


@pytest.mark.parametrize("codec", sorted(ENCODERS))
def test_bomb_stops_at_limit(codec: str) -> None:
    bomb = ENCODERS[codec](b"\0" * 30_000_000)
    out = inflate(bomb, codec, 1_000_000)
    assert out.truncated and len(out.data) == 1_000_000


@pytest.mark.parametrize("codec", sorted(ENCODERS))
def test_garbage_is_corrupt_not_a_crash(codec: str) -> None:
    with pytest.raises(CorruptData):
        inflate(b"this is not compressed at all", codec, 1000)


def test_sniff() -> None:
    assert sniff_codec(gzip.compress(b"x")) == "gzip"
    assert sniff_codec(zstandard.ZstdCompressor().compress(b"x")) == "zstd"
    assert sniff_codec(zlib.compress(b"x")) == "deflate"
    assert sniff_codec(b"plain") is None
