"""Proxy, reverse port and system CA: set for the run, undone afterwards even on errors."""

from __future__ import annotations

import datetime
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from apptest.device import cert
from apptest.device.base import DeviceError
from apptest.device.prepare import PhoneGuard
from tests.device.adbserver import AdbTestServer
from tests.device.conftest import SERIAL, base_outputs, phone_for


def test_proxy_over_usb_reverses_the_port_and_clears_it_after_an_exception(server, phone):
    with pytest.raises(RuntimeError), PhoneGuard(phone) as guard:
        assert guard.proxy(8080) == "127.0.0.1:8080"
        assert server.reverses == {"tcp:8080": "tcp:8080"}
        assert server.commands[-1] == "settings put global http_proxy 127.0.0.1:8080"
        raise RuntimeError("the run crashed")
    assert server.commands[-1] == "settings put global http_proxy :0"
    assert server.reverses == {}
    assert "reverse:killforward:tcp:8080" in server.services


def test_proxy_over_wifi_uses_the_lab_host_and_no_reverse(server):
    phone = phone_for(server, connection="wifi", proxy_host="192.168.1.20")
    with PhoneGuard(phone) as guard:
        guard.proxy(8899)
        assert server.commands[-1] == "settings put global http_proxy 192.168.1.20:8899"
    assert server.commands[-1] == "settings put global http_proxy :0"
    assert not [s for s in server.services if s.startswith("reverse:")]


def test_a_proxy_the_lab_had_set_is_put_back(server, phone):
    server.outputs["settings get global http_proxy"] = "10.0.0.5:3128\n"
    with PhoneGuard(phone) as guard:
        guard.proxy(8080)
    assert server.commands[-1] == "settings put global http_proxy 10.0.0.5:3128"


def test_restore_keeps_going_when_one_undo_fails(server, phone):
    guard = PhoneGuard(phone)
    guard.proxy(8080)
    server.reverses.clear()  # the reverse vanished (phone replugged): its undo fails
    problems = guard.restore()
    assert len(problems) == 1 and "adb reverse" in problems[0]
    assert server.commands[-1] == "settings put global http_proxy :0"
    assert guard.restore() == []  # nothing left to undo, nothing sent twice
    assert server.sent("settings put global http_proxy :0") == ["settings put global http_proxy :0"]


def test_stop_app_on_restore(server, phone):
    with PhoneGuard(phone) as guard:
        guard.stop_app("com.example.rental")
    assert server.commands[-1] == "am force-stop com.example.rental"


def _ca_pem() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "mitmproxy"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "mitmproxy"),
        ]
    )
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM)


def test_subject_hash_matches_openssl(tmp_path):
    pem = _ca_pem()
    (tmp_path / "ca.pem").write_bytes(pem)
    expected = subprocess.run(
        ["openssl", "x509", "-subject_hash_old", "-noout", "-in", str(tmp_path / "ca.pem")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert cert.subject_hash_old(pem) == expected


@pytest.mark.parametrize(("sdk", "store"), [(34, cert.APEX_STORE), (30, cert.SYSTEM_STORE)])
def test_ca_install_on_a_rooted_phone_and_its_removal(tmp_path, sdk, store):
    pem = _ca_pem()
    ca = tmp_path / "mitmproxy-ca-cert.pem"
    ca.write_bytes(pem)
    name = f"{cert.subject_hash_old(pem)}.0"
    outputs = {**base_outputs(sdk), f"su -c 'ls {store}/{name}'": f"{store}/{name}\n"}
    with AdbTestServer(SERIAL, outputs) as srv:
        phone = phone_for(srv, rooted=True)
        with PhoneGuard(phone) as guard:
            assert guard.install_ca(ca) == name
            assert srv.files[cert.REMOTE_CERT] == pem
            script = srv.files["/data/local/tmp/apptest-ca-install.sh"].decode()
            assert f"cp {cert.REMOTE_CERT} {cert.STAGING}/{name}" in script
            assert f"cp {store}/* {cert.STAGING}/" in script
            assert ("nsenter" in script) is (sdk >= 34)
            assert "su -c 'sh /data/local/tmp/apptest-ca-install.sh'" in srv.commands
        assert "su -c 'sh /data/local/tmp/apptest-ca-remove.sh'" in srv.commands
        assert "umount /system/etc/security/cacerts" in srv.files["/data/local/tmp/apptest-ca-remove.sh"].decode()
        assert srv.commands[-1] == "rm -f /data/local/tmp/apptest-ca-remove.sh"


def test_ca_that_did_not_land_is_an_error_and_is_still_removed(tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_bytes(_ca_pem())
    with AdbTestServer(SERIAL, {**base_outputs(34), "su -c 'ls": "ls: No such file or directory\n"}) as srv:
        phone = phone_for(srv, rooted=True)
        with pytest.raises(DeviceError, match="not in /apex"), PhoneGuard(phone) as guard:
            guard.install_ca(ca)
        assert "su -c 'sh /data/local/tmp/apptest-ca-remove.sh'" in srv.commands


def test_ca_needs_root(server, phone, tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_bytes(_ca_pem())
    with pytest.raises(DeviceError, match="rooted"):
        PhoneGuard(phone).install_ca(ca)
    assert not server.sent("su ")
