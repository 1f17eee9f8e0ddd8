"""Analyse messages and record what they carried: in the proxy, or in a process beside it.

Detection costs about a millisecond per flow. On the proxy's single event loop that
delays the app's requests and, under load, cuts the proxy's throughput by more than half;
an app that times out behaves differently under test than in the wild. So by default a
worker process (see session.py) reads flows.mitm as the proxy appends to it — the
evidence file is its queue — and appends observations itself (appends are locked and
hash-chained across processes by evidence.py). Only what is on disk is ever analysed,
and live analysis reads exactly what `apptest traffic BUNDLE` would read later.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from apptest.attribution import SdkIndex
from apptest.evidence import Bundle
from apptest.model import EvidenceRef, Observation, iso_ts
from apptest.traffic.analyze import Analyzer
from apptest.traffic.config import DeviceConfig, make_analyzer
from apptest.traffic.flowfile import FlowTail
from apptest.traffic.message import SINKHOLE_MARK, Message, request_message, response_message, websocket_message
from apptest.traffic.party import PartyResolver

FLOWS = "flows.mitm"
CANARIES = "canaries.jsonl"
POLL_SECONDS = 0.02


def connects_observation(
    resolver: PartyResolver,
    host: str,
    inspected: bool,
    kind: str,
    reason: str = "",
    flow_id: str | None = None,
    scheme: str | None = None,
) -> Observation:
    """`connects`: a host was contacted; `inspected: false` says its content was not read."""
    detail: dict[str, Any] = {"inspected": inspected, "kind": kind}
    if reason:
        detail["reason"] = reason
    if scheme:
        detail["scheme"] = scheme
    return Observation(
        source="traffic",
        action="connects",
        actor=resolver.actor(host),
        ts=iso_ts(),
        destination=resolver.destination(host),
        confidence="known",
        evidence=EvidenceRef(FLOWS, flow_id) if flow_id else None,
        detail=detail,
    )


class Recorder:
    """Turns messages into observations; reloads canaries.jsonl whenever it grows."""

    def __init__(
        self,
        root: Path,
        device: DeviceConfig,
        sdks: Iterable[Mapping[str, Any]],
        operator_domains: Iterable[str] = (),
        app_id: str | None = None,
    ) -> None:
        self.bundle = Bundle(Path(root))
        self.device = device
        self.sdks = SdkIndex([dict(s) for s in sdks])
        self.domains = list(operator_domains)
        self.app_id = app_id
        self._lock = threading.Lock()
        self._canary_size = -1
        self._partly: set[str] = set()
        self.analyzer: Analyzer = self._refresh()

    def _refresh(self) -> Analyzer:
        path = self.bundle.root / CANARIES
        size = path.stat().st_size if path.exists() else 0
        if size != self._canary_size:
            canaries = self.bundle.read_stream(CANARIES).records if size else []
            self.analyzer = make_analyzer(self.device, self.sdks, canaries, self.domains, self.app_id)
            self._canary_size = size
        return self.analyzer

    def inspect(self, msg: Message) -> tuple[int, list[str]]:
        """Record the message's detections (and a decoding limit, once per host)."""
        with self._lock:
            analyzer = self._refresh()
            result = analyzer.analyze(msg)
            for detection in result.detections:
                self.bundle.add_observation(detection.to_observation(analyzer.resolver))
            if result.limits and msg.host not in self._partly:
                self._partly.add(msg.host)
                reason = "; ".join(result.limits)
                obs = connects_observation(analyzer.resolver, msg.host, False, "partly_inspected", reason,
                                           msg.flow_id, msg.scheme)  # fmt: skip
                self.bundle.add_observation(obs)
        return len(result.detections), result.limits

    def close(self) -> None:
        self.bundle.close()


class Progress:
    """Which messages of each flow were analysed: a flow is written (and read) several times."""

    def __init__(self) -> None:
        self._seen: dict[str, list[int]] = {}  # flow id -> [request done, response done, websocket count]

    def new_messages(self, flow: Any) -> list[Message]:
        from mitmproxy import http

        if not isinstance(flow, http.HTTPFlow):
            return []
        seen = self._seen.setdefault(flow.id, [0, 0, 0])
        out = []
        if not seen[0]:
            seen[0] = 1
            out.append(request_message(flow))
        if flow.response is not None and not seen[1]:
            seen[1] = 1
            reply = response_message(flow)
            if reply is not None and not flow.metadata.get(SINKHOLE_MARK):  # our own answer: nothing sent
                out.append(reply)
        if flow.websocket is not None:
            for index in range(seen[2], len(flow.websocket.messages)):
                ws = websocket_message(flow, index)
                if ws is not None:
                    out.append(ws)
            seen[2] = len(flow.websocket.messages)
        return out


def worker_main(args: tuple[Any, ...], stop: Any, done: Any, start: int = 0) -> None:
    """The analysis process: reads flows.mitm as the proxy appends to it, until `stop` is set
    and the file is read to its end. `done` holds [messages, detections, partly inspected,
    committed offset] for the proxy.

    Ctrl-C (and `timeout`, and some supervisors) signal the whole process group: the proxy
    decides when to stop, and the worker finishes the file; if the proxy dies without
    saying so, the worker notices, finishes the file and exits. It runs at a lower
    priority: when CPU is short the app's traffic goes first, and the analysis catches up
    between bursts (the file is its queue).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        os.nice(10)
    recorder = Recorder(*args)
    try:
        drain(recorder, FlowTail(recorder.bundle.root / FLOWS, start), Progress(), stop, done)
    finally:
        recorder.close()


def drain(recorder: Recorder, tail: FlowTail, progress: Progress, stop: Any, done: Any) -> None:
    """Analyse every flow record of the tailed file until `stop` is set and nothing is left."""
    parent = os.getppid()
    while True:
        stopping = stop.is_set() or os.getppid() != parent
        flows = tail.poll(final=stopping)
        for flow in flows:
            for msg in progress.new_messages(flow):
                detections, limits = recorder.inspect(msg)
                with done.get_lock():
                    done[0] += 1
                    done[1] += detections
                    done[2] += bool(limits)
        done[3] = tail.offset
        if stopping:
            tail.close()
            return
        if not flows:
            time.sleep(POLL_SECONDS)
