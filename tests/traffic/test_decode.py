"""The decoder alone: what leaves it yields, and that every limit is reported, not crashed on."""

from __future__ import annotations

import base64
import gzip
import json
import os
import random

import pytest

from apptest.traffic.decode import decode_message
from apptest.traffic.layers import Limits
from tests.traffic.conftest import request


def leaves(msg, limits: Limits | None = None):
    return decode_message(msg, limits)


def test_leaf_keys_and_locations() -> None:
    msg = request(
        "a=1&user_phone=13800138000",
        url="https://h.example.cn/p/seg?q=v1v1v1v1",
        headers=(("content-type", "application/x-www-form-urlencoded"), ("cookie", "sid=s3cr3tvalue; x=1")),
    )
    out = leaves(msg)
    assert any(lf.location == "body" and lf.inner == "form" and lf.steps == ("form",) for lf in out.leaves)
    assert ("s3cr3tvalue", "cookie", "sid") in {(lf.text, lf.location, lf.key) for lf in out.leaves}
    assert any(lf.location == "query" and "q=v1v1v1v1" in lf.text for lf in out.leaves)
    assert out.limits == []


def test_multipart_part_names_are_keys() -> None:
    body = b'--B\r\nContent-Disposition: form-data; name="deviceInfo"\r\n\r\n{"imei_md5": "abcdefabcdef"}\r\n--B--\r\n'
    out = leaves(request(body, headers=(("content-type", 'multipart/form-data; boundary="B"'),)))
    assert any(lf.key == "deviceInfo" and lf.chain == ("multipart",) for lf in out.leaves)


def test_depth_limit_is_reported() -> None:
    text = "innermost-value-123"
    for _ in range(12):
        text = base64.b64encode(text.encode()).decode()
    out = leaves(request(json.dumps({"p": text})), Limits(max_depth=5))
    assert any("deeper than 5" in limit for limit in out.limits)
    assert not any(lf.text == "innermost-value-123" for lf in out.leaves)
    deep = leaves(request(json.dumps({"p": text})), Limits(max_depth=20))
    assert any(lf.text == "innermost-value-123" for lf in deep.leaves)
    assert deep.limits == []


def test_body_size_limit_is_reported() -> None:
    out = leaves(request(b"x" * 5000), Limits(max_body=1000))
    assert out.limits and "first 1000 of 5000 bytes" in out.limits[0]
    assert max(len(lf.text) for lf in out.leaves) == 1000


def test_leaf_count_limit_is_reported() -> None:
    doc = {f"k{i}": base64.b64encode(f"value-number-{i:06d}".encode()).decode() for i in range(500)}
    out = leaves(request(json.dumps(doc)), Limits(max_leaves=50))
    assert len(out.leaves) == 50
    assert any("more than 50 pieces" in limit for limit in out.limits)


def test_ratio_limit_applies_to_nested_gzip_too() -> None:
    bomb = base64.b64encode(gzip.compress(b"A" * 20_000_000)).decode()
    out = leaves(request(json.dumps({"p": bomb})), Limits(max_ratio=50))
    assert any("gzip output cut" in limit for limit in out.limits)
    assert sum(len(lf.text) for lf in out.leaves) < 2_000_000


def test_undecodable_content_encoding_falls_back_to_raw() -> None:
    out = leaves(request(b'{"a": "not gzip at all"}', headers=(("content-encoding", "gzip"),)))
    assert any("did not decode" in limit for limit in out.limits)
    assert any('"not gzip at all"' in lf.text for lf in out.leaves)


def test_md5_hex_is_not_decoded_as_hex_text_or_base64() -> None:
    out = leaves(request(json.dumps({"h": "5d41402abc4b2a76b9719d911017c592" * 2})))
    assert all(lf.chain == () or lf.chain == ("json",) for lf in out.leaves)


@pytest.mark.parametrize("seed", range(20))
def test_random_bytes_never_crash(seed: int) -> None:
    rng = random.Random(seed)
    body = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4000)))
    for headers in ((), (("content-encoding", "gzip, br"),), (("content-type", "multipart/form-data; boundary=x"),)):
        decode_message(request(body, headers=headers))
    decode_message(request(os.urandom(64).hex()))
