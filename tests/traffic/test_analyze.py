"""Every encoding layer and value form: a must-find row and a decoy that must not match."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import zlib
from urllib.parse import quote

import brotli
import pytest
import zstandard

from apptest.traffic.analyze import Analyzer
from tests.traffic.conftest import (
    ANDROID_ID,
    APPS,
    IMEI,
    LAT,
    LNG,
    MAC,
    NAME,
    OTHER_IMEI,
    PHONE_DIGITS,
    make_analyzer,
    request,
)


def b64(data: str | bytes, url: bool = False) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return (base64.urlsafe_b64encode(raw) if url else base64.b64encode(raw)).decode()


def proto_field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field (tag, varint length, bytes); lengths < 128 here."""
    assert len(payload) < 128
    return bytes([(number << 3) | 2, len(payload)]) + payload


def jwt(payload: dict) -> str:
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}), url=True).rstrip("=")
    body = b64(json.dumps(payload), url=True).rstrip("=")
    return f"{header}.{body}.c2lnbmF0dXJl"


def deflate_raw(data: bytes) -> bytes:
    engine = zlib.compressobj(wbits=-15)
    return engine.compress(data) + engine.flush()


def messages(value: str):
    """(case id, message carrying `value`, expected location, expected encoding chain)."""
    js = json.dumps({"device": {"d": value}})
    form_json = "data=" + quote(json.dumps({"k": value}))
    nested = b64(gzip.compress(json.dumps({"ids": {"d": value}}).encode()))
    multipart = (
        b'--XyZ\r\nContent-Disposition: form-data; name="meta"\r\n\r\n'
        + json.dumps({"x": value}).encode()
        + b"\r\n--XyZ--\r\n"
    )
    ct_json = (("content-type", "application/json"),)
    return [
        ("query", request(url=f"https://a.example.cn/t?x={value}", method="GET"), "query", "plain"),
        ("query-urlencoded", request(url=f"https://a.example.cn/t?x={quote(js)}", method="GET"), "query",
         "urldecode>json"),
        ("path", request(url=f"https://a.example.cn/u/{value}/ping", method="GET"), "path", "plain"),
        ("header", request(headers=(("x-device", value),)), "header", "plain"),
        ("cookie", request(headers=(("cookie", f"sid=abc; did={value}"),)), "cookie", "plain"),
        ("form", request(f"a=1&x={value}", headers=(("content-type", "application/x-www-form-urlencoded"),)),
         "body", "form"),
        ("form-urldecode-json", request(form_json, headers=(("content-type", "application/x-www-form-urlencoded"),)),
         "body", "form>urldecode>json"),
        ("multipart", request(multipart, headers=(("content-type", "multipart/form-data; boundary=XyZ"),)),
         "body", "multipart>json"),
        ("json-nested", request(js, headers=ct_json), "body", "json"),
        ("json-in-json-string", request(json.dumps({"payload": js}), headers=ct_json), "body", "json>json"),
        ("gzip", request(gzip.compress(js.encode()), headers=(("content-encoding", "gzip"), *ct_json)),
         "body", "gzip>json"),
        ("deflate", request(zlib.compress(js.encode()), headers=(("content-encoding", "deflate"),)),
         "body", "deflate>json"),
        ("deflate-raw", request(deflate_raw(js.encode()), headers=(("content-encoding", "deflate"),)),
         "body", "deflate>json"),
        ("brotli", request(brotli.compress(js.encode()), headers=(("content-encoding", "br"),)),
         "body", "br>json"),
        ("zstd", request(zstandard.ZstdCompressor().compress(js.encode()), headers=(("content-encoding", "zstd"),)),
         "body", "zstd>json"),
        ("base64", request(json.dumps({"p": b64(js)})), "body", "json>base64>json"),
        ("base64url", request(json.dumps({"p": b64(js, url=True)})), "body", "json>base64>json"),
        ("base64-gzip-json", request(json.dumps({"p": nested})), "body", "json>base64>gzip>json"),
        ("hex", request(json.dumps({"p": js.encode().hex()})), "body", "json>hex>json"),
        ("jwt", request(headers=(("authorization", "Bearer " + jwt({"sub": value})),)), "header", "jwt>json"),
        ("protobuf", request(proto_field(1, b"abc") + proto_field(2, value.encode()),
                             headers=(("content-type", "application/x-protobuf"),)), "body", "protobuf"),
        ("binary", request(b"\x00\x01\xfe\xff" + value.encode() + b"\x00\x07"), "body", "plain"),
    ]  # fmt: skip


CASES = messages(IMEI)


@pytest.mark.parametrize(("case", "msg", "where", "chain"), CASES, ids=[c[0] for c in CASES])
def test_every_encoding_finds_the_known_imei(analyzer: Analyzer, case: str, msg, where: str, chain: str) -> None:
    found = [d for d in analyzer.analyze(msg).detections if d.data_type == "device.imei"]
    assert found, case
    assert found[0].confidence == "known"
    assert found[0].location == where
    assert found[0].encoding == chain


DECOYS = messages(OTHER_IMEI)


@pytest.mark.parametrize(("case", "msg", "where", "chain"), DECOYS, ids=[c[0] for c in DECOYS])
def test_every_encoding_ignores_another_imei(analyzer: Analyzer, case: str, msg, where: str, chain: str) -> None:
    """Another valid IMEI under a key that does not say "imei" is nobody's seeded value."""
    result = analyzer.analyze(msg)
    assert [d.data_type for d in result.detections if d.data_type == "device.imei"] == [], case


def _body(text: str):
    return request(json.dumps({"v": text}), headers=(("content-type", "application/json"),))


FORMS = [
    ("mac-colon-upper", "device.mac", MAC.upper()),
    ("mac-dash", "device.mac", MAC.replace(":", "-")),
    ("mac-bare", "device.mac", MAC.replace(":", "")),
    ("mac-bare-upper", "device.mac", MAC.replace(":", "").upper()),
    ("android-id-upper", "device.android_id", ANDROID_ID.upper()),
    ("phone-bare", "phone_number", PHONE_DIGITS),
    ("phone-plus86", "phone_number", "+86" + PHONE_DIGITS),
    ("phone-0086", "phone_number", "0086" + PHONE_DIGITS),
    ("phone-spaced", "phone_number", "138 0013 8000"),
    ("imei-md5", "device.imei", hashlib.md5(IMEI.encode()).hexdigest()),
    ("imei-md5-upper", "device.imei", hashlib.md5(IMEI.encode()).hexdigest().upper()),
    ("imei-sha1", "device.imei", hashlib.sha1(IMEI.encode()).hexdigest()),
    ("imei-sha256-upper", "device.imei", hashlib.sha256(IMEI.encode()).hexdigest().upper()),
    ("mac-md5-of-bare-upper", "device.mac", hashlib.md5(MAC.replace(":", "").upper().encode()).hexdigest()),
    ("imei-base64-in-text", "device.imei", "id:" + b64(IMEI)),
    ("android-id-base64url-unpadded", "device.android_id", "k " + b64(ANDROID_ID, url=True).rstrip("=")),
    ("name-utf8", "identity.name", NAME),
    ("name-gbk-in-binary", "identity.name", ""),
]


@pytest.mark.parametrize(("case", "data_type", "text"), FORMS, ids=[f[0] for f in FORMS])
def test_value_forms(analyzer: Analyzer, case: str, data_type: str, text: str) -> None:
    msg = request(b"\x00\x01" + NAME.encode("gbk") + b"\x00") if case == "name-gbk-in-binary" else _body(text)
    hits = [d for d in analyzer.analyze(msg).detections if d.data_type == data_type]
    assert hits and hits[0].confidence == "known", case


NOT_FORMS = [
    ("imei-inside-longer-number", "device.imei", IMEI + "7"),
    ("imei-prefix-of-longer-number", "device.imei", "9" + IMEI),
    ("android-id-inside-sha256", "device.android_id", "ab" + ANDROID_ID + "cd" * 23),
    ("mac-other", "device.mac", "a4:5e:60:c2:11:08"),
    ("md5-of-other-imei", "device.imei", hashlib.md5(OTHER_IMEI.encode()).hexdigest()),
    ("base64-wrong-case", "device.imei", "id:" + b64(IMEI).swapcase()),
    ("timestamp-that-looks-like-phone", "phone_number", "13800138000123"),
    ("phone-in-longer-digits", "phone_number", "9913800138000"),
]


@pytest.mark.parametrize(("case", "data_type", "text"), NOT_FORMS, ids=[f[0] for f in NOT_FORMS])
def test_value_decoys(analyzer: Analyzer, case: str, data_type: str, text: str) -> None:
    assert [d for d in analyzer.analyze(_body(text)).detections if d.data_type == data_type] == [], case


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (f'{{"lat": {LAT}, "lng": {LNG}}}', True),
        (f'{{"lng": {LNG:.4f}, "lat": {LAT:.4f}}}', True),  # lng first
        (f"loc={LNG:.3f},{LAT:.3f}", True),  # 3 decimals, ~100 m rounding
        (f"{LAT:.7f},{LNG:.7f}", True),  # 7 decimals
        ("116.40372,39.91012", True),  # GCJ-02 (Chinese map datum) of the same place
        ("116.41010,39.91646", True),  # BD-09 (Baidu)
        ("lat=31.2304&lng=121.4737", False),  # Shanghai: far away
        ("39.95872,116.44748", False),  # 5 km off
        (f'{{"price": {LAT}}}', False),  # one number alone is not a location
        (f"{LAT:.2f},{LNG:.2f}", False),  # 2 decimals: not a coordinate pair we claim
        (f'{{"latitudeE6":{round(LAT * 1e6)},"longitudeE6":{round(LNG * 1e6)}}}', True),  # microdegrees
        ("lng=116403720&lat=39910120", True),  # GCJ-02 in microdegrees
        (f"{round(LAT * 1e6)},{LNG}", False),  # one microdegree, one decimal: not a pair
        (f"id={round(LAT * 1e6)}&ts=1714567890&n={round(LNG * 1e6)}0", False),  # 10 digits: not microdegrees
    ],
)
def test_location(analyzer: Analyzer, text: str, found: bool) -> None:
    hits = [d for d in analyzer.analyze(request(text)).detections if d.data_type == "location.precise"]
    assert bool(hits) is found
    if found:
        assert hits[0].confidence == "known" and hits[0].extra["distance_m"] < 250


def test_microdegrees_are_named_in_the_encoding_chain(analyzer: Analyzer) -> None:
    hits = analyzer.analyze(request('{"pt": {"y": 39910120, "x": 116403720}}')).detections
    assert [(d.data_type, d.encoding) for d in hits] == [("location.precise", "json>e6>gcj02")]


def test_installed_apps_need_several_packages(analyzer: Analyzer) -> None:
    three = request(json.dumps({"list": APPS[:3]}))
    one = request(json.dumps({"share_to": APPS[0]}))
    hits = [d for d in analyzer.analyze(three).detections if d.data_type == "apps.installed"]
    assert len(hits) == 1 and hits[0].extra["count"] == 3
    assert not [d for d in analyzer.analyze(one).detections if d.data_type == "apps.installed"]
    prefix = request(json.dumps({"classes": [p + ".sdk" for p in APPS[:3]]}))  # class names, not packages
    assert not [d for d in analyzer.analyze(prefix).detections if d.data_type == "apps.installed"]


PATTERNS = [
    ("id-number", {"idno": "110105199003071239"}, "identity.id_number"),
    ("bank-card", {"cardNo": "6228480012345678903"}, "finance.bank_card"),
    ("mobile", {"mobile": "13698765432"}, "phone_number"),
    ("mobile-plus86", {"x": "+86 13698765432"}, "phone_number"),
    ("email", {"email": "someone@mail.example.cn"}, "contact.email"),
    ("unseeded-imei", {"imei": OTHER_IMEI}, "device.imei"),
]
PATTERN_DECOYS = [
    ("id-bad-check", {"idno": "110105199003071238"}, "identity.id_number"),
    ("id-bad-birth-date", {"idno": "110105199013071236"}, "identity.id_number"),
    ("card-bad-luhn", {"cardNo": "6228480012345678904"}, "finance.bank_card"),
    ("card-no-hint", {"orderId": "6228480012345678903"}, "finance.bank_card"),
    ("timestamp-ms", {"mobile_ts": "1714567890123"}, "phone_number"),
    ("mobile-no-hint", {"seq": "13698765432"}, "phone_number"),
    ("email-in-free-text", {"text": "write to someone@mail.example.cn for help"}, "contact.email"),
    ("imei-bad-luhn", {"imei": OTHER_IMEI[:-1] + "0"}, "device.imei"),
    ("imei-no-hint", {"trace": OTHER_IMEI}, "device.imei"),
]


@pytest.mark.parametrize(("case", "doc", "data_type"), PATTERNS, ids=[p[0] for p in PATTERNS])
def test_patterns_on_unseeded_values(case: str, doc: dict, data_type: str) -> None:
    hits = [d for d in make_analyzer({}).analyze(request(json.dumps(doc))).detections if d.data_type == data_type]
    assert hits and hits[0].confidence == "pattern", case


@pytest.mark.parametrize(("case", "doc", "data_type"), PATTERN_DECOYS, ids=[p[0] for p in PATTERN_DECOYS])
def test_pattern_decoys(case: str, doc: dict, data_type: str) -> None:
    assert [d for d in make_analyzer({}).analyze(request(json.dumps(doc))).detections if d.data_type == data_type] == []


def test_known_value_beats_pattern_and_plain_and_hashed_are_separate(analyzer: Analyzer) -> None:
    doc = {"imei": IMEI, "h": hashlib.md5(IMEI.encode()).hexdigest()}
    hits = [d for d in analyzer.analyze(request(json.dumps(doc))).detections if d.data_type == "device.imei"]
    assert sorted(d.encoding for d in hits) == ["json", "json>md5"]
    assert {d.confidence for d in hits} == {"known"}


def test_detection_fields_and_masking(analyzer: Analyzer) -> None:
    url = f"https://log.umeng.com/api/{ANDROID_ID}/up?imei={IMEI}"
    msg = request(json.dumps({"mac": MAC, "note": "ok"}), url=url)
    result = analyzer.analyze(msg)
    by_type = {d.data_type: d for d in result.detections}
    assert set(by_type) == {"device.mac", "device.android_id", "device.imei"}
    mac = by_type["device.mac"]
    assert (mac.party, mac.sdk, mac.host, mac.method) == ("third", "umeng_analytics", "log.umeng.com", "POST")
    assert mac.url == "https://log.umeng.com/api/*/up?…"
    assert mac.ts == "2023-11-14T22:13:20.000Z"
    dumped = json.dumps([d.to_dict() for d in result.detections]) + json.dumps(
        [d.to_observation(analyzer.resolver).to_dict() for d in result.detections]
    )
    for raw in (IMEI, ANDROID_ID, MAC, MAC.upper()):
        assert raw not in dumped
    assert "‹device.mac›" in mac.excerpt


def test_party_first_only_for_operator_domains() -> None:
    operator = make_analyzer(operator=("example-operator.cn",))
    msg = request(json.dumps({"imei": IMEI}), url="https://api.example-operator.cn/x")
    assert operator.analyze(msg).detections[0].party == "first"
    assert make_analyzer().analyze(msg).detections[0].party == "unknown"
    obs = operator.analyze(msg).detections[0].to_observation(operator.resolver)
    assert (obs.actor.kind, obs.actor.proof, obs.destination.party) == ("app", "domain", "first")


def test_decompression_bomb_is_reported_and_partly_inspected(analyzer: Analyzer) -> None:
    bomb = gzip.compress(json.dumps({"imei": IMEI}).encode() + b" " * 60_000_000)
    result = analyzer.analyze(request(bomb, headers=(("content-encoding", "gzip"),)))
    assert any("gzip output cut" in limit for limit in result.limits)
    assert [d.data_type for d in result.detections] == ["device.imei"]  # found in the part inspected
