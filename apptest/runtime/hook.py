"""`apptest hook`: the agent in the app's processes until the time is up, the app is gone,
or the tester stops it (Ctrl-C, SIGTERM); then the bundle is sealed.

Stopping is the part that matters for evidence: a signal only sets an event, the main loop
notices, the agents are asked for their final status and unloaded, the recorder closes,
the manifest gets the run's summary, and SHA256SUMS is written. A run that cannot write
its evidence stops loudly instead of carrying on blind.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apptest.evidence import Bundle
from apptest.runtime.config import HookOptions, agent_config
from apptest.runtime.events import EventMapper
from apptest.runtime.recorder import Recorder
from apptest.runtime.session import HookError, Tracer, manifest_facts, open_device

Say = Callable[[str], None]
POLL_S = 0.25


@dataclass
class HookRequest:
    """One `apptest hook` invocation, checked by the CLI before it gets here."""

    bundle: Path
    pid: int | None = None
    device_profile: Path | None = None
    serial: str | None = None
    package: str | None = None
    attach: bool = False
    duration: float | None = None
    options: HookOptions = field(default_factory=HookOptions)
    profiles: Sequence[Path] = ()
    seal: bool = True
    command_line: Sequence[str] = ()


@dataclass
class HookResult:
    bundle: Path
    sealed: bool
    stopped_by: str
    summary: dict[str, Any]
    problems: list[str]


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Ctrl-C and SIGTERM set `stop`; the loop then ends the run the orderly way."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}
    for number in (signal.SIGINT, signal.SIGTERM):
        previous[number] = signal.signal(number, lambda signum, frame: stop.set())
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def target_of(request: HookRequest, serial: str | None) -> dict[str, Any]:
    if request.pid is not None:
        return {"kind": "pid", "pid": request.pid}
    return {"kind": "attach" if request.attach else "spawn", "serial": serial, "package": request.package}


def open_bundle(request: HookRequest, package: str, facts: dict[str, Any], target: dict[str, Any]) -> Bundle:
    """Extend the bundle if it exists (capture may share it), else start one for this app."""
    extra = {**facts, "target": {"runtime": target}}
    if request.command_line:
        extra["command_line"] = list(request.command_line)
    if (request.bundle / "manifest.json").exists():
        bundle = Bundle.open(request.bundle)
        bundle.update_manifest(extra)
        return bundle
    return Bundle.create(request.bundle, {"apk": {"package": package, "sha256": "unknown"}, **extra})


def bundle_package(root: Path) -> str | None:
    if not (root / "manifest.json").exists():
        return None
    package = Bundle.open(root).manifest().get("apk", {}).get("package")
    return str(package) if package else None


def run(request: HookRequest, knowledge: Any, say: Say) -> HookResult:
    import frida

    serial = request.serial
    if request.device_profile is not None:
        profile = knowledge.device_profile(request.device_profile)
        serial = serial or profile.get("serial")
    package = request.package or bundle_package(request.bundle) or "unknown"
    target = target_of(request, serial)
    bundle = open_bundle(request, package, manifest_facts(str(frida.__version__), request.options), target)
    domains = bundle.manifest().get("operator_domains") or ()
    recorder = Recorder(bundle, EventMapper.from_knowledge(knowledge, package, domains))
    config = agent_config(knowledge.apis, request.options, knowledge.runtime_hooks)
    stop = threading.Event()
    stopped_by = "signal"
    tracer: Tracer | None = None
    problems: list[str] = []
    with stop_on_signals(stop):
        try:
            device = frida.get_local_device() if request.pid is not None else open_device(serial)
            tracer = Tracer(device, recorder, config, None if request.pid is not None else package, say)
            if request.pid is not None:
                tracer.attach(request.pid)
                say(f"[hook] attached to pid {request.pid}")
            else:
                tracer.follow_spawns()
                if request.attach:
                    say(f"[hook] attached to {package}: pids {tracer.attach_running()}")
                else:
                    tracer.spawn([package])
            say(f"[hook] recording into {request.bundle} (Ctrl-C or SIGTERM stops and seals it)")
            stopped_by = wait(stop, tracer, recorder, request.duration)
        finally:
            if tracer is not None:
                tracer.stop()
                problems.extend(tracer.problems)
            recorder.close()
            summary = {**recorder.summary(), "stopped_by": stopped_by, "problems": problems}
            bundle.update_manifest({"runtime": summary})
            if request.seal:
                bundle.seal()
    if recorder.failure is not None:
        raise HookError(f"evidence could not be written: {recorder.failure}")
    return HookResult(request.bundle, request.seal, stopped_by, summary, problems)


def wait(stop: threading.Event, tracer: Tracer, recorder: Recorder, duration: float | None) -> str:
    """Until a signal, the duration, the app's last process ending, or a recording failure."""
    deadline = None if duration is None else time.monotonic() + duration
    while True:
        if stop.wait(POLL_S):
            return "signal"
        if recorder.failure is not None:
            return "recording-failure"
        if deadline is not None and time.monotonic() >= deadline:
            return "duration"
        if not tracer.alive():
            return "app-exited"
