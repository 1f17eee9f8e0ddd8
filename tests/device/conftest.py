"""A phone made of an adb-protocol server on 127.0.0.1, driven through adbutils."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from apptest.device.adb import AdbPhone, connect
from apptest.device.settings import DeviceSettings
from tests.device.adbserver import AdbTestServer

SERIAL = "TESTPHONE1"

DUMPSYS_PACKAGE = """\
Packages:
  Package [com.example.rental] (5b1e7a2):
    requested permissions:
      android.permission.INTERNET
      android.permission.CAMERA
      android.permission.ACCESS_FINE_LOCATION
    install permissions:
      android.permission.INTERNET: granted=true
    runtime permissions:
      android.permission.CAMERA: granted=true, flags=[ USER_SET|USER_SENSITIVE_WHEN_GRANTED ]
      android.permission.ACCESS_FINE_LOCATION: granted=false, flags=[ USER_SET|USER_SENSITIVE_WHEN_DENIED ]
      android.permission.READ_CONTACTS: granted=false, flags=[ USER_SENSITIVE_WHEN_DENIED ]
"""

UI_XML = """<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<hierarchy rotation="0">
  <node index="0" text="" resource-id="" class="android.widget.FrameLayout" package="com.example.rental" checkable="false" checked="false" clickable="false" bounds="[0,0][1080,2340]">
    <node index="0" text="用户协议和隐私政策" resource-id="com.example.rental:id/title" class="android.widget.TextView" package="com.example.rental" checkable="false" checked="false" clickable="false" bounds="[90,700][990,780]" />
    <node index="1" text="我已阅读并同意" resource-id="com.example.rental:id/agree_box" class="android.widget.CheckBox" package="com.example.rental" checkable="true" checked="true" clickable="true" bounds="[90,1300][990,1380]" />
    <node index="2" text="不同意" resource-id="com.example.rental:id/btn_refuse" class="android.widget.Button" package="com.example.rental" checkable="false" checked="false" clickable="true" bounds="[90,1500][500,1620]" />
    <node index="3" text="同意" resource-id="com.example.rental:id/btn_agree" class="android.widget.Button" package="com.example.rental" checkable="false" checked="false" clickable="true" bounds="[580,1500][990,1620]" />
    <node index="4" text="隐藏" resource-id="com.example.rental:id/hidden" class="android.widget.Button" package="com.example.rental" checkable="false" checked="false" clickable="true" bounds="[0,0][0,0]" />
  </node>
</hierarchy>
"""


def base_outputs(sdk: int = 34) -> dict[str, object]:
    return {
        "getprop ro.build.version.sdk": f"{sdk}\n",
        "getprop ro.product.model": "Pixel 7\n",
        "getprop ro.product.manufacturer": "Google\n",
        "getprop ro.build.version.release": "14\n",
        "getprop ro.build.fingerprint": "google/panther/panther:14/UQ1A/1:user/release-keys\n",
        "settings get global http_proxy": "null\n",
        "dumpsys package com.example.rental": DUMPSYS_PACKAGE,
    }


@pytest.fixture
def server() -> Iterator[AdbTestServer]:
    with AdbTestServer(SERIAL, base_outputs()) as srv:
        yield srv


def phone_for(server: AdbTestServer, **settings: object) -> AdbPhone:
    return connect(DeviceSettings(serial=SERIAL, adb_port=server.port, **settings))  # type: ignore[arg-type]


@pytest.fixture
def phone(server: AdbTestServer) -> AdbPhone:
    return phone_for(server)
