"""The stand-in phone on the JVM: compile cache, control channel, screens, permissions, proxy."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from apptest.demo import build
from apptest.demo.bench import standin_properties
from apptest.demo.phone import StandInPhone
from apptest.demo.screen import wireframe
from apptest.device.base import Target
from apptest.knowledge import Knowledge

PKG = "com.example.rental"
LOCATION = "android.permission.ACCESS_FINE_LOCATION"


@pytest.fixture(scope="module")
def identifiers() -> dict:
    knowledge = Knowledge.load()
    return knowledge.device_profile(knowledge.dirs[0] / "devices" / "demo-standin.yaml")["identifiers"]


@pytest.fixture
def phone(identifiers, tmp_path):
    standin = StandInPhone.start(build.classes_dir(), standin_properties(identifiers), tmp_path / "jvm.log")
    yield standin
    standin.close()


def test_properties_come_from_the_device_profile(identifiers):
    props = standin_properties(identifiers)
    assert props["android_id"] == identifiers["device.android_id"]
    assert props["mac"] == identifiers["device.mac"]
    assert props["packages"].split(",") == identifiers["apps.installed"]
    assert (props["lat"], props["lng"]) == (
        str(identifiers["location.precise"]["lat"]),
        str(identifiers["location.precise"]["lng"]),
    )


def test_compiled_once_per_source_set(tmp_path):
    first = build.classes_dir(tmp_path)
    stamp = (first / "com/android/standin/Control.class").stat().st_mtime_ns
    assert build.classes_dir(tmp_path) == first
    assert (first / "com/android/standin/Control.class").stat().st_mtime_ns == stamp
    files = build.sources()
    assert build.fingerprint(files, build.source_root(), "javac 17") != build.fingerprint(
        files[:-1], build.source_root(), "javac 17"
    )
    assert build.fingerprint(files, build.source_root(), "javac 17") != build.fingerprint(
        files, build.source_root(), "javac 21"
    )


def test_no_jdk_is_one_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(build.JavaMissing, match="javac"):
        build.classes_dir(tmp_path)


def test_launch_policy_consent_and_permission_dialog(phone):
    assert phone.pid_of(PKG) is None and phone.foreground_package() == "com.android.launcher3"
    phone.launch(PKG)
    assert phone.pid_of(PKG) == phone.jvm_pid and phone.foreground_package() == PKG
    assert phone.exists(Target(text=("不同意",))) and phone.exists(Target(resource_id=f"{PKG}:id/agree_check"))
    assert phone.tap(Target(text=("同意",)))
    assert phone.foreground_package() == "com.android.permissioncontroller"
    assert phone.tap(Target(resource_id="com.android.permissioncontroller:id/permission_deny_button"))
    assert phone.user_denied(PKG) == {LOCATION} and phone.granted_permissions(PKG) == set()
    assert phone.foreground_package() == PKG
    assert not phone.exists(Target(text=("找房",)))  # the dead end after refusing location
    assert phone.tap(Target(text=("nothing here",))) is False


def test_refusal_offers_browse_mode_and_state_survives_a_restart(phone):
    phone.launch(PKG)
    phone.tap(Target(text=("同意",)))
    phone.grant(PKG, LOCATION)  # granted from the dialog's point of view: the dialog is still up
    phone.force_stop(PKG)
    assert phone.pid_of(PKG) is None
    phone.launch(PKG)
    assert phone.exists(Target(text=("找房",)))  # agreed and located: listings
    phone.revoke(PKG, LOCATION)  # like `pm revoke`: the process dies
    assert phone.pid_of(PKG) is None
    phone.clear_data(PKG)
    phone.launch(PKG)
    assert phone.exists(Target(text=("同意",)))
    phone.tap(Target(text=("不同意",)))
    assert phone.exists(Target(text=("找房",))) and phone.exists(Target(text=("当前为浏览模式，部分功能不可用",)))


def test_home_back_and_screen(phone):
    phone.launch(PKG)
    phone.home()
    assert phone.foreground_package() == "com.android.launcher3" and phone.pid_of(PKG)
    phone.launch(PKG)
    assert phone.foreground_package() == PKG
    phone.back()
    assert phone.foreground_package() == "com.android.launcher3"
    phone.screen(False)
    assert phone.tap(Target(xy=(180, 420))) is True  # sent, but a dark screen takes no taps
    assert phone.foreground_package() == "com.android.launcher3"


def test_global_proxy_setting(phone):
    assert phone.proxy() == "null"
    phone.set_proxy("127.0.0.1", 8899)
    assert phone.proxy() == "127.0.0.1:8899"
    phone.clear_proxy()
    assert phone.proxy() == "null"


def test_the_jvm_exits_with_its_controller(identifiers):
    standin = StandInPhone.start(build.classes_dir(), standin_properties(identifiers))
    standin.close()
    assert standin.process.returncode == 0


def test_wireframe_is_a_png_showing_the_screen(phone):
    phone.launch(PKG)
    xml = phone.hierarchy()
    assert xml is not None
    image = Image.open(io.BytesIO(wireframe(xml)))
    assert image.size == (360, 780) and image.format == "PNG"
    assert phone.screenshot() == wireframe(xml)


def test_sources_ship_with_the_package():
    root = build.source_root()
    assert (root / "com/example/rental/MainActivity.java").is_file()
    assert all(Path(p).suffix == ".java" for p in os.listdir(root / "android/provider"))
