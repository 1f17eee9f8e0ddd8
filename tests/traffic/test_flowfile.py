"""Flow files cut short or damaged: a clear error, and every readable flow still returned."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from mitmproxy.io import FlowWriter
from mitmproxy.test import tflow

from apptest.traffic.flowfile import read_flow_file


def write(path: Path, flows, twice: bool = False) -> bytes:
    buf = io.BytesIO()
    writer = FlowWriter(buf)
    for f in flows:
        writer.add(f)
        if twice:
            writer.add(f)
    path.write_bytes(buf.getvalue())
    return buf.getvalue()


def test_latest_state_per_flow_in_first_seen_order(tmp_path: Path) -> None:
    a, b = tflow.tflow(), tflow.tflow()
    buf = io.BytesIO()
    writer = FlowWriter(buf)
    writer.add(a)  # request-time snapshot
    writer.add(b)
    a.response = tflow.tresp()
    writer.add(a)  # response-time snapshot of the same flow
    (tmp_path / "f.mitm").write_bytes(buf.getvalue())
    read = read_flow_file(tmp_path / "f.mitm")
    assert [f.id for f in read.flows] == [a.id, b.id]
    assert read.flows[0].response is not None and read.errors == []


def test_truncated_file_keeps_complete_flows(tmp_path: Path) -> None:
    flows = [tflow.tflow(resp=True) for _ in range(4)]
    raw = write(tmp_path / "f.mitm", flows)
    (tmp_path / "cut.mitm").write_bytes(raw[:-50])
    read = read_flow_file(tmp_path / "cut.mitm")
    assert [f.id for f in read.flows] == [f.id for f in flows[:3]]
    assert len(read.errors) == 1 and "after 3 flows" in read.errors[0] and "cut.mitm" in read.errors[0]


def test_corrupt_middle_resumes_at_next_flow(tmp_path: Path) -> None:
    flows = [tflow.tflow(resp=True) for _ in range(5)]
    raw = bytearray(write(tmp_path / "f.mitm", flows))
    size = len(raw) // 5
    raw[2 * size + 20 : 2 * size + 60] = b"#" * 40  # damage the third flow
    (tmp_path / "bad.mitm").write_bytes(bytes(raw))
    read = read_flow_file(tmp_path / "bad.mitm")
    assert [f.id for f in read.flows] == [flows[i].id for i in (0, 1, 3, 4)]
    assert "resumed at byte" in read.errors[0]


def test_not_a_flow_file(tmp_path: Path) -> None:
    (tmp_path / "x.mitm").write_bytes(b"GET / HTTP/1.1\r\n\r\n")
    read = read_flow_file(tmp_path / "x.mitm")
    assert read.flows == [] and "at byte 0 after 0 flows" in read.errors[0]


def test_empty_file_is_empty(tmp_path: Path) -> None:
    (tmp_path / "e.mitm").write_bytes(b"")
    assert read_flow_file(tmp_path / "e.mitm").flows == []


def test_fast_encoder_writes_mitmproxys_exact_bytes() -> None:
    from mitmproxy.io import tnetstring

    from apptest.traffic.flowfile import encode

    err = tflow.tflow(err=True)
    flows = [tflow.tflow(resp=True), tflow.twebsocketflow(), tflow.ttcpflow(), tflow.tudpflow(), tflow.tdnsflow(), err]
    flows[0].request.content = bytes(range(256)) * 40
    flows[0].metadata["apptest_sinkhole"] = True
    flows[0].comment = "注释"
    for f in flows:
        state = f.get_state()
        assert encode(state) == tnetstring.dumps(state)
    assert encode({"f": 1.5, "n": None, "l": [True, False, -3]}) == tnetstring.dumps(
        {"f": 1.5, "n": None, "l": [True, False, -3]}
    )


def test_flow_encoder_matches_mitmproxy_as_flows_and_connections_change() -> None:
    """Reusing a connection's encoding must never write a stale connection."""
    from mitmproxy import certs
    from mitmproxy.io import tnetstring

    from apptest.traffic.flowfile import FlowEncoder

    encoder = FlowEncoder()

    def same(f) -> None:
        assert encoder.encode(f) == tnetstring.dumps(f.get_state())

    a, b = tflow.tflow(), tflow.tflow()
    b.client_conn = a.client_conn  # one keep-alive connection, two flows
    same(a)
    same(b)
    a.response = tflow.tresp()
    same(a)
    a.client_conn.timestamp_end = 946681205.0
    same(a)
    a.client_conn.timestamp_end = 946681205  # equal value, other type: mitmproxy writes the field's type
    same(a)
    a.server_conn.certificate_list.append(certs.Cert(certs.create_ca("apptest", "upstream", 2048)[1]))  # in place
    same(a)
    a.server_conn.alpn_offers.append(b"h2")
    a.server_conn.sni = "changed.example"
    same(b)
    same(a)
    a.metadata["nested"] = {"k": [1]}
    same(a)
    a.metadata["nested"]["k"].append(2)
    same(a)
    a.backup()
    a.request.path = "/modified"
    same(a)
    for other in (tflow.twebsocketflow(), tflow.ttcpflow(), tflow.tflow(err=True)):
        same(other)
        same(other)


def test_flow_encoder_reuses_unchanged_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    from mitmproxy import connection

    from apptest.traffic.flowfile import FlowEncoder

    calls: list[str] = []
    original = connection.Client.get_state
    monkeypatch.setattr(connection.Client, "get_state", lambda self: calls.append(self.id) or original(self))
    encoder = FlowEncoder()
    flows = [tflow.tflow() for _ in range(3)]
    for f in flows[1:]:
        f.client_conn = flows[0].client_conn
    for f in flows:
        encoder.encode(f)
        f.response = tflow.tresp()
        encoder.encode(f)
    assert calls == [flows[0].client_conn.id]
    flows[0].client_conn.error = "reset"
    encoder.encode(flows[0])
    assert len(calls) == 2


def test_tail_returns_records_as_they_complete(tmp_path: Path) -> None:
    from apptest.traffic.flowfile import FlowTail, encode

    path = tmp_path / "live.mitm"
    first, second = tflow.tflow(), tflow.tflow(resp=True)
    one, two = encode(first.get_state()), encode(second.get_state())
    tail = FlowTail(path)
    assert tail.poll() == []  # no file yet
    path.write_bytes(one + two[:100])  # the second record is still being written
    assert [f.id for f in tail.poll()] == [first.id]
    with open(path, "ab") as handle:
        handle.write(two[100:])
    assert [f.id for f in tail.poll()] == [second.id]
    assert tail.poll(final=True) == [] and tail.errors == []
    tail.close()


@pytest.mark.parametrize("cut", [1, 2, 7, 13, 40, 41, 300])
def test_tail_skips_a_record_cut_by_a_crash_when_a_new_run_appends(tmp_path: Path, cut: int) -> None:
    """The cut record may end in digits that run into the next record's length prefix."""
    from apptest.traffic.flowfile import FlowTail, encode

    path = tmp_path / "resumed.mitm"
    a, b, c = tflow.tflow(), tflow.tflow(), tflow.tflow()
    b.request.timestamp_end = 946681201.123456  # the record then ends in many digits
    path.write_bytes(encode(a.get_state()) + encode(b.get_state())[:-cut] + encode(c.get_state()))
    tail = FlowTail(path)
    assert [f.id for f in tail.poll(final=True)] == [a.id, c.id]
    assert "resumed at byte" in tail.errors[0]
    tail.close()
