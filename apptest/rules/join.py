"""Who sent it: join a captured transmission to the runtime connection that opened it.

The proxy sees *what* left the phone and *where* it went, but not which code sent it; a
domain list only guesses ("this host belongs to Umeng"). The runtime hooks see the socket
or HTTP call with its Java stack. When a runtime `connects` to the same host happened
close in time (and in the same process, when both sides know the pid), the stack-proven
actor is the sender; otherwise the finding says the sender is only guessed from the domain.
A finding must never present a guess as proof: the join records which runtime observation
proved it.

The window is a tool default (no law speaks of it): connection set-up and the request the
proxy logs are normally milliseconds apart, but TLS session reuse and device clock offsets
stretch that.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from apptest.model import Actor, Observation, parse_ts

DEFAULT_WINDOW_SECONDS = 5.0


@dataclass(frozen=True)
class Sender:
    """The actor a transmission is attributed to, how that is known, and the proving record."""

    actor: Actor
    proof: str
    joined: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"actor": self.actor.to_dict(), "proof": self.proof}
        if self.joined:
            out["joined_observation"] = self.joined
        return out


def _host(obs: Observation) -> str | None:
    if obs.destination is None or not obs.destination.host:
        return None
    host = obs.destination.host.lower()
    name, sep, port = host.rpartition(":")
    return name if sep and port.isdigit() and ":" not in name else host


def attribute_senders(
    observations: Iterable[Observation], window_seconds: float = DEFAULT_WINDOW_SECONDS
) -> dict[str, Sender]:
    """For every traffic observation with a host: its sender (observation id -> Sender)."""
    obs_list = list(observations)
    runtime: dict[str, list[tuple[datetime, Observation]]] = {}
    for obs in obs_list:
        host = _host(obs)
        if obs.source == "runtime" and obs.action == "connects" and host:
            runtime.setdefault(host, []).append((parse_ts(obs.ts), obs))
    for candidates in runtime.values():
        candidates.sort(key=lambda pair: pair[0])
    times = {host: [at for at, _ in pairs] for host, pairs in runtime.items()}
    window = timedelta(seconds=window_seconds)
    out: dict[str, Sender] = {}
    for obs in obs_list:
        host = _host(obs)
        if obs.source != "traffic" or not host:
            continue
        at = parse_ts(obs.ts)
        pairs = runtime.get(host, [])
        lo = bisect.bisect_left(times.get(host, []), at - window)
        hi = bisect.bisect_right(times.get(host, []), at + window)
        best: tuple[int, float, Observation] | None = None
        for cand_at, cand in pairs[lo:hi]:
            if obs.pid is not None and cand.pid is not None and obs.pid != cand.pid:
                continue
            rank = (0 if cand.actor.proof == "stack" else 1, abs((cand_at - at).total_seconds()), cand)
            if best is None or rank[:2] < best[:2]:
                best = rank
        if best is not None and best[2].actor.proof == "stack":
            out[obs.id] = Sender(actor=best[2].actor, proof="stack", joined=best[2].id)
        else:
            out[obs.id] = Sender(actor=obs.actor, proof=obs.actor.proof, joined=best[2].id if best else None)
    return out
