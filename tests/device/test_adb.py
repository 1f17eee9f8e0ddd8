"""What a phone receives when apptest drives it: exact shell commands over the adb protocol."""

from __future__ import annotations

import pytest

from apptest.device.adb import connect
from apptest.device.base import DeviceError, Target
from apptest.device.settings import DeviceSettings
from tests.device.adbserver import AdbTestServer, ui_dump
from tests.device.conftest import SERIAL, UI_XML, base_outputs, phone_for


def test_connect_by_serial_and_facts(server, phone):
    facts = phone.facts()
    assert facts == {
        "kind": "adb",
        "serial": SERIAL,
        "sdk": 34,
        "model": "Pixel 7",
        "manufacturer": "Google",
        "android_version": "14",
        "build": "google/panther/panther:14/UQ1A/1:user/release-keys",
        "rooted": False,
    }
    assert f"host-serial:{SERIAL}:get-state" in server.services
    assert f"host:transport:{SERIAL}" in server.services


def test_connect_without_serial_takes_the_only_phone(server):
    phone = connect(DeviceSettings(adb_port=server.port))
    assert phone.serial == SERIAL
    assert "host:devices" in server.services


def test_connect_to_an_absent_serial_is_one_line_error(server):
    with pytest.raises(DeviceError, match="adb"):
        connect(DeviceSettings(serial="NOPE", adb_port=server.port))


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (
            lambda p: p.launch("com.example.rental"),
            "monkey -p com.example.rental -c android.intent.category.LAUNCHER 1",
        ),
        (lambda p: p.launch("com.example.rental", ".MainActivity"), "am start -W -n com.example.rental/.MainActivity"),
        (lambda p: p.force_stop("com.example.rental"), "am force-stop com.example.rental"),
        (lambda p: p.clear_data("com.example.rental"), "pm clear com.example.rental"),
        (lambda p: p.home(), "input keyevent KEYCODE_HOME"),
        (lambda p: p.back(), "input keyevent KEYCODE_BACK"),
        (lambda p: p.screen(False), "input keyevent KEYCODE_SLEEP"),
        (lambda p: p.screen(True), "input keyevent KEYCODE_WAKEUP"),
        (lambda p: p.grant("com.x", "android.permission.CAMERA"), "pm grant com.x android.permission.CAMERA"),
        (lambda p: p.revoke("com.x", "android.permission.CAMERA"), "pm revoke com.x android.permission.CAMERA"),
        (lambda p: p.swipe((10, 20), (30, 40), 0.5), "input swipe 10 20 30 40 500"),
        (lambda p: p.input_text("hello world"), "input text hello%sworld"),
        (lambda p: p.uninstall("com.x"), "pm uninstall com.x"),
    ],
)
def test_commands_as_the_phone_receives_them(server, phone, call, expected):
    before = len(server.commands)
    call(phone)
    assert server.commands[before:] == [expected]


def test_package_names_are_quoted_for_the_phone_shell(server, phone):
    phone.force_stop("com.x; reboot")
    assert server.commands[-1] == "am force-stop 'com.x; reboot'"


def test_permissions_read_from_dumpsys(phone):
    assert phone.granted_permissions("com.example.rental") == {
        "android.permission.INTERNET",
        "android.permission.CAMERA",
    }
    # READ_CONTACTS was never asked (no USER_SET): not a user denial
    assert phone.user_denied("com.example.rental") == {"android.permission.ACCESS_FINE_LOCATION"}


def test_grant_refused_by_the_phone_is_an_error(server, phone):
    server.outputs["pm grant"] = (
        "Exception occurred while executing 'grant':\njava.lang.SecurityException: not a changeable permission type"
    )
    with pytest.raises(DeviceError, match="not a changeable"):
        phone.grant("com.x", "android.permission.INTERNET")


@pytest.mark.parametrize(("sdk", "flags"), [(34, "-r -t --bypass-low-target-sdk-block"), (33, "-r -t")])
def test_install_pushes_installs_and_removes_the_copy(tmp_path, sdk, flags):
    apk = tmp_path / "app.apk"
    apk.write_bytes(b"PK\x03\x04 not really an apk" * 1000)
    with AdbTestServer(SERIAL, {**base_outputs(sdk), "pm install": "Success\n"}) as srv:
        phone_for(srv).install(apk)
        assert srv.files["/data/local/tmp/apptest-install.apk"] == apk.read_bytes()
        assert srv.sent("pm install") == [f"pm install {flags} /data/local/tmp/apptest-install.apk"]
        assert srv.commands[-1] == "rm -f /data/local/tmp/apptest-install.apk"


def test_failed_install_says_why_and_still_removes_the_copy(tmp_path):
    apk = tmp_path / "app.apk"
    apk.write_bytes(b"x")
    with AdbTestServer(
        SERIAL, {**base_outputs(), "pm install": "Failure [INSTALL_FAILED_DEPRECATED_SDK_VERSION]"}
    ) as srv:
        with pytest.raises(DeviceError, match="INSTALL_FAILED_DEPRECATED_SDK_VERSION"):
            phone_for(srv).install(apk)
        assert srv.commands[-1] == "rm -f /data/local/tmp/apptest-install.apk"


@pytest.mark.parametrize(
    ("target", "tap"),
    [
        (Target(text=("不同意",)), "input tap 295 1560"),
        (Target(text=("暂不同意", "同意")), "input tap 785 1560"),
        (Target(resource_id="com.example.rental:id/btn_agree"), "input tap 785 1560"),
        (Target(xpath="//node[@class='android.widget.CheckBox']"), "input tap 540 1340"),
        (Target(text=("隐私",), contains=True), "input tap 540 740"),
        (Target(xy=(5, 6)), "input tap 5 6"),
    ],
)
def test_tap_resolves_targets_from_the_view_dump(server, phone, target, tap):
    server.outputs["uiautomator dump"] = ui_dump(UI_XML)
    assert phone.tap(target) is True
    assert server.commands[-1] == tap


@pytest.mark.parametrize(
    "target",
    [
        Target(text=("同意并继续",)),  # exact text only
        Target(text=("隐藏",)),  # present but zero-sized: not visible
        Target(resource_id="com.example.rental:id/missing"),
        Target(xpath="//node[@text='nope']"),
    ],
)
def test_tap_on_something_not_on_screen_sends_no_tap(server, phone, target):
    server.outputs["uiautomator dump"] = ui_dump(UI_XML)
    assert phone.tap(target) is False
    assert not server.sent("input tap")


def test_hierarchy_and_screenshot_come_from_the_phone(server, phone):
    server.outputs["uiautomator dump"] = ui_dump(UI_XML)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    server.outputs["screencap -p"] = png
    assert phone.hierarchy() == UI_XML
    assert "sync:RECV /data/local/tmp/apptest-ui.xml" in server.services
    assert phone.screenshot() == png


def test_failed_dump_and_non_png_screenshot_are_none(server, phone):
    server.outputs["uiautomator dump"] = "ERROR: could not get idle state.\n"
    server.outputs["screencap -p"] = b"error: no display"
    assert phone.hierarchy() is None
    assert phone.screenshot() is None


def test_pid_and_foreground(server, phone):
    server.outputs["pidof com.example.rental"] = "12345\n"
    server.outputs["dumpsys activity activities"] = (
        "  ResumedActivity: ActivityRecord{5d2 u0 com.example.rental/.MainActivity t12}\n"
        "  mResumedActivity: ActivityRecord{5d2 u0 com.example.rental/.MainActivity t12}\n"
    )
    assert phone.pid_of("com.example.rental") == 12345
    assert phone.pid_of("com.other") is None
    assert phone.foreground_package() == "com.example.rental"
