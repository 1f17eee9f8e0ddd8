"""The phone's identifiers as known values, and the frida-server check."""

from __future__ import annotations

import pytest

from apptest.device import commands as cmd
from apptest.device import frida_server
from apptest.device.identifiers import read_identifiers
from tests.device.adbserver import AdbTestServer
from tests.device.conftest import SERIAL, base_outputs, phone_for

# `service call iphonesubinfo 1 s16 com.android.shell` on a rooted phone: a Parcel with the
# status word, the string length (15) and the UTF-16 characters of "860123456789012".
IMEI_PARCEL = """Result: Parcel(
  0x00000000: 00000000 0000000f 00360038 00310030 '........8.6.0.1.'
  0x00000010: 00330032 00350034 00370036 00390038 '2.3.4.5.6.7.8.9.'
  0x00000020: 00310030 00000032                   '0.1.2...        ')
"""
PACKAGES = "package:com.tencent.mm\npackage:com.example.rental\npackage:com.eg.android.AlipayGphone\n"


def _outputs(sdk: int) -> dict[str, object]:
    return {
        **base_outputs(sdk),
        "settings get secure android_id": "9774d56d682e549c\n",
        "getprop ro.serialno": "R58M12ABCDE\n",
        "cat /sys/class/net/wlan0/address": "AA:BB:CC:11:22:33\n",
        "su -c 'service call iphonesubinfo 1 s16 com.android.shell'": IMEI_PARCEL,
        "pm list packages -3": PACKAGES,
    }


def test_identifiers_of_a_rooted_phone():
    with AdbTestServer(SERIAL, _outputs(34)) as srv:
        phone = phone_for(srv, rooted=True, imei_call="iphonesubinfo 1 s16 com.android.shell")
        values, notes = read_identifiers(phone, "com.example.rental")
    assert values == {
        "device.serial": "R58M12ABCDE",
        "device.mac": "aa:bb:cc:11:22:33",
        "device.imei": "860123456789012",
        "apps.installed": ["com.eg.android.AlipayGphone", "com.tencent.mm"],
    }
    assert any(n.startswith("device.android_id: per app") for n in notes)
    assert "settings get secure android_id" not in srv.commands


def test_android_id_only_where_the_shell_sees_the_apps_value():
    with AdbTestServer(SERIAL, _outputs(25)) as srv:
        values, notes = read_identifiers(phone_for(srv), None)
    assert values["device.android_id"] == "9774d56d682e549c"
    assert "device.imei" not in values  # not rooted: never tried
    assert not srv.sent("su ")
    assert any("needs a rooted phone" in n for n in notes)


def test_placeholder_mac_is_not_a_known_value():
    with AdbTestServer(SERIAL, {**_outputs(34), "cat /sys/class/net/wlan0/address": "02:00:00:00:00:00\n"}) as srv:
        values, _ = read_identifiers(phone_for(srv), None)
    assert "device.mac" not in values


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (IMEI_PARCEL, "860123456789012"),
        ("Result: Parcel(fffffffc ffffffff '........')", None),  # SecurityException
        ("Result: Parcel(00000000 ffffffff   '........')", None),  # null string
    ],
)
def test_parcel_string(text, value):
    assert cmd.parcel_string(text) == value


@pytest.mark.parametrize(
    ("pidof", "version", "host", "ok", "problem"),
    [
        ("4242\n", "17.2.1\n", "17.26.2", True, None),
        ("", "17.2.1\n", "17.26.2", False, "not running"),
        ("4242\n", "16.5.9\n", "17.26.2", False, "majors must match"),
        ("4242\n", "/system/bin/sh: frida: not found\n", "17.26.2", False, "cannot read the version"),
    ],
)
def test_frida_server_check(pidof, version, host, ok, problem):
    path = "/data/local/tmp/fs-renamed"
    outputs = {**base_outputs(), "pidof fs-renamed": pidof, f"{path} --version": version}
    with AdbTestServer(SERIAL, outputs) as srv:
        status = frida_server.check(phone_for(srv, frida_server=path), host)
    assert status.ok is ok
    assert (status.problem() is None) if problem is None else (problem in status.problem())
