"""`control:` of a device profile: defaults for a USB phone, overrides, validation."""

from __future__ import annotations

import pytest
import yaml

from apptest.device.settings import DeviceSettings, adb_server_port, load_settings
from apptest.knowledge import Knowledge, ProfileError


def test_defaults_suit_a_usb_phone_without_root(monkeypatch):
    monkeypatch.delenv("ANDROID_ADB_SERVER_PORT", raising=False)
    settings = DeviceSettings.from_profile({"serial": "ABC"})
    assert (settings.serial, settings.connection, settings.phone_proxy_host) == ("ABC", "usb", "127.0.0.1")
    assert (settings.rooted, settings.install_ca, settings.ui, settings.adb_port) == (False, False, "adb", 5037)


def test_control_overrides_and_serial_from_the_command_line():
    settings = DeviceSettings.from_profile(
        {
            "serial": "ABC",
            "control": {
                "connection": "wifi",
                "proxy": {"host": "192.168.1.20", "port": 8899},
                "rooted": True,
                "install_ca": True,
                "frida": {"server_path": "/data/local/tmp/fs17"},
                "imei_call": "iphonesubinfo 1 s16 com.android.shell",
            },
        },
        serial="XYZ",
    )
    assert settings.serial == "XYZ"
    assert (settings.phone_proxy_host, settings.proxy_port) == ("192.168.1.20", 8899)
    assert settings.rooted and settings.install_ca and settings.frida_server == "/data/local/tmp/fs17"


def test_adb_port_follows_adb_convention(monkeypatch):
    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", "5099")
    assert adb_server_port() == 5099 and DeviceSettings().adb_port == 5099


def test_a_profile_without_control(tmp_path):
    path = tmp_path / "phone.yaml"
    path.write_text(
        yaml.safe_dump({"id": "phone", "serial": "ABC", "identifiers": {"device.android_id": "9774d56d682e549c"}})
    )
    settings = load_settings(Knowledge.load(), path, None)
    assert settings.serial == "ABC" and settings.connection == "usb"
    assert load_settings(Knowledge.load(), None, "S1").serial == "S1"


def test_a_profile_with_control_is_validated(tmp_path):
    path = tmp_path / "phone.yaml"
    path.write_text(yaml.safe_dump({"id": "phone", "control": {"connection": "wifi", "proxy": {"port": 8899}}}))
    assert load_settings(Knowledge.load(), path, None).connection == "wifi"
    path.write_text(yaml.safe_dump({"id": "phone", "control": {"conection": "wifi"}}))
    with pytest.raises(ProfileError, match="conection"):
        load_settings(Knowledge.load(), path, None)
