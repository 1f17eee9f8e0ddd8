"""`apptest capture --mode transparent` with real netfilter redirection between two hosts.

A "phone" and a "lab" network namespace joined by a veth pair stand in for a phone whose
gateway is the lab machine. In the lab, iptables REDIRECTs the phone's ports 80 and 443
to the proxy, exactly as the capture banner tells a tester to; the phone's client knows
nothing of a proxy. Both namespaces are this test's own and are removed afterwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from apptest.evidence import Bundle, verify
from apptest.traffic.flowfile import read_flow_file
from tests.traffic import netkit
from tests.traffic.conftest import IMEI

LAB_IP, PHONE_IP, PORT = "10.231.7.1", "10.231.7.2", 8080


@dataclass
class Hosts:
    lab: str
    phone: str


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True, timeout=30)


@pytest.fixture
def hosts() -> Iterator[Hosts]:
    if os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("iptables"):
        pytest.skip("transparent mode needs root, iproute2 and iptables (netfilter REDIRECT)")
    tag = uuid.uuid4().hex[:6]
    made = Hosts(f"apptest-lab-{tag}", f"apptest-phone-{tag}")
    try:
        _ip("netns", "add", made.lab)
        _ip("netns", "add", made.phone)
        _ip("link", "add", f"atl{tag}", "type", "veth", "peer", "name", f"atp{tag}")
        _ip("link", "set", f"atl{tag}", "netns", made.lab)
        _ip("link", "set", f"atp{tag}", "netns", made.phone)
        for ns, dev, address in ((made.lab, f"atl{tag}", LAB_IP), (made.phone, f"atp{tag}", PHONE_IP)):
            _ip("-n", ns, "addr", "add", f"{address}/24", "dev", dev)
            _ip("-n", ns, "link", "set", dev, "up")
            _ip("-n", ns, "link", "set", "lo", "up")
        redirect = ["-t", "nat", "-A", "PREROUTING", "-i", f"atl{tag}", "-p", "tcp", "-m", "multiport",
                    "--dports", "80,443", "-j", "REDIRECT", "--to-port", str(PORT)]  # fmt: skip
        subprocess.run(["ip", "netns", "exec", made.lab, "iptables", *redirect], check=True, capture_output=True)
    except subprocess.CalledProcessError as exc:
        for ns in (made.lab, made.phone):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        pytest.skip(f"network namespaces with netfilter are not available here: {(exc.stderr or '').strip()}")
    yield made
    for ns in (made.lab, made.phone):  # deleting a namespace removes its veth end and rules
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


PHONE_CLIENT = """
import http.client, json, ssl, sys
lab, cafile, imei = sys.argv[1:4]
conn = http.client.HTTPConnection(lab, 80, timeout=10)
conn.request("POST", "/log", body=json.dumps({"imei": imei}), headers={"Host": "api.example-app.cn"})
print("http", conn.getresponse().status)
context = ssl.create_default_context(cafile=cafile)
conn = http.client.HTTPSConnection(lab, 443, timeout=10, context=context)
conn.sock = context.wrap_socket(__import__("socket").create_connection((lab, 443), timeout=10),
                                server_hostname="alog.umeng.com")
conn.request("GET", "/app_logs?di=" + imei, headers={"Host": "alog.umeng.com"})
print("https", conn.getresponse().status)
try:
    ssl.create_default_context().wrap_socket(__import__("socket").create_connection((lab, 443), timeout=10),
                                             server_hostname="pinned.example-sdk.com")
except ssl.SSLError:
    print("refused")
"""


def test_transparent_capture_of_a_phone_that_knows_no_proxy(
    tmp_path: Path, device_file: Path, hosts: Hosts
) -> None:
    bundle, confdir = tmp_path / "bundle", tmp_path / "mitm"
    args = ["-m", "apptest.cli", "capture", "--mode", "transparent", "--listen", f"0.0.0.0:{PORT}", "--sinkhole",
            "--bundle", str(bundle), "--device", str(device_file), "--confdir", str(confdir)]  # fmt: skip
    proxy = netkit.Proxy(args, r"listening: transparent on 0\.0\.0\.0:(\d+)", prefix=["ip", "netns", "exec", hosts.lab])
    try:
        phone = subprocess.run(
            ["ip", "netns", "exec", hosts.phone, sys.executable, "-c", PHONE_CLIENT, LAB_IP,
             str(confdir / "mitmproxy-ca-cert.pem"), IMEI],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    finally:
        code = proxy.stop()
    assert phone.stdout.split() == ["http", "200", "https", "200", "refused"], phone.stderr
    assert code == 0, proxy.output
    assert f"REDIRECT --to-port {PORT}" in proxy.output
    report = verify(bundle)
    assert report.sealed and report.ok, report.problems
    observations = Bundle.open(bundle).read_stream("observations.jsonl").records
    sent = {(r["destination"]["host"], r["data_types"][0], r["detail"]["location"])
            for r in observations if r["action"] == "transmits"}  # fmt: skip
    assert sent == {("api.example-app.cn", "device.imei", "body"), ("alog.umeng.com", "device.imei", "query")}
    refused = [(r["destination"]["host"], r["detail"]["kind"]) for r in observations
               if r["action"] == "connects" and not r["detail"]["inspected"]]  # fmt: skip
    assert refused == [("pinned.example-sdk.com", "tls_refused")]
    flows = read_flow_file(bundle / "flows.mitm").flows
    assert sorted(f.server_conn.address for f in flows) == [(LAB_IP, 80), (LAB_IP, 443)]  # the original destinations
    assert {f.client_conn.peername[0] for f in flows} == {PHONE_IP}
