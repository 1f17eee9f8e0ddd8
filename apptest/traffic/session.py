"""The live state of one capture: what is written to the bundle, and when.

Evidence first: a flow is written to flows.mitm (and flushed) when its request is
complete, again when its response is, and as WebSocket messages pass; messages are
analysed only from what was written, so no observation ever points at a flow that is not
on disk. Each host gets one `connects` observation per kind of outcome — inspected, or
not inspected and why (TLS refused, no request, not HTTP, partly decoded) — so the judge
can say "unchecked" for a host the proxy could not read instead of "nothing sent".

Analysis runs in a worker process that reads flows.mitm as it grows (`workers`, default
1), so it never delays the app's traffic; with `workers=0` it runs inline after each
write (tests, or a machine with one core). When the capture stops, the worker finishes
the file before the bundle is sealed; if it died, the rest is analysed in this process.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from apptest.evidence import Bundle
from apptest.traffic.config import DeviceConfig
from apptest.traffic.flowfile import FlowEncoder, FlowTail
from apptest.traffic.recorder import FLOWS, Progress, Recorder, connects_observation, drain, worker_main

logger = logging.getLogger(__name__)
BACKLOG_NOTICE = 8 << 20  # bytes of flows.mitm not yet analysed at stop worth telling the tester about


class _Stop:
    """An always-set event, for draining the rest of the file in this process."""

    def is_set(self) -> bool:
        return True


class TrafficSession:
    def __init__(
        self,
        bundle: Bundle,
        device: DeviceConfig,
        sdks: Iterable[Mapping[str, Any]],
        operator_domains: Iterable[str] = (),
        app_id: str | None = None,
        workers: int = 1,
    ) -> None:
        self.bundle = bundle
        self.stream = bundle.binary_stream(FLOWS)
        self.start = self.stream.tell()  # a bundle can be extended: analyse only what this run writes
        self.stats: Counter[str] = Counter()
        self.encoder = FlowEncoder()
        self._recorded: set[tuple[str, bool, str]] = set()
        args = (bundle.root, device, [dict(s) for s in sdks], list(operator_domains), app_id)
        self.recorder = Recorder(*args)
        self.progress = Progress()
        self._worker: Any = None
        if workers > 0:
            context = multiprocessing.get_context("spawn")  # never fork a process running an event loop
            self._stop = context.Event()
            self._done = context.Array("q", [0, 0, 0, self.start])  # messages, detections, partly, offset
            self._worker = context.Process(
                target=worker_main, args=(args, self._stop, self._done, self.start), name="apptest-analysis",
                daemon=True,
            )  # fmt: skip
            self._worker.start()

    def save_flow(self, flow: Any) -> None:
        """Append the flow's current state and flush; OSError goes to the caller (stop the run)."""
        self.stream.write(self.encoder.encode(flow))
        self.stream.flush()
        self.stats["flow_writes"] += 1
        if self._worker is None:
            for msg in self.progress.new_messages(flow):
                self._count(*self.recorder.inspect(msg))

    def _count(self, detections: int, limits: list[str]) -> None:
        self.stats["messages"] += 1
        self.stats["detections"] += detections
        self.stats["partly_inspected"] += bool(limits)

    def connects(
        self,
        host: str,
        inspected: bool,
        kind: str,
        reason: str = "",
        flow_id: str | None = None,
        scheme: str | None = None,
    ) -> bool:
        """One `connects` observation per (host, inspected, kind); repeats are not recorded."""
        key = (host, inspected, kind)
        if not host or key in self._recorded:
            return False
        self._recorded.add(key)
        resolver = self.recorder.analyzer.resolver
        self.bundle.add_observation(connects_observation(resolver, host, inspected, kind, reason, flow_id, scheme))
        self.stats["hosts" if inspected else "uninspected"] += 1
        return True

    def close(self, seal: bool) -> Path | None:
        """Let the worker finish flows.mitm (or finish it here), then close and seal the bundle."""
        self.stream.flush()
        if self._worker is not None:
            backlog = self.stream.tell() - int(self._done[3])
            if backlog > BACKLOG_NOTICE:
                logger.warning(f"apptest: analysing the last {backlog >> 20} MB of captured traffic before sealing")
            self._stop.set()
            self._worker.join()
            for number, key in enumerate(("messages", "detections", "partly_inspected")):
                self.stats[key] += int(self._done[number])
            if self._worker.exitcode != 0:
                offset = int(self._done[3])
                logger.error(
                    f"apptest: the analysis process failed (exit {self._worker.exitcode}); analysing "
                    f"flows.mitm from byte {offset} here (flows around that byte may be recorded twice)"
                )
                tail = FlowTail(self.bundle.root / FLOWS, offset)
                counts = multiprocessing.get_context("spawn").Array("q", 4)
                drain(self.recorder, tail, Progress(), _Stop(), counts)
                for number, key in enumerate(("messages", "detections", "partly_inspected")):
                    self.stats[key] += int(counts[number])
        self.recorder.close()
        if seal:
            return self.bundle.seal()
        self.bundle.close()
        return None


def open_session(
    root: Path,
    device_path: Path | None,
    profiles: Iterable[Path] = (),
    operator_domains: Iterable[str] = (),
    options: dict[str, Any] | None = None,
    workers: int = 1,
) -> TrafficSession:
    """Create or extend the bundle and start a session; raises UnreadableInput on bad input.

    The device profile is copied into the bundle (`device.yaml`): it holds the known values
    the detections refer to, so the bundle can be re-analysed without the lab's files.
    """
    from mitmproxy.version import VERSION

    from apptest.knowledge import Knowledge, file_digest

    knowledge = Knowledge.load(list(profiles))
    device = DeviceConfig.load(knowledge, device_path)
    root = Path(root)
    existing = Bundle(root).manifest() if (root / "manifest.json").exists() else {}
    domains = sorted({*existing.get("operator_domains", []), *device.operator_domains, *operator_domains})
    manifest: dict[str, Any] = {
        "tool": {"mitmproxy": VERSION},
        "options": {"traffic": options or {}},
        "operator_domains": domains,
    }
    if not existing:
        manifest["apk"] = {"package": "unknown", "sha256": "unknown"}
    if device_path is not None:
        manifest["device"] = {**device.facts, "profile_sha256": file_digest(Path(device_path))}
    bundle = Bundle.create(root, manifest)
    if device_path is not None:
        bundle.store_file("device.yaml", Path(device_path).read_bytes())
    package = (bundle.manifest().get("apk") or {}).get("package")
    app_id = package if package and package != "unknown" else None
    return TrafficSession(bundle, device, knowledge.sdks, domains, app_id, workers)
