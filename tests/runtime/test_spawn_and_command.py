"""Spawning (the default on a phone: the app's first reads happen in Application.onCreate)
and the `apptest hook` command itself, stopped by SIGTERM."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from apptest.evidence import read_jsonl, verify
from tests.runtime.conftest import JVM_FLAGS, PACKAGE, JavaBuild, StandIn, traced

pytestmark = pytest.mark.slow


def test_spawned_process_is_hooked_before_its_main_runs(java_build: JavaBuild, knowledge, tmp_path: Path) -> None:
    """A spawned JVM has no VM yet when the agent arrives: the hooks go in as the VM is created."""
    java = shutil.which("java")
    assert java is not None
    root = tmp_path / "b"
    with traced(root, knowledge) as session:
        pid = session.tracer.spawn(
            [java, *JVM_FLAGS, "-cp", java_build.classpath, "cn.jpush.android.service.PushService"]
        )
        deadline = time.monotonic() + 30
        while session.tracer.alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not session.tracer.alive(), "the spawned JVM did not exit"
    hooks = read_jsonl(root / "hooks.jsonl").records
    (instrumented,) = [h for h in hooks if h["type"] == "instrumented"]
    assert instrumented["java"] == "waiting"  # no VM yet at spawn
    calls = [h for h in hooks if h["type"] == "call"]
    assert [c["api"] for c in calls] == [
        "android.telephony.TelephonyManager.getSubscriberId",
        "android.provider.Settings$Secure.getString",
    ]
    assert all(c["pid"] == pid for c in calls)
    observations = read_jsonl(root / "observations.jsonl").records
    assert [o["data_types"] for o in observations] == [["device.imsi"], ["device.android_id"]]


def cli(*args: str, **kwargs) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "apptest.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ},
        **kwargs,
    )


def wait_for(predicate, timeout: float = 30, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def lines_of(path: Path) -> list[dict]:
    return read_jsonl(path).records if path.exists() else []


def test_sigterm_leaves_a_sealed_valid_bundle(java_build: JavaBuild, tmp_path: Path) -> None:
    root = tmp_path / "bundle"
    app = StandIn.start(java_build, f"{PACKAGE}.App")
    command = cli("hook", "--pid", str(app.pid), "--package", PACKAGE, "--bundle", str(root))
    try:
        wait_for(
            lambda: any(h["type"] == "status" for h in lines_of(root / "hooks.jsonl")), 60, "the agent's start status"
        )
        app.say("go")
        app.expect("done", timeout=60)
        wait_for(lambda: len(lines_of(root / "observations.jsonl")) >= 10, 30, "observations")
        command.send_signal(signal.SIGTERM)
        _, err = command.communicate(timeout=60)
    finally:
        if command.poll() is None:
            command.kill()
        app.close()
    assert command.returncode == 0, err
    assert "stopped by signal; bundle sealed" in err
    report = verify(root)
    assert report.sealed and report.ok, report.problems
    manifest = json.loads((root / "manifest.json").read_text("utf-8"))
    assert manifest["runtime"]["stopped_by"] == "signal"
    assert manifest["apk"]["package"] == PACKAGE and manifest["target"]["runtime"] == {"kind": "pid", "pid": app.pid}
    assert "android.telephony.TelephonyManager.getImei" in manifest["runtime"]["hooks"]["hooked"]
    finals = [h for h in lines_of(root / "hooks.jsonl") if h["type"] == "status" and h.get("phase") == "final"]
    assert len(finals) == 1


@pytest.mark.parametrize(
    "args",
    [
        ["--bundle", "B"],
        ["--bundle", "B", "--pid", "1", "--device", "d.yaml"],
        ["--bundle", "B", "--package", "com.example.rental"],
        ["--bundle", "B", "--pid", "1", "--attach"],
        ["--bundle", "B", "--pid", "1", "--duration", "0"],
    ],
)
def test_usage_errors_exit_2(args: list[str], tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "apptest.cli", "hook", *args], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert done.returncode == 2, done.stderr
    assert not (tmp_path / "B").exists()


def test_unknown_pid_is_unreadable_input(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "apptest.cli", "hook", "--pid", "999999", "--bundle", str(tmp_path / "b")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 3
    assert "cannot attach to pid 999999" in done.stderr


def test_instrument_loads_the_agent_into_a_given_session(java_build: JavaBuild, knowledge, tmp_path: Path) -> None:
    """The entry point for a caller that owns the frida session (one recorder per bundle)."""
    import frida

    from apptest.evidence import Bundle
    from apptest.runtime.session import instrument

    root = tmp_path / "bundle"
    Bundle.create(root, {"apk": {"package": PACKAGE, "sha256": "unknown"}})
    app = StandIn.start(java_build, f"{PACKAGE}.App")
    session = frida.attach(app.pid)
    try:
        handle = instrument(session, root, knowledge, app.pid, PACKAGE)
        app.say("go")
        app.expect("done", timeout=60)
        handle.unload()
    finally:
        session.detach()
        app.close()
    manifest = json.loads((root / "manifest.json").read_text("utf-8"))
    assert "android.telephony.TelephonyManager.getImei" in manifest["runtime"]["hooks"]["hooked"]
    assert manifest["agent"]["sha256"] and manifest["options"]["bypass_pinning"] is False
    reads = [o for o in read_jsonl(root / "observations.jsonl").records if o["action"] == "reads"]
    assert {o["actor"].get("id") for o in reads} >= {"umeng_analytics", "pangle_csj", PACKAGE}
    Bundle.open(root).seal()
    assert verify(root).ok
