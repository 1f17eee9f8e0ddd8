"""`apptest static` as a user runs it: JSON, table, bundle, the shipped sample, light start-up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from apptest.evidence import Bundle, verify
from tests.conftest import run_cli

from .conftest import BUILT


def test_json_output_has_the_documented_keys() -> None:
    proc = run_cli("static", str(BUILT / "rental.apk"))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    for key in (
        "apk",
        "permissions",
        "api_calls",
        "reflection",
        "sdks",
        "auto_start",
        "exported",
        "packers",
        "flags",
        "privacy_policy_hints",
        "errors",
        "analysis_complete",
    ):
        assert key in result
    from apptest.evidence import validate

    assert validate("static", result) == []


def test_table_output_reads_well() -> None:
    proc = run_cli("static", str(BUILT / "rental.apk"), "--format", "table", env={"COLUMNS": "200"})
    assert proc.returncode == 0, proc.stderr
    assert "getDeviceId" in proc.stdout and "READ_PHONE_STATE" in proc.stdout and "JPush" in proc.stdout


def test_bad_format_is_a_usage_error() -> None:
    assert run_cli("static", str(BUILT / "rental.apk"), "--format", "xml").returncode == 2


def test_sample_runs_from_any_directory(tmp_path: Path) -> None:
    proc = run_cli("static", "--sample", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["apk"]["package"]


def test_bundle_gets_static_json_and_observations(tmp_path: Path) -> None:
    proc = run_cli(
        "static", str(BUILT / "rental.apk"), "--bundle", str(tmp_path / "b"), "-o", str(tmp_path / "o")
    )
    assert proc.returncode == 0, proc.stderr
    bundle = Bundle.open(tmp_path / "b")
    assert bundle.manifest()["apk"]["package"] == "com.example.rental"
    assert bundle.static()["apk"]["sha256"] == bundle.manifest()["apk"]["sha256"]
    observations, errors = bundle.observations()
    assert not errors
    actions = {o.action for o in observations}
    assert {"declares", "references", "starts"} <= actions
    assert all(o.source == "static" for o in observations)
    assert verify(tmp_path / "b").ok


def test_static_does_not_load_the_proxy_or_instrumentation() -> None:
    code = (
        "import sys\nfrom apptest.cli import main\nsys.argv=['apptest','static',{!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "bad=[m for m in ('mitmproxy','frida') if m in sys.modules]\nsys.stderr.write('LOADED:'+','.join(bad))\n"
    ).format(str(BUILT / "rental.apk"))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert "LOADED:" in proc.stderr and proc.stderr.split("LOADED:")[1].strip() == ""
