"""Profiles are data checked at load: a broken file stops the tool with one line naming it."""

from __future__ import annotations

from pathlib import Path

import pytest

from apptest.attribution import SdkIndex
from apptest.knowledge import Knowledge, ProfileError
from tests.conftest import run_cli

SDK = """version: "1.0.0"
sdks:
  - id: lab_tracker
    name: {zh: 实验室追踪器, en: Lab Tracker}
    aliases: []
    vendor: {zh: 某公司, en: Some Co}
    kind: KIND
    packages: [com.labtracker]
    domains: [labtracker.example]
    policy_url: null
    hint: {zh: 同意后初始化, en: initialise after consent}
"""


def lab_dir(tmp_path: Path, kind: str = "analytics") -> Path:
    folder = tmp_path / "lab"
    folder.mkdir()
    (folder / "sdks.yaml").write_text(SDK.replace("KIND", kind), encoding="utf-8")
    return folder


def test_builtin_profiles_load() -> None:
    knowledge = Knowledge.load()
    assert knowledge.validate_all()
    assert len(knowledge.categories) == 39
    assert knowledge.category("房屋租售类")["id"] == knowledge.category("housing_rental_sale")["id"]


def test_lab_profile_extends_the_builtin_one(tmp_path: Path) -> None:
    knowledge = Knowledge.load([lab_dir(tmp_path)])
    index = SdkIndex(knowledge.sdks)
    assert index.by_class("com.labtracker.core.Collector") == "lab_tracker"
    assert index.by_host("api.labtracker.example") == "lab_tracker"
    assert index.by_class("com.umeng.commonsdk.UMConfigure") is not None, "built-in SDKs stay"


def test_broken_profile_names_file_key_and_problem(tmp_path: Path) -> None:
    knowledge = Knowledge.load([lab_dir(tmp_path, kind="tracker")])
    with pytest.raises(ProfileError) as err:
        _ = knowledge.sdks
    message = str(err.value)
    assert "sdks.yaml" in message and "sdks.0.kind" in message and "tracker" in message
    assert "\n" not in message


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    folder = lab_dir(tmp_path)
    (folder / "sdks.yaml").write_text("version: '1'\nsdks: [\n  - id: x\n", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"sdks.yaml: line \d+: YAML syntax"):
        _ = Knowledge.load([folder]).sdks


def test_unknown_data_type_is_caught(tmp_path: Path) -> None:
    folder = lab_dir(tmp_path)
    text = (folder / "sdks.yaml").read_text(encoding="utf-8")
    (folder / "sdks.yaml").write_text(text + "    collects: [device.imeii]\n", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"unknown data type .device\.imeii."):
        _ = Knowledge.load([folder]).sdks


def test_cli_reports_a_broken_profile_in_one_line_with_exit_3(tmp_path: Path) -> None:
    from tests.static.conftest import BUILT

    proc = run_cli("static", str(BUILT / "legacy22.apk"), "--profiles", str(lab_dir(tmp_path, kind="tracker")))
    assert proc.returncode == 3
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "sdks.0.kind" in lines[0] and "Traceback" not in proc.stderr


def test_missing_profile_folder_is_exit_3(tmp_path: Path) -> None:
    from tests.static.conftest import BUILT

    proc = run_cli("static", str(BUILT / "legacy22.apk"), "--profiles", str(tmp_path / "none"))
    assert proc.returncode == 3 and "profile folder does not exist" in proc.stderr


@pytest.mark.parametrize(
    ("counts_as", "problem"),
    [("[location.coarze]", "unknown data type 'location.coarze'"), ("[network.cell]", "cannot count as itself")],
)
def test_counts_as_must_name_another_known_data_type(tmp_path: Path, counts_as: str, problem: str) -> None:
    text = (Path(__file__).resolve().parents[1] / "profiles/taxonomy.yaml").read_text(encoding="utf-8")
    cell = text.index("  - id: network.cell\n")
    edited = text[:cell] + text[cell:].replace("counts_as: [location.coarse]", f"counts_as: {counts_as}", 1)
    assert edited != text
    (tmp_path / "taxonomy.yaml").write_text(edited, encoding="utf-8")
    with pytest.raises(ProfileError) as err:
        _ = Knowledge(dirs=[tmp_path]).taxonomy
    message = str(err.value)
    assert "taxonomy.yaml" in message and "counts_as (network.cell)" in message and problem in message


def test_the_taxonomy_says_cell_and_bssid_reveal_approximate_location() -> None:
    types = Knowledge.load().data_types
    assert types["network.cell"]["counts_as"] == ["location.coarse"]
    assert types["network.wifi_bssid"]["counts_as"] == ["location.coarse"]
    assert "counts_as" not in types["network.wifi_ssid"]


RUNTIME_HOOK = """version: "1.0.0"
targets:
  - id: lab_pinner
    kind: KIND
    class: com.lab.net.Pinner
    methods: [verify]
    signature: [java.lang.String, "[B"]
    overrides: false
ACTION"""


def test_lab_runtime_hooks_extend_the_builtin_ones(tmp_path: Path) -> None:
    folder = tmp_path / "lab"
    folder.mkdir()
    text = RUNTIME_HOOK.replace("KIND", "pinning_bypass").replace("ACTION", "    action: skip\n")
    (folder / "runtime_hooks.yaml").write_text(text, encoding="utf-8")
    builtin = Knowledge.load().runtime_hooks
    hooks = Knowledge.load([folder]).runtime_hooks
    assert [t["id"] for t in hooks] == [*(t["id"] for t in builtin), "lab_pinner"]
    assert hooks[-1]["signature"] == ["java.lang.String", "[B"]


@pytest.mark.parametrize(
    ("kind", "action", "problem"),
    [
        ("pinning_bypass", "", "'action' is a required property"),
        ("permission_result", "    action: skip\n", "targets.0.action: 'skip' should not be valid"),
        ("pinning_bypass", "    action: ignore\n", "'ignore' is not one of"),
        ("pinning", "    action: skip\n", "'pinning' is not one of"),
    ],
)
def test_a_broken_runtime_hook_names_file_and_key(tmp_path: Path, kind: str, action: str, problem: str) -> None:
    folder = tmp_path / "lab"
    folder.mkdir()
    (folder / "runtime_hooks.yaml").write_text(RUNTIME_HOOK.replace("KIND", kind).replace("ACTION", action), "utf-8")
    with pytest.raises(ProfileError) as err:
        _ = Knowledge.load([folder]).runtime_hooks
    message = str(err.value)
    assert "runtime_hooks.yaml: targets.0" in message and problem in message and "\n" not in message
