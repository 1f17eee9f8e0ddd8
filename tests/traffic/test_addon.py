"""The addon without a network: tflow/taddons drive its hooks; the bundle is the oracle."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mitmproxy import exceptions
from mitmproxy.proxy.context import Context
from mitmproxy.proxy.layers.tls import TlsData
from mitmproxy.test import taddons, tflow

from apptest.evidence import Bundle, verify
from apptest.traffic.addon import Apptest
from apptest.traffic.flowfile import read_flow_file
from tests.traffic.conftest import IMEI, MAC


def observations(root: Path) -> list[dict]:
    return Bundle.open(root).read_stream("observations.jsonl").records


def umeng_flow(body: dict, resp: bool = False):
    f = tflow.tflow(resp=resp)
    f.request.host = "alog.umeng.com"
    f.request.headers["host"] = "alog.umeng.com"
    f.request.content = json.dumps(body).encode()
    return f


@pytest.fixture
def running(tmp_path: Path, device_file: Path):
    addon = Apptest()
    with taddons.context(addon) as tctx:
        tctx.configure(addon, apptest_bundle=str(tmp_path / "b"), apptest_device=str(device_file), apptest_workers=0)
        yield addon, tctx, tmp_path / "b"


def test_request_is_on_disk_before_it_is_analysed(running) -> None:
    addon, _, root = running
    f = umeng_flow({"imei": IMEI})
    addon.request(f)
    read = read_flow_file(root / "flows.mitm")  # flushed: readable while the proxy still runs
    assert [x.id for x in read.flows] == [f.id] and read.flows[0].response is None
    obs = observations(root)
    assert [(o["action"], o["detail"]["inspected"]) for o in obs if o["action"] == "connects"] == [("connects", True)]
    sent = [o for o in obs if o["action"] == "transmits"]
    assert sent[0]["data_types"] == ["device.imei"] and sent[0]["evidence"] == {"stream": "flows.mitm", "ref": f.id}
    assert sent[0]["actor"] == {"kind": "sdk", "id": "umeng_analytics", "name": sent[0]["actor"]["name"],
                                "proof": "domain"}  # fmt: skip
    assert sent[0]["destination"] == {"host": "alog.umeng.com", "party": "third", "sdk": "umeng_analytics"}
    assert sent[0]["ts"] == "1999-12-31T23:00:00.000Z"  # the request's own time (tflow's), not "now"


def test_response_rewrites_the_flow_and_echoes_are_found(running) -> None:
    addon, _, root = running
    f = umeng_flow({"x": 1})
    addon.request(f)
    f.response = tflow.tresp(content=json.dumps({"your_mac": MAC}).encode())
    addon.response(f)
    assert read_flow_file(root / "flows.mitm").flows[0].response is not None
    echoed = [o for o in observations(root) if o["action"] == "transmits"]
    assert [(o["data_types"], o["detail"]["direction"]) for o in echoed] == [(["device.mac"], "response")]


def test_one_connects_per_host(running) -> None:
    addon, _, root = running
    for _ in range(3):
        addon.request(umeng_flow({"x": 1}))
    assert len([o for o in observations(root) if o["action"] == "connects"]) == 1


def test_tls_refused_and_silent_connections_are_uninspected(running) -> None:
    addon, tctx, root = running
    client = tflow.tclient_conn()
    client.sni = "pinned.example.cn"
    client.error = "tlsv1 alert unknown ca"
    addon.tls_failed_client(TlsData(client, Context(client, tctx.options)))
    silent = umeng_flow({})
    silent.request.host = "quiet.example.cn"
    addon.http_connect(silent)
    addon.client_disconnected(silent.client_conn)
    tcp = tflow.ttcpflow()
    addon.tcp_start(tcp)
    kinds = {
        (o["destination"]["host"], o["detail"]["kind"]) for o in observations(root) if not o["detail"]["inspected"]
    }
    assert kinds == {("pinned.example.cn", "tls_refused"), ("quiet.example.cn", "no_request"),
                     (tcp.server_conn.address[0], "not_http")}  # fmt: skip
    assert tcp.id in {f.id for f in read_flow_file(root / "flows.mitm").flows}  # its evidence exists


def test_websocket_messages_are_inspected(running) -> None:
    addon, _, root = running
    f = tflow.twebsocketflow()
    f.websocket.messages[-1].content = json.dumps({"mac": MAC}).encode()
    addon.websocket_message(f)
    hits = [o for o in observations(root) if o["action"] == "transmits"]
    assert hits[0]["detail"]["direction"] == "websocket" and hits[0]["detail"]["message_index"] == 2
    assert read_flow_file(root / "flows.mitm").flows[0].websocket is not None


def test_a_long_websocket_stream_reaches_disk_every_50_messages_or_every_second(running) -> None:
    addon, _, root = running
    now = [0.0]
    addon.clock = lambda: now[0]
    f = tflow.twebsocketflow()
    template = f.websocket.messages[-1]

    def send(count: int, seconds_apart: float = 0.01) -> int:
        for _ in range(count):
            now[0] += seconds_apart
            f.websocket.messages.append(type(template)(template.type, True, b"tick", now[0]))
            addon.websocket_message(f)
        (written,) = read_flow_file(root / "flows.mitm").flows
        return len(written.websocket.messages)

    assert send(200 - len(f.websocket.messages)) == 200  # every message, up to 200
    assert send(10) == 200  # then not each one (each rewrite copies the whole stream)
    assert send(1, seconds_apart=1.5) == 211  # a second has passed: written
    assert send(39) == 250  # the 50th
    addon.websocket_end(f)
    assert len(read_flow_file(root / "flows.mitm").flows[0].websocket.messages) == 250


def test_sinkhole_answers_locally_and_skips_its_own_answer(tmp_path: Path, device_file: Path) -> None:
    addon = Apptest()
    with taddons.context(addon) as tctx:
        tctx.configure(addon, apptest_bundle=str(tmp_path / "b"), apptest_device=str(device_file),
                       apptest_sinkhole=True, apptest_workers=0)  # fmt: skip
        assert tctx.options.upstream_cert is False
        f = umeng_flow({"x": 1})
        addon.request(f)
        assert f.response is not None and f.response.status_code == 200
        addon.response(f)
    assert [o["action"] for o in observations(tmp_path / "b")] == ["connects"]


def test_canaries_added_during_capture_are_searched(running) -> None:
    addon, _, root = running
    Bundle(root).add_canary("device.serial", "HOOKED-SERIAL-77", "runtime")
    addon.request(umeng_flow({"s": "HOOKED-SERIAL-77"}))
    assert [o["data_types"] for o in observations(root) if o["action"] == "transmits"] == [["device.serial"]]


def test_unwritable_evidence_kills_traffic_and_stops(running, monkeypatch) -> None:
    addon, _, _ = running

    def broken(flow) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(addon.session, "save_flow", broken)
    f = umeng_flow({"imei": IMEI})
    addon.request(f)
    assert f.error is not None and "killed" in f.error.msg.lower()
    later = umeng_flow({})
    addon.request(later)
    assert later.error is not None and "killed" in later.error.msg.lower()


def test_done_seals_the_bundle(running) -> None:
    addon, _, root = running
    addon.request(umeng_flow({"imei": IMEI}))
    addon.done()
    report = verify(root)
    assert report.sealed and report.ok
    assert (root / "device.yaml").exists()
    assert Bundle.open(root).manifest()["device"]["model"] == "Test Phone"


def test_worker_process_records_the_same_and_finishes_before_sealing(tmp_path: Path, device_file: Path) -> None:
    addon = Apptest()
    with taddons.context(addon) as tctx:
        tctx.configure(addon, apptest_bundle=str(tmp_path / "b"), apptest_device=str(device_file))
        assert addon.session is not None and addon.session._worker is not None
        flows = [umeng_flow({"imei": IMEI, "n": n}) for n in range(20)]
        for f in flows:
            addon.request(f)
        addon.done()  # waits for the worker, then seals
    sent = [o for o in observations(tmp_path / "b") if o["action"] == "transmits"]
    assert sorted(o["evidence"]["ref"] for o in sent) == sorted(f.id for f in flows)
    assert verify(tmp_path / "b").ok


def test_bad_device_profile_fails_at_configure(tmp_path: Path) -> None:
    bad = tmp_path / "d.yaml"
    bad.write_text("identifiers: {device.imei: [1, 2]}\nbogus: 1\n")
    addon = Apptest()
    with taddons.context(addon) as tctx, pytest.raises(exceptions.OptionsError, match="bogus"):
        tctx.configure(addon, apptest_bundle=str(tmp_path / "b"), apptest_device=str(bad))


def test_without_a_bundle_the_addon_does_nothing() -> None:
    addon = Apptest()
    with taddons.context(addon):
        f = tflow.tflow()
        addon.request(f)
        assert f.response is None and addon.session is None


def test_a_killed_worker_is_replaced_by_analysis_in_the_proxy(tmp_path: Path, device_file: Path) -> None:
    import os
    import signal

    addon = Apptest()
    with taddons.context(addon) as tctx:
        tctx.configure(addon, apptest_bundle=str(tmp_path / "b"), apptest_device=str(device_file))
        assert addon.session is not None
        os.kill(addon.session._worker.pid, signal.SIGKILL)
        flows = [umeng_flow({"imei": IMEI, "n": n}) for n in range(5)]
        for f in flows:
            addon.request(f)
        addon.done()
    sent = {o["evidence"]["ref"] for o in observations(tmp_path / "b") if o["action"] == "transmits"}
    assert sent == {f.id for f in flows}
    assert verify(tmp_path / "b").ok
