"""Known values of the test phone and ready analyzers for the traffic tests.

The values are made up; each passes its own check (Luhn, ID check character) so that a
detector that validated them by pattern would also accept them, which is what makes the
"known beats pattern" and decoy tests meaningful.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from apptest.attribution import SdkIndex
from apptest.traffic.analyze import Analyzer
from apptest.traffic.knownvalues import KnownValues
from apptest.traffic.message import Message
from apptest.traffic.party import PartyResolver

IMEI = "865123041234562"
OTHER_IMEI = "356938035643809"  # valid Luhn, not this phone's
MAC = "a4:5e:60:c2:11:07"
ANDROID_ID = "3f9a2c7e5b1d4e08"
PHONE = "+86 138 0013 8000"
PHONE_DIGITS = "13800138000"
OAID = "3e8f7a6b-2c1d-4e5f-9a0b-1c2d3e4f5a6b"
LAT, LNG = 39.90872, 116.39748
APPS = ["com.tencent.mm", "com.eg.android.AlipayGphone", "com.sina.weibo", "com.ss.android.ugc.aweme"]
NAME = "测试员王小明"
IDENTIFIERS: dict[str, Any] = {
    "device.imei": IMEI,
    "device.mac": MAC,
    "device.android_id": ANDROID_ID,
    "device.oaid": OAID,
    "phone_number": PHONE,
    "location.precise": {"lat": LAT, "lng": LNG},
    "apps.installed": APPS,
    "identity.name": NAME,
    "contacts": [{"name": "测试联系人甲", "phone": "13912345678"}],
}
SDKS = [
    {"id": "umeng_analytics", "name": {"zh": "友盟", "en": "Umeng"}, "kind": "analytics", "domains": ["umeng.com"]},
    {"id": "jpush", "name": {"zh": "极光推送", "en": "JPush"}, "kind": "push", "domains": ["jpush.cn"]},
]
DEVICE_PROFILE: dict[str, Any] = {
    "id": "test-phone",
    "serial": "TEST123",
    "model": "Test Phone",
    "android_version": "13",
    "operator_domains": ["example-operator.cn"],
    "identifiers": IDENTIFIERS,
}


def make_analyzer(identifiers: dict[str, Any] | None = None, operator: tuple[str, ...] = ()) -> Analyzer:
    known = KnownValues.build(IDENTIFIERS if identifiers is None else identifiers)
    return Analyzer(known, PartyResolver(operator, SdkIndex(SDKS), "com.example.app"))


def request(
    body: bytes | str = b"",
    url: str = "https://api.example.cn/v1/report",
    headers: tuple[tuple[str, str], ...] = (),
    method: str = "POST",
) -> Message:
    from apptest.traffic.message import split_url

    scheme, host, path, query = split_url(url)
    data = body.encode("utf-8") if isinstance(body, str) else body
    return Message("flow-1", 1_700_000_000.0, "request", method, url, host, scheme, headers, data, path, query)


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    return make_analyzer()


@pytest.fixture
def device_file(tmp_path: Path) -> Path:
    path = tmp_path / "test-phone.yaml"
    path.write_text(yaml.safe_dump(DEVICE_PROFILE, allow_unicode=True), encoding="utf-8")
    return path
