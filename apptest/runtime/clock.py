"""The device clock, corrected: every runtime timestamp is host-comparable UTC.

The agent stamps events with the device's own clock (epoch milliseconds). A phone's clock
may be minutes off the host's, and phases, flows and hooks must line up on one time axis
for "before consent" to mean anything, so the offset is measured when a process is
instrumented (NTP-style: the device reading is taken as the midpoint of the host's
round trip, the fastest of a few tries) and added to every event of that device.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from apptest.model import iso_ts


@dataclass(frozen=True)
class ClockSample:
    """Device time + offset_ms = host time; `rtt_ms` bounds the error (± rtt/2)."""

    offset_ms: float
    rtt_ms: float

    def to_dict(self) -> dict[str, float]:
        return {"offset_ms": round(self.offset_ms, 1), "rtt_ms": round(self.rtt_ms, 1)}


def offset_from(host_before_ms: float, device_ms: float, host_after_ms: float) -> ClockSample:
    """One exchange: the device read its clock somewhere between the two host readings."""
    return ClockSample(
        offset_ms=(host_before_ms + host_after_ms) / 2 - device_ms, rtt_ms=host_after_ms - host_before_ms
    )


def measure(read_device_ms: Callable[[], float], tries: int = 5) -> ClockSample:
    """The sample with the shortest round trip (the least uncertain) of a few."""
    best: ClockSample | None = None
    for _ in range(max(1, tries)):
        before = time.time() * 1000
        device = float(read_device_ms())
        after = time.time() * 1000
        sample = offset_from(before, device, after)
        if best is None or sample.rtt_ms < best.rtt_ms:
            best = sample
    assert best is not None
    return best


def corrected_ts(device_ms: float, offset_ms: float) -> str:
    """A device timestamp on the host's clock, in the bundle's one format."""
    return iso_ts(datetime.fromtimestamp((device_ms + offset_ms) / 1000, UTC))
