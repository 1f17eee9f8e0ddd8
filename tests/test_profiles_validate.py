"""`apptest profiles validate [PATH]` checks every profile file, not only the judge's.

The policy lexicon, the device profiles and the scenarios are read by their own stage
loaders; a lab that runs `validate` on its folder must hear about a typo in any of them
there, with the one-line error and exit 3, rather than in the middle of a capture.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

PHONE = {
    "id": "lab-phone",
    "serial": "ABC123",
    "detection": {"apps_min": 3},
    "identifiers": {"device.imei": "865123041234562"},
}


def _one_line_error(result) -> str:
    assert result.returncode == 3, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("apptest: error: "), result.stderr
    return lines[0]


def _counts(stdout: str) -> dict[str, int]:
    line = stdout.strip().splitlines()[-1]
    assert line.startswith("profiles OK: "), stdout
    return {part: int(n) for n, part in re.findall(r"(\d+) ([a-z ]+)", line.removeprefix("profiles OK: "))}


def _write(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_profiles_pass_and_every_part_is_listed(cli) -> None:
    result = cli("profiles", "validate")
    assert result.returncode == 0, result.stderr
    counts = _counts(result.stdout)
    for part in ("categories", "rules", "citations", "coverage items", "policy lexicon terms",
                 "device profiles", "scenarios", "sdks", "phase marks", "packer signatures"):  # fmt: skip
        assert counts.get(part, 0) > 0, (part, result.stdout)
    assert counts["categories"] == 39
    shipped = Path(__file__).resolve().parents[1] / "profiles" / "devices"
    assert counts["device profiles"] == len(list(shipped.glob("*.yaml")))


def test_a_sound_lab_folder_adds_its_lexicon_and_phone(cli, tmp_path) -> None:
    shipped = _counts(cli("profiles", "validate").stdout)
    _write(tmp_path / "devices" / "lab-phone.yaml", PHONE)
    _write(tmp_path / "policy_lexicon.yaml", {"broad": [{"id": "lab_handset", "zh": ["手机串号集合"],
                                                         "data_types": ["device.imei"]}]})  # fmt: skip
    result = cli("profiles", "validate", str(tmp_path))
    assert result.returncode == 0, result.stderr
    counts = _counts(result.stdout)
    assert counts["device profiles"] == shipped["device profiles"] + 1
    assert counts["policy lexicon terms"] == shipped["policy lexicon terms"] + 1


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ("broad:\n  - id: x\n    zh: [设备码集合]\n    data_types: [device.imie]\n",
         "broad.0.data_types.0", "unknown data type 'device.imie'"),
        ("data_types:\n  - id: device.imie\n    zh: [串号]\n", "data_types.0.id", "unknown data type"),
        ("channels:\n  phone: '([0-9'\n", "channels.phone", "not a valid regular expression"),
        ("cues:\n  negation: [不]\n", "cues.negation", "is not of type 'object'"),
        ("synonyms:\n  zh: [串号]\n", "synonyms", "unknown section"),
        ("broad: [\n", "line ", "YAML syntax"),
    ],
)  # fmt: skip
def test_a_broken_lab_lexicon_fails_with_file_and_key(cli, tmp_path, text, key, problem) -> None:
    path = _write(tmp_path / "policy_lexicon.yaml", text)
    line = _one_line_error(cli("profiles", "validate", str(tmp_path)))
    assert line.startswith(f"apptest: error: {path}: {key}"), line
    assert problem in line


@pytest.mark.parametrize(
    ("change", "key", "problem"),
    [
        ({"identifiers": {"device.imie": "865123041234562"}}, "identifiers.device.imie", "unknown data type"),
        ({"seral": "ABC123"}, "(top level)", "'seral' was unexpected"),
        ({"detection": {"apps_min": 1}}, "detection.apps_min", "less than the minimum of 2"),
        ({"id": "other-phone"}, "id", "differs from the file name"),
        ({"identifiers": {"location.precise": {"lat": 139.9, "lng": 116.4}}}, "identifiers.location.precise.lat",
         "greater than the maximum"),
        ({"control": {"conection": "wifi"}}, "control", "'conection' was unexpected"),
    ],
)  # fmt: skip
def test_a_broken_device_profile_fails_with_file_and_key(cli, tmp_path, change, key, problem) -> None:
    path = _write(tmp_path / "devices" / "lab-phone.yaml", {**PHONE, **change})
    line = _one_line_error(cli("profiles", "validate", str(tmp_path)))
    assert line.startswith(f"apptest: error: {path}: {key}"), line
    assert problem in line


def test_a_scenario_that_only_fails_when_resolved_is_caught(cli, tmp_path) -> None:
    doc = {"id": "lab-run", "version": "1.0.0", "title": {"zh": "实验室", "en": "lab"}, "extends": "standard",
           "steps": [{"launch": {}, "mark": "consent_gven"}]}  # fmt: skip
    _write(tmp_path / "scenarios" / "lab-run.yaml", doc)
    line = _one_line_error(cli("profiles", "validate", str(tmp_path)))
    assert "lab-run" in line and "unknown phase mark 'consent_gven'" in line


def test_a_broken_lab_apk_signals_file_fails(cli, tmp_path) -> None:
    path = _write(tmp_path / "apk_signals.yaml", {"version": "1.0.0", "packers": [{"id": "x"}, {"id": "x"}]})
    line = _one_line_error(cli("profiles", "validate", str(tmp_path)))
    assert line.startswith(f"apptest: error: {path}: "), line
