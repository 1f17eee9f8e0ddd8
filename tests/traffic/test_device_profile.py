"""The device profile format: the shipped example, and the errors a lab would make."""

from __future__ import annotations

from pathlib import Path

import pytest

from apptest.knowledge import Knowledge, ProfileError
from apptest.traffic.config import DeviceConfig

ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE = Knowledge.load()


def test_example_profile_is_valid_and_complete() -> None:
    data = KNOWLEDGE.device_profile(ROOT / "profiles" / "devices" / "example-pixel.yaml")
    config = DeviceConfig.from_profile(data)
    assert config.facts["model"] == "Pixel 6"
    assert {"device.imei", "device.mac", "phone_number", "location.precise", "apps.installed"} <= set(
        config.identifiers
    )
    assert "example-pixel" in KNOWLEDGE._folder("devices")  # the folder loader accepts it too


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("identifiers:\n  device.imeii: '865123041234562'\n", "identifiers.device.imeii"),  # not a taxonomy id
        ("identifiers:\n  location.precise: {lat: 91, lng: 116.4}\n", "identifiers.location.precise.lat"),
        ("identifiers:\n  location.precise: '39.9,116.4'\n", "identifiers.location.precise"),
        ("identifiers:\n  apps.installed: [not a package]\n", "identifiers.apps.installed.0"),
        ("operator_domains: [not a domain]\n", "operator_domains.0"),
        ("detection: {apps_min: 1}\n", "detection.apps_min"),
        ("serial: X\nimei: '865123041234562'\n", "(top level)"),  # identifiers belong under identifiers
    ],
)
def test_mistakes_name_the_key(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        KNOWLEDGE.device_profile(path)
    assert caught.value.key == key and str(path) in str(caught.value)
