"""A real proxy on 127.0.0.1 with real clients: `apptest capture` and plain `mitmdump -s`.

Covers HTTP/1.1, HTTPS through the generated CA, HTTP/2, WebSocket, gzip bodies, a client
that refuses the proxy's certificate, the sinkhole and a local upstream server; each run
ends with SIGTERM and a sealed, verifiable bundle.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest

from apptest.evidence import Bundle, verify
from apptest.traffic.flowfile import read_flow_file
from tests.conftest import run_cli
from tests.traffic import netkit
from tests.traffic.conftest import IMEI, MAC, PHONE_DIGITS

LISTENING = r"listening: \S+ on 127\.0\.0\.1:(\d+)"


@pytest.fixture(scope="module")
def upstream():
    server = netkit.Upstream()
    yield server
    server.close()


def capture(tmp_path: Path, device: Path, *extra: str) -> tuple[netkit.Proxy, Path, Path]:
    bundle, confdir = tmp_path / "bundle", tmp_path / "mitm"
    args = ["-m", "apptest.cli", "capture", "--bundle", str(bundle), "--device", str(device),
            "--listen", "127.0.0.1:0", "--confdir", str(confdir), *extra]  # fmt: skip
    return netkit.Proxy(args, LISTENING), bundle, confdir / "mitmproxy-ca-cert.pem"


def records(bundle: Path) -> list[dict]:
    return Bundle.open(bundle).read_stream("observations.jsonl").records


def test_sinkhole_https_http2_gzip_and_refused_tls(tmp_path: Path, device_file: Path) -> None:
    proxy, bundle, ca = capture(tmp_path, device_file, "--sinkhole", "--operator-domain", "example-app.cn")
    md5 = hashlib.md5(IMEI.encode()).hexdigest().upper()
    assert netkit.https1(proxy.port, "alog.umeng.com", "/app_logs", ca, json.dumps({"di": md5}).encode()) == 200
    assert netkit.h2_request(proxy.port, "api.jpush.cn", "/v3/push", ca, [("x-wifi-mac", MAC.upper())]) == 200
    gz = gzip.compress(json.dumps({"mobile": PHONE_DIGITS}).encode())
    netkit.http1(proxy.port, "http://api.example-app.cn/u", gz, {"Content-Encoding": "gzip"})
    netkit.refuse_tls(proxy.port, "pinned.unreachable.invalid")
    assert proxy.stop() == 0, proxy.output
    out = proxy.output
    assert "mitmproxy-ca-cert.pem" in out and "API 24+" in out and "sealed" in out
    report = verify(bundle)
    assert report.sealed and report.ok, report.problems
    sent = {(r["destination"]["host"], r["data_types"][0], r["detail"]["encoding"], r["destination"]["party"])
            for r in records(bundle) if r["action"] == "transmits"}  # fmt: skip
    assert sent == {
        ("alog.umeng.com", "device.imei", "json>md5", "third"),
        ("api.jpush.cn", "device.mac", "plain", "third"),
        ("api.example-app.cn", "phone_number", "gzip>json", "first"),
    }
    unchecked = [r for r in records(bundle) if r["action"] == "connects" and not r["detail"]["inspected"]]
    assert [(r["destination"]["host"], r["detail"]["kind"]) for r in unchecked] == [
        ("pinned.unreachable.invalid", "tls_refused")
    ]
    flows = read_flow_file(bundle / "flows.mitm").flows
    assert sorted(f.request.http_version for f in flows) == ["HTTP/1.1", "HTTP/1.1", "HTTP/2.0"]
    assert all(f.response is not None for f in flows)


def test_upstream_echo_websocket_and_phase_from_another_terminal(
    tmp_path: Path, device_file: Path, upstream: netkit.Upstream
) -> None:
    proxy, bundle, _ = capture(tmp_path, device_file)
    assert run_cli("phase", "consent_given", "--bundle", str(bundle)).returncode == 0
    echo = netkit.http1(proxy.port, f"http://127.0.0.1:{upstream.port}/c", json.dumps({"tel": PHONE_DIGITS}).encode())
    assert PHONE_DIGITS in gzip.decompress(echo).decode()  # the client saw the real upstream's answer
    echoes = netkit.websocket(proxy.port, upstream.port, [json.dumps({"mac": MAC}), "hello"])
    assert len(echoes) == 2
    assert proxy.stop() == 0, proxy.output
    assert verify(bundle).ok
    seen = sorted((r["data_types"][0], r["detail"]["direction"], r["detail"]["encoding"])
                  for r in records(bundle) if r["action"] == "transmits")  # fmt: skip
    assert seen == [
        ("device.mac", "websocket", "json"),  # sent by the app
        ("device.mac", "websocket", "json"),  # echoed by the server
        ("phone_number", "request", "json"),
        ("phone_number", "response", "gzip>json>json"),
    ]
    marks, _ = Bundle.open(bundle).phases()
    assert [m.mark for m in marks] == ["consent_given"]
    ws_flow = [f for f in read_flow_file(bundle / "flows.mitm").flows if f.websocket is not None]
    assert len(ws_flow) == 1 and len(ws_flow[0].websocket.messages) >= 4


def test_plain_mitmdump_with_the_addon_script(tmp_path: Path, device_file: Path, upstream: netkit.Upstream) -> None:
    bundle = tmp_path / "b"
    args = ["-c", "from mitmproxy.tools.main import mitmdump; mitmdump()", "--listen-host", "127.0.0.1",
            "--listen-port", "0", "-s", "apptest/traffic/addon.py", "--set", f"confdir={tmp_path / 'mitm'}",
            "--set", f"apptest_bundle={bundle}", "--set", f"apptest_device={device_file}"]  # fmt: skip
    proxy = netkit.Proxy(args, r"listening at .*:(\d+)")
    netkit.http1(proxy.port, f"http://127.0.0.1:{upstream.port}/x?imei={IMEI}")
    assert proxy.stop() == 0, proxy.output
    assert verify(bundle).sealed
    assert [r["data_types"] for r in records(bundle) if r["action"] == "transmits"] == [["device.imei"]]


def test_capture_refuses_bad_input(tmp_path: Path, device_file: Path) -> None:
    missing = run_cli("capture", "--bundle", str(tmp_path / "b"), "--device", str(tmp_path / "none.yaml"))
    assert missing.returncode == 3 and "none.yaml" in missing.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("identifiers: {device.imeii: '865123041234562'}\n")
    bad = run_cli("capture", "--bundle", str(tmp_path / "b"), "--device", str(broken), "--listen", "127.0.0.1:0")
    assert bad.returncode == 3 and "device.imeii" in bad.stderr and bad.stderr.strip().count("\n") == 0
    mode = run_cli("capture", "--bundle", str(tmp_path / "b"), "--mode", "socks")
    assert mode.returncode == 2 and "--mode" in mode.stderr
