"""frida glue: which device, which processes, and the agent loaded into each of them.

Kept thin on purpose (no phone exists where the tests run): everything that can be decided
without frida lives in `events.py`, `config.py` and `clock.py`.

* A process is *instrumented* by loading the agent, measuring the clock, and posting the
  hook list (`init`) **before** it is resumed: spawning is the default for a phone because
  the reads that matter most happen in `Application.onCreate`.
* Processes the app starts itself are followed: child gating (fork/exec on Linux, a JVM
  starting another JVM) and, on a phone, spawn gating for the app's own `:push`/`:remote`
  processes (zygote forks them, so they are not children of the app). Every other spawn is
  resumed at once. Every event carries its pid.
* The device's frida-server must speak the host's major version; the agent reports the
  version of the frida that injected it, and a mismatch stops the run.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apptest.errors import UnreadableInput
from apptest.evidence import Bundle
from apptest.runtime import agent
from apptest.runtime.clock import measure
from apptest.runtime.config import HookOptions, agent_config
from apptest.runtime.events import EventMapper
from apptest.runtime.recorder import Recorder

Say = Callable[[str], None]


class HookError(UnreadableInput):
    """The target cannot be instrumented (no device, no process, frida-server mismatch)."""


def major(version: str) -> int | None:
    head = version.strip().split(".", 1)[0]
    return int(head) if head.isdigit() else None


def check_versions(host: str, injected: str) -> None:
    if major(host) != major(injected):
        raise HookError(
            f"frida-server on the device is {injected}, frida here is {host}: major versions must match "
            f"(install frida-server {major(host)}.x on the device)"
        )


def open_device(serial: str | None, timeout: int = 10) -> Any:
    """A USB device by adb serial, a remote frida-server by host:port, or the only USB device."""
    import frida

    try:
        if serial and ":" in serial and not serial.startswith("emulator-"):
            return frida.get_device_manager().add_remote_device(serial)
        if serial:
            return frida.get_device(serial, timeout=timeout)
        return frida.get_usb_device(timeout=timeout)
    except (frida.InvalidArgumentError, frida.TimedOutError, frida.ServerNotRunningError) as exc:
        raise HookError(f"frida device {serial or '(usb)'}: {exc}") from exc


@dataclass
class Instrumented:
    """The agent in one process."""

    pid: int
    session: Any
    script: Any
    info: dict[str, Any] = field(default_factory=dict)
    detached: str | None = None

    def final_status(self) -> dict[str, Any] | None:
        if self.detached is not None:
            return None
        try:
            status: dict[str, Any] | None = self.script.exports_sync.status()
        except Exception:  # a process that just died has no status to give
            return None
        return status

    def unload(self) -> None:
        for step in (self.script.unload, self.session.detach):
            try:
                step()
            except Exception:  # already gone: nothing left to undo
                continue


def load_agent(session: Any, pid: int, recorder: Recorder, config: dict[str, Any]) -> Instrumented:
    """Load the agent into an attached (possibly suspended) process and post the hook list."""
    import frida

    script = session.create_script(agent.source(), name="apptest-agent")
    script.on("message", lambda message, data: recorder.on_message(pid, message, data))
    script.load()
    recorder.set_clock(pid, measure(script.exports_sync.now))
    info: dict[str, Any] = script.exports_sync.init(config)
    check_versions(str(frida.__version__), str(info.get("frida") or "?"))
    recorder.record({"type": "instrumented", "pid": pid, **info})
    return Instrumented(pid=pid, session=session, script=script, info=info)


READY_SECONDS = 20.0


def wait_until_hooked(process: Instrumented, timeout: float = READY_SECONDS) -> bool:
    """Poll the agent until its Java hooks are installed (or the process has no Java)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status = process.script.exports_sync.status() or {}
        except Exception:  # the process went away: nothing to wait for
            return False
        if status.get("started") or status.get("java") != "ready":
            return True  # hooks in, or no Java VM yet (a native process; spawn handles a VM to come)
        time.sleep(0.02)
    return False


class Tracer:
    """The app's processes on one frida device, each with the agent, all into one recorder."""

    def __init__(self, device: Any, recorder: Recorder, config: dict[str, Any], package: str | None, say: Say) -> None:
        self.device = device
        self.recorder = recorder
        self.config = config
        self.package = package
        self.say = say
        self.processes: dict[int, Instrumented] = {}
        self.problems: list[str] = []
        self._lock = threading.Lock()
        self._spawn_gating = False
        self._stopped = False
        device.on("child-added", self._on_child)
        device.on("spawn-added", self._on_spawn)

    # --- getting in -------------------------------------------------------------------
    def attach(self, pid: int, suspended: bool = False) -> Instrumented:
        """Instrument a process. A running one is only returned once its hooks are in, so
        the caller may let the app go on: the agent installs them inside Java.perform, which
        may run a moment after the script is loaded. A suspended process (spawn, a child
        held by gating) cannot run Java before it is resumed, so it is not waited for."""
        try:
            session = self.device.attach(pid)
        except Exception as exc:  # frida's errors say what went wrong
            raise HookError(f"cannot attach to pid {pid}: {exc}") from exc
        session.enable_child_gating()
        holder: list[Instrumented] = []
        session.on("detached", lambda reason, crash: self._on_detached(pid, holder, reason))
        process = load_agent(session, pid, self.recorder, self.config)
        holder.append(process)
        with self._lock:
            self.processes[pid] = process
        if not suspended and not wait_until_hooked(process):
            self.problems.append(f"pid {pid}: the Java hooks were not in place after {READY_SECONDS:.0f} s")
        return process

    def spawn(self, argv: Sequence[str]) -> int:
        """Start the app (a package on a phone, a program locally) with the agent in first."""
        try:
            pid = int(self.device.spawn(list(argv)))
        except Exception as exc:
            raise HookError(f"cannot spawn {' '.join(argv)}: {exc}") from exc
        try:
            self.attach(pid, suspended=True)
        finally:
            self.device.resume(pid)
        self.say(f"[hook] spawned {argv[0]} (pid {pid})")
        return pid

    def follow_spawns(self) -> None:
        """On a phone: hold every new process until checked; instrument the app's own."""
        self.device.enable_spawn_gating()
        self._spawn_gating = True

    def attach_running(self) -> list[int]:
        """On a phone: every running process of the package (main, `:push`, `:remote` …)."""
        assert self.package is not None
        pids = [
            int(p.pid)
            for p in self.device.enumerate_processes(scope="minimal")
            if p.name == self.package or str(p.name).startswith(self.package + ":")
        ]
        if not pids:
            for app in self.device.enumerate_applications(identifiers=[self.package], scope="minimal"):
                if app.pid:
                    pids.append(int(app.pid))
        if not pids:
            raise HookError(f"{self.package} is not running on the device (drop --attach to spawn it)")
        for pid in pids:
            self.attach(pid)
        return pids

    # --- following ----------------------------------------------------------------------
    def _ours(self, child: Any) -> bool:
        """A child of one of our processes. frida reports an exec'd child (posix_spawn, or the
        second image of a fork+exec) with its own pid as parent: it came through the child
        gating of a session on this device, and one tracer per device is the rule."""
        parent = getattr(child, "parent_pid", None)
        with self._lock:
            return parent in self.processes or parent == child.pid

    def _on_child(self, child: Any) -> None:
        """frida's callback thread must not block on frida calls: follow in a thread of our own."""
        if self._stopped or not self._ours(child):
            return
        threading.Thread(target=self._follow_child, args=(child,), name=f"apptest-child-{child.pid}").start()

    def _follow_child(self, child: Any) -> None:
        try:
            self.attach(int(child.pid), suspended=True)
            self.say(f"[hook] followed child pid {child.pid} ({child.path or child.identifier or '?'})")
        except Exception as exc:  # the child must run all the same, and the gap be said
            self.problems.append(f"child pid {child.pid}: {exc}")
        finally:
            self._resume(int(child.pid))

    def _on_spawn(self, spawn: Any) -> None:
        threading.Thread(target=self._follow_spawn, args=(spawn,), name=f"apptest-spawn-{spawn.pid}").start()

    def _follow_spawn(self, spawn: Any) -> None:
        identifier = str(spawn.identifier or "")
        ours = self.package is not None and (identifier == self.package or identifier.startswith(self.package + ":"))
        try:
            if ours and not self._stopped:
                self.attach(int(spawn.pid), suspended=True)
                self.say(f"[hook] {identifier} (pid {spawn.pid}) instrumented at spawn")
        except Exception as exc:
            self.problems.append(f"{identifier} pid {spawn.pid}: {exc}")
        finally:
            self._resume(int(spawn.pid))

    def _resume(self, pid: int) -> None:
        try:
            self.device.resume(pid)
        except Exception as exc:
            self.problems.append(f"resume pid {pid}: {exc}")

    def _on_detached(self, pid: int, holder: list[Instrumented], reason: str) -> None:
        """This session ended (process exited, or exec'd: then the same pid is re-attached)."""
        for process in holder:
            process.detached = str(reason)
        if not self._stopped:
            self.recorder.record({"type": "detached", "pid": pid, "reason": str(reason)})

    def alive(self) -> bool:
        """Is any instrumented process still there? (An exec'd child re-attaches as the same pid.)"""
        with self._lock:
            return any(p.detached is None for p in self.processes.values())

    # --- getting out --------------------------------------------------------------------
    def stop(self) -> None:
        """Read each live agent's final status, unload it, detach; leave the app running."""
        self._stopped = True
        if self._spawn_gating:
            try:
                self.device.disable_spawn_gating()
            except Exception as exc:
                self.problems.append(f"disable spawn gating: {exc}")
        with self._lock:
            processes = list(self.processes.values())
        for process in processes:
            status = process.final_status()
            if status is not None:
                self.recorder.set_status(process.pid, status)
            process.unload()
        for name, handler in (("child-added", self._on_child), ("spawn-added", self._on_spawn)):
            try:
                self.device.off(name, handler)
            except Exception:
                continue


# --- the conductor's entry point --------------------------------------------------------

_RECORDERS: dict[Path, Recorder] = {}
_HANDLES: dict[Path, list[Any]] = {}
_SHARED_LOCK = threading.Lock()


def recorder_for(bundle_root: Path, knowledge: Any, package: str | None) -> Recorder:
    """One recorder per bundle in this process, so every instrumented process shares it."""
    root = Path(bundle_root).resolve()
    with _SHARED_LOCK:
        recorder = _RECORDERS.get(root)
        if recorder is None or recorder.closed:
            bundle = Bundle.open(root)
            domains = bundle.manifest().get("operator_domains") or ()
            recorder = _RECORDERS[root] = Recorder(bundle, EventMapper.from_knowledge(knowledge, package, domains))
        return recorder


class _Handle:
    """What `instrument` returns: `unload()` ends this process's part of the recording.

    The last handle of a bundle to unload closes the shared recorder and writes the run's
    runtime summary into the manifest, so the conductor can seal right after.
    """

    def __init__(self, root: Path, process: Instrumented, recorder: Recorder) -> None:
        self.root, self.process, self.recorder = root, process, recorder

    def unload(self) -> None:
        status = self.process.final_status()
        if status is not None:
            self.recorder.set_status(self.process.pid, status)
        with contextlib.suppress(Exception):  # already gone with its process
            self.process.script.unload()
        with _SHARED_LOCK:
            handles = _HANDLES.get(self.root, [])
            if self in handles:
                handles.remove(self)
            last = not handles and not self.recorder.closed
            if last:
                _HANDLES.pop(self.root, None)
        if last:
            self.recorder.close()
            self.recorder.bundle.update_manifest({"runtime": self.recorder.summary()})
            self.recorder.bundle.close()


def instrument(
    frida_session: Any,
    bundle: Path,
    knowledge: Any,
    pid: int,
    package: str | None,
    options: HookOptions | None = None,
) -> _Handle:
    """Load the agent into an attached session, recording into `bundle` (see conductor.py).

    Returns once the Java hooks are in, as `Tracer.attach` does, so the caller may let the
    app go on; if they are not in within READY_SECONDS, that is recorded as an agent error.
    """
    import frida

    options = options or HookOptions()
    root = Path(bundle).resolve()
    recorder = recorder_for(root, knowledge, package)
    recorder.bundle.update_manifest(manifest_facts(str(frida.__version__), options))
    config = agent_config(knowledge.apis, options, knowledge.runtime_hooks)
    process = load_agent(frida_session, pid, recorder, config)
    if not wait_until_hooked(process):
        error = f"the Java hooks were not in place after {READY_SECONDS:.0f} s"
        recorder.record({"type": "agent-error", "pid": pid, "where": "start", "error": error})
    handle = _Handle(root, process, recorder)
    with _SHARED_LOCK:
        _HANDLES.setdefault(root, []).append(handle)
    return handle


def manifest_facts(frida_version: str, options: HookOptions) -> dict[str, Any]:
    return {"tool": {"frida": frida_version}, "agent": agent.manifest_entry(), "options": options.to_manifest()}
