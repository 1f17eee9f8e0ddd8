"""`apptest run` against the adb-protocol server: the whole live run, and its clean exit on SIGTERM.

The phone is the local adb server (ANDROID_ADB_SERVER_PORT, adb's own convention); the
capture, the scenario engine, the judge and the reports are the real ones. Runtime hooks
are off (there is no frida-server behind a test adb server).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import yaml

from apptest.evidence import verify
from apptest.static.scan import sample_apk
from tests.conftest import ROOT, run_cli
from tests.device.adbserver import AdbTestServer, ui_dump
from tests.device.conftest import SERIAL, UI_XML, base_outputs

PKG = "com.example.rental"


def _outputs() -> dict:
    return {
        **base_outputs(),
        "uiautomator dump": ui_dump(UI_XML),
        "screencap -p": b"\x89PNG\r\n\x1a\nfake",
        "pm install": "Success\n",
        f"pidof {PKG}": "31337\n",
        "dumpsys activity activities": f"  mResumedActivity: ActivityRecord{{1 u0 {PKG}/.MainActivity t3}}\n",
        "settings get secure android_id": "5f3a9c2e7b1d4086\n",
        "pm list packages -3": "package:com.tencent.mm\npackage:com.example.rental\npackage:com.sina.weibo\n",
    }


def _scenario(tmp_path, wait: float = 0) -> str:
    doc = {
        "id": "short",
        "version": "1.0.0",
        "title": {"zh": "短流程", "en": "short"},
        "settings": {"settle_seconds": 0, "refusal_check_seconds": 0, "wait_for_seconds": 1},
        "steps": [
            {"launch": {"clear_data": True}},
            {"wait": wait},
            {"wait_for": "同意", "mark": "policy_shown"},
            {"tap": "不同意", "mark": "consent_refused"},
        ],
    }
    path = tmp_path / "short.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return str(path)


def _args(tmp_path, scenario: str) -> list[str]:
    return ["run", str(sample_apk()), "--category", "housing_rental_sale", "--scenario", scenario,
            "--bundle", str(tmp_path / "bundle"), "--serial", SERIAL, "--no-hooks",
            "--listen", "127.0.0.1:0", "--confdir", str(tmp_path / "mitm"), "--fail-on", "none"]  # fmt: skip


def test_run_on_a_phone_end_to_end(tmp_path):
    with AdbTestServer(SERIAL, _outputs()) as srv:
        done = run_cli(*_args(tmp_path, _scenario(tmp_path)), "-o", str(tmp_path / "out"),
                       env={"ANDROID_ADB_SERVER_PORT": str(srv.port)}, timeout=180)  # fmt: skip
        commands = list(srv.commands)
        pushed = dict(srv.files)
    assert done.returncode == 0, done.stderr
    # installed, prepared, driven and restored, in that order
    install = commands.index("pm install -r -t --bypass-low-target-sdk-block /data/local/tmp/apptest-install.apk")
    proxy_on = next(i for i, c in enumerate(commands) if c.startswith("settings put global http_proxy 127.0.0.1:"))
    launch = commands.index(f"monkey -p {PKG} -c android.intent.category.LAUNCHER 1")
    tap = commands.index("input tap 295 1560")
    proxy_off = commands.index("settings put global http_proxy :0")
    assert install < proxy_on < launch < tap < proxy_off
    assert f"am force-stop {PKG}" in commands[proxy_off:]  # the app does nothing unrecorded after the run
    assert pushed["/data/local/tmp/apptest-install.apk"] == sample_apk().read_bytes()
    bundle = tmp_path / "bundle"
    assert verify(bundle).ok
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["device"]["kind"] == "adb" and manifest["device"]["model"] == "Pixel 7"
    assert manifest["options"]["run"]["scenario"]["id"] == "short"
    canaries = [json.loads(line) for line in (bundle / "canaries.jsonl").read_text().splitlines()]
    assert {c["data_type"]: c["value"] for c in canaries} == {"apps.installed": ["com.sina.weibo", "com.tencent.mm"]}
    marks = [json.loads(line)["mark"] for line in (bundle / "phases.jsonl").read_text().splitlines()]
    assert marks == ["launch", "policy_shown", "step:tap 不同意", "consent_refused"]
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    results = {r["rule_id"]: r["verdict"] for r in report["judgement"]["rule_results"]}
    assert results["excessive_permission_declared"] == "failed"  # static evidence judged
    assert "[scenario] 4/4" in done.stderr and "frida-server is not running" in done.stderr


def test_sigterm_seals_the_bundle_and_restores_the_phone(tmp_path):
    with AdbTestServer(SERIAL, _outputs()) as srv:
        proc = subprocess.Popen(
            [sys.executable, "-m", "apptest.cli", *_args(tmp_path, _scenario(tmp_path, wait=120))],
            cwd=ROOT, env={**os.environ, "ANDROID_ADB_SERVER_PORT": str(srv.port)},
            stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert proc.stderr is not None
        seen = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            seen.append(line)
            if "[scenario] 1/4" in line:
                break
        time.sleep(0.5)  # inside the long wait
        proc.send_signal(signal.SIGTERM)
        _, rest = proc.communicate(timeout=60)
        commands = list(srv.commands)
    assert proc.returncode == 130, "".join(seen) + rest
    assert "interrupted" in rest and "sealed" in rest
    assert commands.count("settings put global http_proxy :0") == 1
    assert f"am force-stop {PKG}" in commands[commands.index("settings put global http_proxy :0") :]
    report = verify(tmp_path / "bundle")
    assert report.sealed and report.ok
    manifest = json.loads((tmp_path / "bundle" / "manifest.json").read_text())
    assert manifest["options"]["run"]["interrupted"] is True


def test_hooks_without_frida_server_stop_before_the_app_runs(tmp_path):
    args = [a for a in _args(tmp_path, _scenario(tmp_path)) if a != "--no-hooks"]
    with AdbTestServer(SERIAL, _outputs()) as srv:
        done = run_cli(*args, env={"ANDROID_ADB_SERVER_PORT": str(srv.port)}, timeout=180)
        commands = list(srv.commands)
    assert done.returncode == 3
    assert "frida-server is not running" in done.stderr and "--no-hooks" in done.stderr
    assert "Traceback" not in done.stderr
    assert not [c for c in commands if c.startswith(("monkey", "settings put global http_proxy 127"))]
    assert verify(tmp_path / "bundle").sealed  # what was recorded (the static scan) is kept, sealed
