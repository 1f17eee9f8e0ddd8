"""The phone's own identifiers, read before the run, as known values for traffic search.

A value known in advance is found in traffic however it is disguised (hashed, base64,
upper-cased), which is the strongest evidence there is. What can be read depends on the
phone, and some values the shell sees are not what the app sees:

* ANDROID_ID is per app-signing key since Android 8: the shell's value is not the app's,
  so it is recorded only below API 26 (above, the runtime hooks record the value the app
  really read);
* IMEI needs root since Android 10; the `service call` transaction differs between
  versions, so it is taken from the device profile (`imei_call`) and left out otherwise
  (UNVERIFIED on Android 14+ here: no phone on the build machine);
* the Wi-Fi MAC is the randomised per-network one on recent phones, which is what an app
  could read anyway; the placeholder 02:00:00:00:00:00 is never recorded;
* installed packages: third-party ones (`pm list packages -3`) minus the app under test,
  the list SDKs upload as "app list".
"""

from __future__ import annotations

import logging
from typing import Any

from apptest.device import commands as cmd
from apptest.device.adb import AdbPhone
from apptest.device.base import DeviceError

logger = logging.getLogger(__name__)
PLACEHOLDER_MAC = "02:00:00:00:00:00"
ANDROID_ID_PER_APP_FROM_SDK = 26


def read_identifiers(phone: AdbPhone, package: str | None = None) -> tuple[dict[str, Any], list[str]]:
    """({data type: value}, notes on what could not be read and why)."""
    values: dict[str, Any] = {}
    notes: list[str] = []
    if phone.sdk < ANDROID_ID_PER_APP_FROM_SDK:
        android_id = phone.shell("settings get secure android_id").strip()
        if android_id and android_id != "null":
            values["device.android_id"] = android_id
    else:
        notes.append("device.android_id: per app since Android 8, taken from the runtime hooks instead")
    serial = phone.shell(cmd.getprop("ro.serialno")).strip()
    if serial and serial.lower() not in ("unknown", "0123456789abcdef"):
        values["device.serial"] = serial
    mac = phone.shell("cat /sys/class/net/wlan0/address").strip().lower()
    if len(mac) == 17 and mac != PLACEHOLDER_MAC:
        values["device.mac"] = mac
    else:
        notes.append("device.mac: not readable from the shell")
    imei_call = phone.settings.imei_call
    if phone.settings.rooted and imei_call:
        try:
            imei = cmd.parcel_string(phone.root(f"service call {imei_call}"))
        except DeviceError as exc:
            imei = None
            notes.append(f"device.imei: {exc}")
        if imei and imei.isdigit() and len(imei) in (14, 15):
            values["device.imei"] = imei
        else:
            notes.append("device.imei: the service call gave no IMEI")
    else:
        notes.append("device.imei: needs a rooted phone and `imei_call` in the device profile")
    packages = [p for p in cmd.packages_from_list(phone.shell("pm list packages -3")) if p != package]
    if packages:
        values["apps.installed"] = packages
    return values, notes
