"""Agent messages -> the evidence bundle, from frida's callback threads.

Several processes (the app, its `:push` process, a child it started) report at once, each
on frida's threads; the bundle's writers chain and flush every record under a lock, so one
recorder serves them all. Each process has its own clock offset, measured when it was
instrumented (processes of one device share a clock: a child reported before its own
measurement uses its device's last one).

Evidence that cannot be written stops the run (`failure` is set and the run loop ends):
a run that silently loses records would read as "the app did nothing".
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from apptest.evidence import Bundle
from apptest.runtime.clock import ClockSample
from apptest.runtime.events import EventMapper


class Recorder:
    def __init__(self, bundle: Bundle, mapper: EventMapper) -> None:
        self.bundle = bundle
        self.mapper = mapper
        self.clocks: dict[int, ClockSample] = {}
        self.status: dict[int, dict[str, Any]] = {}
        self.counts: Counter[str] = Counter()
        self.failure: BaseException | None = None
        self.closed = False
        self._last_offset = 0.0
        self._lock = threading.Lock()

    def set_clock(self, pid: int, sample: ClockSample) -> None:
        with self._lock:
            self.clocks[pid] = sample
            self._last_offset = sample.offset_ms

    def offset(self, pid: int | None) -> float:
        sample = self.clocks.get(pid) if pid is not None else None
        return sample.offset_ms if sample is not None else self._last_offset

    def on_message(self, pid: int, message: dict[str, Any], data: bytes | None) -> None:
        """frida's `message` callback for the script loaded into process `pid`."""
        if message.get("type") == "send" and isinstance(message.get("payload"), dict):
            event = dict(message["payload"])
        else:  # a script error the agent could not catch itself: still evidence of a gap
            event = {
                "type": "script-error",
                "description": message.get("description"),
                "stack": message.get("stack"),
                "pid": pid,
            }
        event.setdefault("pid", pid)
        self.record(event, data)

    def record(self, event: dict[str, Any], data: bytes | None = None) -> None:
        with self._lock:
            if self.closed:
                self.counts["after_close"] += 1
                return
            try:
                mapped = self.mapper.map(event, self.offset(event.get("pid")), data)
                self.bundle.add_hook_event(mapped.hook)
                for observation in mapped.observations:
                    self.bundle.add_observation(observation)
                for data_type, value in mapped.canaries:
                    self.bundle.add_canary(data_type, value, source=f"runtime:{event.get('api')}", ts=mapped.hook["ts"])
            except Exception as exc:  # any failure to record ends the run loudly
                self.failure = self.failure or exc
                return
            self.counts[f"event:{mapped.hook['type']}"] += 1
            self.counts["observations"] += len(mapped.observations)
            self.counts["canaries"] += len(mapped.canaries)
            if mapped.hook["type"] == "status" and isinstance(event.get("pid"), int):
                self.status[event["pid"]] = event

    def set_status(self, pid: int, status: dict[str, Any]) -> None:
        """The agent's final word on its targets (read over RPC when the run ends)."""
        self.record({**status, "type": "status", "pid": pid, "phase": "final"})

    def close(self) -> None:
        with self._lock:
            self.closed = True

    def summary(self) -> dict[str, Any]:
        """For the manifest: counts, clocks, and per target whether it was ever hooked."""
        hooked: set[str] = set()
        pending: set[str] = set()
        waiting: set[str] = set()
        absent: set[str] = set()
        failed: dict[str, str] = {}
        for status in self.status.values():
            for target in status.get("targets") or []:
                api, state = target.get("api"), target.get("status")
                if state == "hooked":
                    hooked.add(api)
                elif state == "pending":
                    pending.add(api)
                elif state == "waiting":
                    waiting.add(api)
                elif state == "absent":
                    absent.add(api)
                elif state == "failed":
                    failed[api] = str(target.get("error"))
        return {
            "processes": sorted(self.clocks),
            "clock": {str(pid): sample.to_dict() for pid, sample in sorted(self.clocks.items())},
            "counts": dict(sorted(self.counts.items())),
            "hooks": {
                "hooked": sorted(hooked),
                "never_loaded": sorted(pending - hooked - waiting - absent),
                "no_implementation_loaded": sorted(waiting - hooked),
                "absent": sorted(absent - hooked),
                "failed": dict(sorted((k, v) for k, v in failed.items() if k not in hooked)),
            },
        }
