"""Policy pages captured in flows.mitm: first-party and policy-like ones are collected."""

from __future__ import annotations

from pathlib import Path

from mitmproxy.io import FlowWriter
from mitmproxy.test import tflow

from apptest.evidence import Bundle, read_jsonl
from apptest.policy.captured import collect_captured, first_party
from tests.policy.conftest import POLICIES, RENTAL_POLICY


def _flow(url_host: str, path: str, body: bytes, content_type: str = "text/html; charset=utf-8", status: int = 200):
    flow = tflow.tflow(resp=True)
    flow.request.host = url_host
    flow.request.port = 443
    flow.request.scheme = "https"
    flow.request.path = path
    flow.response.status_code = status
    flow.response.headers["content-type"] = content_type
    flow.response.content = body
    return flow


def _bundle(tmp_path: Path, flows, operator_domains=("example-rental.cn",), hints=()) -> Path:
    root = tmp_path / "bundle"
    bundle = Bundle.create(
        root,
        {"apk": {"package": "com.example.rental", "sha256": "unknown"}, "operator_domains": list(operator_domains)},
    )
    bundle.write_static({"privacy_policy_hints": [{"kind": "url", "value": h, "where": "classes.dex"} for h in hints]})
    with open(root / "flows.mitm", "wb") as handle:
        writer = FlowWriter(handle)
        for flow in flows:
            writer.add(flow)
    return root


def _documents(root: Path) -> list[dict]:
    records = read_jsonl(root / "observations.jsonl", "observation").records
    return [r for r in records if r["source"] == "policy" and r["detail"]["kind"] == "document"]


def test_first_party_policy_page_is_collected_once(tmp_path: Path, knowledge) -> None:
    policy = RENTAL_POLICY.read_bytes()
    root = _bundle(
        tmp_path,
        [
            _flow("www.example-rental.cn", "/privacy.html", policy),
            _flow("www.example-rental.cn", "/privacy.html?v=2", policy),  # the same page again
            _flow("www.example-rental.cn", "/index.html", b"<html><title>Home</title><p>Welcome</p></html>"),
            _flow("cdn.other.example", "/policy.html", (POLICIES / "zh_sdk_table.html").read_bytes()),
            _flow("www.example-rental.cn", "/gone.html", policy, status=404),
            _flow("www.example-rental.cn", "/logo.png", b"\x89PNG", content_type="image/png"),
        ],
    )
    collected, errors = collect_captured(root, knowledge)
    assert not errors
    assert [c.origin for c in collected] == ["captured", "captured"]
    assert collected[0].file == "https://www.example-rental.cn/privacy.html"
    assert collected[1].skipped
    documents = _documents(root)
    assert len(documents) == 1 and documents[0]["detail"]["origin"] == "captured"
    assert (root / documents[0]["detail"]["file"]).read_bytes() == policy


def test_a_policy_url_from_the_apk_counts_as_first_party(tmp_path: Path, knowledge) -> None:
    page = (POLICIES / "zh_sdk_table.html").read_bytes()
    root = _bundle(
        tmp_path,
        [_flow("h5.cdn-host.example", "/app/privacy", page)],
        operator_domains=(),
        hints=("https://h5.cdn-host.example/app/privacy",),
    )
    collected, _ = collect_captured(root, knowledge)
    assert len(collected) == 1
    detail = _documents(root)[0]["detail"]
    assert detail["title"] == "好运出行个人信息保护政策" and detail["file"] == "policy/privacy.html"


def test_no_flows_no_pages(tmp_path: Path, knowledge) -> None:
    root = tmp_path / "bundle"
    Bundle.create(root, {"apk": {"package": "com.x", "sha256": "unknown"}})
    assert collect_captured(root, knowledge) == ([], [])


def test_first_party_needs_the_operator_or_the_apk() -> None:
    assert first_party("m.example.cn", "https://m.example.cn/p", ["example.cn"], [])
    assert not first_party("example.cn.evil.com", "https://example.cn.evil.com/p", ["example.cn"], [])
    assert not first_party("umeng.com", "https://umeng.com/policy", ["example.cn"], ["https://x.example/p"])
