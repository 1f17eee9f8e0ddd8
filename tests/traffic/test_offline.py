"""`apptest traffic`: flow files, HAR and bundles; partial results and unreadable input."""

from __future__ import annotations

import io
import json
from pathlib import Path

from mitmproxy.io import FlowWriter
from mitmproxy.test import tflow

from apptest.evidence import Bundle
from tests.traffic.conftest import IMEI, MAC

DETECTION_KEYS = {"flow_id", "url", "host", "method", "data_type", "encoding", "location", "party", "sdk",
                  "excerpt", "ts"}  # fmt: skip


def flow_with(body: bytes, host: str = "log.umeng.com"):
    f = tflow.tflow(resp=True)
    f.request.host = host
    f.request.headers["host"] = host
    f.request.method = "POST"
    f.request.content = body
    return f


def flow_file(path: Path, *flows) -> Path:
    buf = io.BytesIO()
    for f in flows:
        FlowWriter(buf).add(f)
    path.write_bytes(buf.getvalue())
    return path


def test_flow_file_and_har_json(tmp_path: Path, device_file: Path, cli) -> None:
    mitm = flow_file(tmp_path / "a.mitm", flow_with(json.dumps({"imei": IMEI}).encode()))
    har = tmp_path / "b.har"
    har.write_text(json.dumps({"log": {"entries": [{
        "startedDateTime": "2024-05-01T08:30:00Z", "time": 1,
        "request": {"method": "GET", "url": f"https://api.example-operator.cn/p?mac={MAC}", "headers": []},
    }]}}))  # fmt: skip
    done = cli("traffic", str(mitm), str(har), "--device", str(device_file))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["flows"] == 2 and "errors" not in out
    found = {(d["data_type"], d["party"], d["sdk"]) for d in out["detections"]}
    assert found == {("device.imei", "third", "umeng_analytics"), ("device.mac", "first", None)}
    assert all(set(d) >= DETECTION_KEYS for d in out["detections"])
    assert IMEI not in done.stdout and MAC not in done.stdout


def test_partial_result_lists_errors(tmp_path: Path, device_file: Path, cli) -> None:
    good = flow_file(tmp_path / "good.mitm", flow_with(json.dumps({"imei": IMEI}).encode()))
    raw = good.read_bytes()
    (tmp_path / "cut.mitm").write_bytes(raw + raw[:100])
    done = cli("traffic", str(tmp_path / "cut.mitm"), str(tmp_path / "missing.har"), "--device", str(device_file))
    assert done.returncode == 0
    out = json.loads(done.stdout)
    assert out["flows"] == 1 and len(out["detections"]) == 1
    assert len(out["errors"]) == 2 and "no such file" in out["errors"][1]


def test_unreadable_input_is_exit_3_with_one_line(tmp_path: Path, cli) -> None:
    (tmp_path / "junk.mitm").write_bytes(b"\x00garbage")
    bad_har = tmp_path / "bad.har"
    bad_har.write_text("{not json")
    done = cli("traffic", str(tmp_path / "junk.mitm"), str(bad_har))
    assert done.returncode == 3
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("apptest: error: ")
    assert "junk.mitm" in done.stderr and "(and 1 more)" in done.stderr


def test_bad_device_profile_is_exit_3(tmp_path: Path, cli) -> None:
    mitm = flow_file(tmp_path / "a.mitm", flow_with(b"{}"))
    device = tmp_path / "d.yaml"
    device.write_text("identifiers:\n  device.imeii: '123456789012345'\n")
    done = cli("traffic", str(mitm), "--device", str(device))
    assert done.returncode == 3 and "device.imeii" in done.stderr


def test_bundle_input_uses_its_device_profile_and_canaries(tmp_path: Path, device_file: Path, cli) -> None:
    bundle = Bundle.create(tmp_path / "run", {"apk": {"package": "com.example.app", "sha256": "unknown"}})
    bundle.store_file("device.yaml", device_file.read_bytes())
    bundle.add_canary("device.serial", "SERIAL-XYZ-42", "runtime")
    bundle.close()
    flow_file(tmp_path / "run" / "flows.mitm", flow_with(json.dumps({"i": IMEI, "s": "SERIAL-XYZ-42"}).encode()))
    done = cli("traffic", str(tmp_path / "run"), "--format", "json")
    out = json.loads(done.stdout)
    assert {d["data_type"] for d in out["detections"]} == {"device.imei", "device.serial"}
    table = cli("traffic", str(tmp_path / "run"), "--format", "table")
    assert table.returncode == 0 and "device.serial" in table.stdout
