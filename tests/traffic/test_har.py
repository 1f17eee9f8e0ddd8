"""HAR from several tools, malformed entries and truncated files."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from apptest.traffic.har import read_har
from tests.traffic.conftest import IMEI


def entry(url: str, post: dict | None = None, response: dict | None = None, **extra) -> dict:
    request = {"method": "POST" if post else "GET", "url": url, "httpVersion": "HTTP/1.1", "headers": []}
    if post:
        request["postData"] = post
    out = {"startedDateTime": "2024-05-01T08:30:00.125Z", "time": 50, "request": request, **extra}
    if response is not None:
        out["response"] = response
    return out


def har(*entries: dict) -> str:
    return json.dumps({"log": {"version": "1.2", "creator": {"name": "t"}, "entries": list(entries)}})


def test_requests_responses_cookies_and_base64_bodies(tmp_path: Path) -> None:
    body = base64.b64encode(b"\x00\x01" + IMEI.encode()).decode()
    doc = har(
        entry("https://a.example.cn/x?q=1", post={"mimeType": "application/octet-stream", "text": body,
                                                  "encoding": "base64"}),
        entry("https://b.example.cn/y", response={"status": 200, "headers": [
            {"name": "Content-Encoding", "value": "gzip"}], "content": {"text": '{"echo": 1}'}}),
        entry("https://c.example.cn/z", post={"mimeType": "application/x-www-form-urlencoded",
                                              "params": [{"name": "imei", "value": IMEI}]}),
    )  # fmt: skip
    path = tmp_path / "chrome.har"
    path.write_text("\ufeff" + doc, encoding="utf-8")  # Fiddler writes a BOM
    flows, errors = read_har(path)
    assert errors == []
    assert [m.direction for m in flows[1]] == ["request", "response"]
    assert IMEI.encode() in flows[0][0].body
    assert flows[1][1].headers == ()  # content-encoding dropped: HAR text is already decoded
    assert flows[2][0].body == f"imei={IMEI}".encode()
    assert flows[0][0].flow_id == "chrome.har#0" and flows[0][0].ts == 1714552200.125


def test_chrome_cookies_array_becomes_a_cookie_header(tmp_path: Path) -> None:
    e = entry("https://a.example.cn/")
    e["request"]["cookies"] = [{"name": "did", "value": IMEI}]
    (tmp_path / "c.har").write_text(har(e))
    flows, _ = read_har(tmp_path / "c.har")
    assert ("cookie", f"did={IMEI}") in flows[0][0].headers


def test_bad_entry_is_reported_others_are_read(tmp_path: Path) -> None:
    (tmp_path / "m.har").write_text(har(entry("https://a.example.cn/"), {"request": {"method": "GET"}},
                                        entry("https://b.example.cn/")))  # fmt: skip
    flows, errors = read_har(tmp_path / "m.har")
    assert len(flows) == 2 and len(errors) == 1 and "entry 1 unreadable" in errors[0]


def test_truncated_har_yields_entries_before_the_cut(tmp_path: Path) -> None:
    text = har(entry("https://a.example.cn/1"), entry("https://a.example.cn/2"), entry("https://a.example.cn/3"))
    (tmp_path / "t.har").write_text(text[: text.index("/3") + 2])
    flows, errors = read_har(tmp_path / "t.har")
    assert [f[0].url for f in flows] == ["https://a.example.cn/1", "https://a.example.cn/2"]
    assert "cut off" in errors[0] and "2 entries read" in errors[0]


def test_json_that_is_not_har(tmp_path: Path) -> None:
    (tmp_path / "n.har").write_text('{"hello": "world"}')
    flows, errors = read_har(tmp_path / "n.har")
    assert flows == [] and "not a HAR file" in errors[0]
