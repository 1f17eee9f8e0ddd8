"""The demo's bench: the stand-in rental app on the local JVM instead of a phone.

It plays the part `device.bench.PhoneBench` plays for a phone: start the "phone" with its
proxy pointed at the capture, say what it is, give the hooks a process, stop it at the
end. The identifier values the stand-in answers with come from the demo device profile,
the same file the traffic analysis reads its known values from.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from apptest.demo.build import classes_dir
from apptest.demo.phone import StandInPhone
from apptest.device.prepare import PhoneGuard
from apptest.evidence import Bundle

PACKAGE = "com.example.rental"
LABEL = "安心租房"
APPLICATION = "com.example.rental.RentalApplication"
ACTIVITY = "com.example.rental.MainActivity"
# taxonomy id -> the stand-in's property (android.* stand-ins read System properties)
PROPERTIES = {
    "device.android_id": "android_id",
    "device.imei": "imei",
    "device.imsi": "imsi",
    "device.mac": "mac",
    "network.wifi_ssid": "ssid",
}
TARGET = {
    "kind": "stand-in",
    "description": {
        "zh": "演示替身：在本机JVM上运行的租房App替身（android.* 类的Java替身），不是真实的App或手机；"
        "静态分析的对象是随apptest附带的示例APK。",
        "en": "Demo stand-in: a rental app running on the local JVM with Java stand-ins of the android.* classes - "
        "not a real app or phone; static analysis ran on the sample APK shipped with apptest.",
    },
}


def standin_properties(identifiers: Mapping[str, Any]) -> dict[str, str]:
    """System properties for the stand-in from a device profile's `identifiers`."""
    props = {"package": PACKAGE, "label": LABEL, "application": APPLICATION, "activity": ACTIVITY}
    for data_type, key in PROPERTIES.items():
        if identifiers.get(data_type) is not None:
            props[key] = str(identifiers[data_type])
    location = identifiers.get("location.precise") or {}
    if location:
        props["lat"], props["lng"] = str(location["lat"]), str(location["lng"])
    props["packages"] = ",".join(identifiers.get("apps.installed") or [])
    return props


class StandInBench:
    kind = "stand-in"

    def __init__(self, identifiers: Mapping[str, Any], classes: Path | None = None) -> None:
        self.identifiers = dict(identifiers)
        self.classes = classes
        self.phone: StandInPhone | None = None
        self.guard: PhoneGuard | None = None
        self.notes: list[str] = []
        self.restored: list[str] = []

    def open(self, bundle: Bundle, proxy_port: int) -> StandInPhone:
        """Start the stand-in and prepare it with the same guard a phone gets (proxy, stop)."""
        classes = self.classes or classes_dir()
        log = bundle.root / "derived" / "standin.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        self.phone = StandInPhone.start(classes, standin_properties(self.identifiers), log)
        self.guard = PhoneGuard(self.phone)
        self.guard.stop_app(PACKAGE)
        self.guard.proxy(proxy_port)
        return self.phone

    def facts(self) -> dict[str, Any]:
        return self.phone.facts() if self.phone else {"kind": self.kind}

    def hook_target(self) -> dict[str, Any]:
        """The JVM itself: the app's "process" is a thread group inside it."""
        return {"kind": "attach", "pid": self.phone.jvm_pid if self.phone else None, "package": PACKAGE}

    def close(self) -> list[str]:
        """Undo what the guard did (proxy off, app stopped), then stop the JVM."""
        problems: list[str] = []
        if self.guard is not None:
            self.restored = list(reversed(self.guard.changes))
            problems = self.guard.restore()
        if self.phone is not None:
            self.phone.close()
        return problems
