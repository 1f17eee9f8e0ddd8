"""The optional native TLS hooks: plaintext read at SSL_write/SSL_read, for traffic the
proxy cannot see. The client is CPython over the system's OpenSSL (the same exported
functions as Android's BoringSSL); it has no Java at all, so this also shows the agent
loads and works in a process without a VM."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import pytest

from apptest.evidence import read_jsonl
from apptest.runtime.config import HookOptions
from tests.runtime.conftest import Server, StandIn, traced

pytestmark = pytest.mark.slow
CLIENT = Path(__file__).parent / "programs" / "tls_client.py"


def tls_records(root: Path, knowledge, server: Server, native_tls: bool) -> list[dict]:
    process = subprocess.Popen(
        [sys.executable, str(CLIENT), str(server.port), str(server.cert)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    client = StandIn(process)
    try:
        with traced(root, knowledge, HookOptions(native_tls=native_tls)) as session:
            session.tracer.attach(client.pid)
            client.say("go")
            assert client.expect("done ") == "done 200"
    finally:
        client.close()
    return [r for r in read_jsonl(root / "hooks.jsonl").records if r["type"] == "tls"]


def test_tls_plaintext_recorded_with_peer(knowledge, https_server: Server, tmp_path: Path) -> None:
    records = tls_records(tmp_path / "b", knowledge, https_server, native_tls=True)
    sent = [r for r in records if r["direction"] == "sent"]
    received = [r for r in records if r["direction"] == "received"]
    request = b"".join(base64.b64decode(r["data_b64"]) for r in sent)
    response = b"".join(base64.b64decode(r["data_b64"]) for r in received)
    assert request.startswith(b"GET /native-tls-probe HTTP/1.1\r\n")
    assert b" 200 " in response.split(b"\r\n", 1)[0]
    assert {r["peer"]["port"] for r in sent} == {https_server.port}
    assert all(r["library"].startswith("libssl") and r["len"] >= 1 for r in records)


def test_no_tls_records_unless_asked(knowledge, https_server: Server, tmp_path: Path) -> None:
    assert tls_records(tmp_path / "b", knowledge, https_server, native_tls=False) == []
