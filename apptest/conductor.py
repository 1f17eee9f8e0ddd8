"""One live run: static scan, capture, hooks and the scenario together, then judge and report.

The order is the point. The capture listens and the hooks are in place *before* the
scenario's first launch, because what an app does in its first second — before anyone
could have agreed to anything — is the cleanest evidence a test produces. At the end the
order reverses: hooks detach, the proxy stops (writing its last flows), the bench puts the
phone back as it was, the privacy policy is collected (the one the APK ships and the
first-party policy pages the proxy captured), and only then is the bundle sealed, so
SHA256SUMS covers everything every collector wrote (a policy obtained later can only join
under `derived/`, outside the seal). Ctrl-C and SIGTERM take the same way out (the policy
collected, the bundle sealed, the phone restored) and skip only the judging.

Stages talk through the bundle: the conductor passes paths and ports, never data between
collectors. It is one of the three modules allowed to import several stages.
"""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from apptest.device.base import Device
from apptest.evidence import Bundle
from apptest.model import iso_ts
from apptest.traffic.capture import CaptureThread

Say = Callable[[str], None]


class Bench(Protocol):
    """Where the app runs: a phone (`device.bench.PhoneBench`) or the demo's stand-in."""

    kind: str
    notes: list[str]

    def open(self, bundle: Bundle, proxy_port: int) -> Device: ...

    def facts(self) -> dict[str, Any]: ...

    def hook_target(self) -> dict[str, Any]: ...

    def close(self) -> list[str]: ...


@dataclass
class RunOptions:
    apk: Path
    category: str
    scenario: str | Path
    bundle: Path
    package: str | None = None
    output: Path | None = None
    device_profile: Path | None = None
    profiles: Sequence[Path] = ()
    formats: Sequence[str] = ("html", "json")
    lang: str = "zh"
    listen: tuple[str, int] = ("127.0.0.1", 8080)
    confdir: Path | None = None
    sinkhole: bool = False
    hooks: bool = True
    operator_domains: Sequence[str] = ()
    target: dict[str, Any] | None = None
    meta: dict[str, Any] | None = None


@dataclass
class RunResult:
    bundle: Path
    sealed: bool = False
    interrupted: bool = False
    scenario: dict[str, Any] = field(default_factory=dict)
    judgement: dict[str, Any] | None = None
    reports: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


class HookStage:
    """frida on the bench's target for the whole scenario, through the runtime's `Tracer`.

    The stand-in is one JVM: attach to it (child gating follows any process it starts).
    On a phone the app is not running yet (the scenario's first step launches it with its
    data cleared), so spawn gating holds every new process of the app — main, `:push`,
    `:remote`, at every relaunch — until the agent is in, and resumes everything else at
    once. The agent, its hook list and where its events go are the runtime package's.
    """

    def __init__(self, bundle: Path, knowledge: Any, say: Say) -> None:
        self.bundle = bundle
        self.knowledge = knowledge
        self.say = say
        self.notes: list[str] = []
        self._tracer: Any = None
        self._recorder: Any = None

    def start(self, target: dict[str, Any]) -> None:
        import frida

        from apptest.runtime import session
        from apptest.runtime.config import HookOptions, agent_config

        options = HookOptions()
        package = target.get("package")
        recorder = self._recorder = session.recorder_for(self.bundle, self.knowledge, package)
        recorder.bundle.update_manifest(session.manifest_facts(str(frida.__version__), options))
        config = agent_config(self.knowledge.apis, options, self.knowledge.runtime_hooks)
        local = target["kind"] == "attach"
        device = frida.get_local_device() if local else session.open_device(target.get("serial"))
        self._tracer = session.Tracer(device, recorder, config, package, self.say)
        if target["kind"] == "attach":
            self._tracer.attach(int(target["pid"]))
            self.say(f"[hooks] agent loaded into pid {target['pid']}")
        else:
            self._tracer.follow_spawns()
            self.say(f"[hooks] waiting for {package} to start (spawn gating on {target.get('serial')})")

    def stop(self) -> None:
        """Final status from every agent, unload, detach; what the recorder saw goes to the manifest."""
        if self._tracer is not None:
            self._tracer.stop()
            self.notes.extend(f"hooks: {p}" for p in self._tracer.problems)
        recorder = self._recorder
        if recorder is None:
            return
        recorder.close()
        if recorder.failure is not None:
            self.notes.append(f"hooks: runtime evidence could not be written: {recorder.failure}")
        recorder.bundle.update_manifest({"runtime": recorder.summary()})
        recorder.bundle.close()
        counts = recorder.counts
        self.say(f"[hooks] {counts.get('observations', 0)} observations, {counts.get('canaries', 0)} identifier values")


class Interrupted(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so `finally` runs as it does on Ctrl-C."""


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    def handler(signum: int, frame: Any) -> None:
        raise Interrupted(f"signal {signum}")

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _stage(name: str, timings: dict[str, float]) -> Iterator[None]:
    started = time.monotonic()
    try:
        yield
    finally:
        timings[name] = round(time.monotonic() - started, 2)


def _manifest(options: RunOptions, bench: Bench, scenario: Any) -> dict[str, Any]:
    manifest: dict[str, Any] = {
        "device": bench.facts(),
        "options": {
            "run": {
                "category": options.category,
                "scenario": scenario.manifest_entry(),
                "sinkhole": options.sinkhole,
                "hooks": options.hooks,
                "bench": bench.kind,
            }
        },
        "command_line": list(sys.argv),
    }
    if options.target:
        manifest["target"] = options.target
    return manifest


def run_live(options: RunOptions, bench: Bench, knowledge: Any, say: Say) -> RunResult:
    """Run everything; the bundle is sealed and the bench closed whatever happens."""
    from apptest.scenario.loader import load_scenario
    from apptest.scenario.record import Recorder
    from apptest.scenario.runner import ScenarioRunner
    from apptest.static.scan import scan_to_bundle

    result = RunResult(bundle=options.bundle)
    scenario = load_scenario(knowledge, options.scenario)  # a broken scenario stops us before anything runs
    capture = CaptureThread(
        options.bundle,
        options.device_profile,
        profiles=options.profiles,
        operator_domains=options.operator_domains,
        sinkhole=options.sinkhole,
        listen=options.listen,
        confdir=options.confdir,
    )
    hooks = HookStage(options.bundle, knowledge, say) if options.hooks else None
    bundle = Bundle(options.bundle)
    with _terminate_as_interrupt():
        try:
            with _stage("static", result.timings):
                say(f"[static] {options.apk.name}")
                facts = scan_to_bundle(options.apk, knowledge, options.bundle)
            package = options.package or facts["apk"]["package"]
            with _stage("capture", result.timings):
                port = capture.start()
                say(f"[capture] listening on {options.listen[0]}:{port}" + (" (sinkhole)" if options.sinkhole else ""))
            with _stage("bench", result.timings):
                device = bench.open(bundle, port)
                bundle = Bundle.create(options.bundle, _manifest(options, bench, scenario))
            if hooks is not None:
                with _stage("hooks", result.timings):
                    hooks.start(bench.hook_target())
            with _stage("scenario", result.timings):
                say(f"[scenario] {scenario.id}: {len(scenario.steps)} steps")

                def progress(step: Any, total: int, status: str, record: dict[str, Any]) -> None:
                    error = f" ({record['error']})" if record.get("error") else ""
                    say(f"[scenario] {step.index + 1}/{total} {step.name}: {status}{error}")

                runner = ScenarioRunner(scenario, device, package, Recorder(bundle), progress=progress)
                result.scenario = runner.run().to_dict()
        except KeyboardInterrupt:
            result.interrupted = True
            say("[run] interrupted: stopping the collectors and sealing the bundle")
        finally:
            _finish(
                bundle, capture, hooks, bench, result, say, partial(_collect_policy, options, knowledge, say, result)
            )
    if result.interrupted:
        return result
    with _stage("judge", result.timings):
        from apptest.rules.analyze import analyze_bundle

        result.judgement = analyze_bundle(options.bundle, knowledge, options.category)
        summary = result.judgement["summary"]
        say(f"[judge] {summary['findings']} findings ({summary['verdicts']})")
    if options.output is not None:
        with _stage("report", result.timings):
            from apptest.report.write import write_reports

            result.reports = write_reports(
                result.judgement,
                options.bundle,
                options.formats,
                options.output,
                options.lang,
                options.meta,
                knowledge=knowledge,
            )
            say(f"[report] {', '.join(str(p) for p in result.reports)}")
    return result


def _collect_policy(options: RunOptions, knowledge: Any, say: Say, run: RunResult) -> list[str]:
    """The policy the APK ships and the policy pages captured, into the still-open bundle.

    Runs after the proxy has written its last flow and before the seal; returns problems
    (an unreadable flow file, an unreadable asset), which never stop the sealing.
    """
    from apptest.policy.command import collect

    with _stage("policy", run.timings):
        result = collect(options.bundle, [], knowledge, apk=options.apk)
    for c in result["collected"]:
        where = {"apk": "shipped in the APK", "captured": "captured"}.get(c["origin"], c["origin"])
        if c.get("skipped"):
            say(f"[policy] {c['file']} ({where}): {c['skipped']}")
        else:
            found = c.get("summary") or {}
            say(
                f"[policy] {c['text_file'].removesuffix('.plain.txt')} ({where}: {c['file']}): "
                f"{len(found.get('data_types') or [])} data types, {len(found.get('sdks') or [])} SDKs declared"
            )
    for c in result["passed_over"]:
        say(f"[policy] {c['file']}: {c['skipped']}, not collected")
    if not result["collected"]:
        say("[policy] none collected: no privacy policy shipped in the APK or captured in the traffic")
    return [f"policy: {e}" for e in result["errors"]]


def _finish(
    bundle: Bundle,
    capture: CaptureThread,
    hooks: HookStage | None,
    bench: Bench,
    result: RunResult,
    say: Say,
    collect_policy: Callable[[], list[str]] | None = None,
) -> None:
    """Reverse order, each step on its own: a failure in one never skips the next."""
    steps: list[tuple[str, Callable[[], Any]]] = []
    if hooks is not None:
        steps.append(("hooks", hooks.stop))
    steps += [("capture", capture.stop), ("bench", bench.close)]
    for name, stop in steps:
        try:
            problems = stop()
            if name == "bench" and problems:
                result.problems.extend(f"phone not restored: {p}" for p in problems)
        except Exception as exc:
            result.problems.append(f"{name}: {exc}")
    result.problems.extend(bench.notes)
    if hooks is not None:
        result.problems.extend(hooks.notes)
    if not (bundle.root / "manifest.json").exists():
        result.problems.append("nothing was recorded (stopped before the static scan wrote the bundle)")
    else:
        if collect_policy is not None:
            try:
                result.problems.extend(collect_policy())
            except Exception as exc:
                result.problems.append(f"policy: not collected: {exc}")
        try:
            bundle.update_manifest({"options": {"run": {"interrupted": result.interrupted, "finished": iso_ts()}}})
            bundle.seal()
            result.sealed = True
            say(f"[bundle] sealed {bundle.root}")
        except Exception as exc:
            result.problems.append(f"bundle not sealed: {exc}")
    for problem in result.problems:
        say(f"[run] note: {problem}")


def run_on_phone(options: RunOptions, serial: str | None, knowledge: Any, say: Say) -> RunResult:
    """`apptest run`: the phone named by the device profile (or --serial, or the only one)."""
    from apptest.device.bench import PhoneBench
    from apptest.device.cert import default_ca_path
    from apptest.device.settings import load_settings

    settings = load_settings(knowledge, options.device_profile, serial)
    if settings.connection == "wifi" and options.listen[0] in ("127.0.0.1", "localhost"):
        options.listen = ("0.0.0.0", options.listen[1])
    ca = (options.confdir / "mitmproxy-ca-cert.pem") if options.confdir else default_ca_path()
    bench = PhoneBench(
        settings,
        options.apk,
        options.package,
        ca_path=ca,
        require_frida=options.hooks,
        say=lambda text: say(f"[phone] {text}"),
    )
    return run_live(options, bench, knowledge, say)
