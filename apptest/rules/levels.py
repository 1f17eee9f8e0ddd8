"""Present, called, sent: the three evidence levels, kept apart in every finding.

A permission or an API in the APK (present) is not proof of use; a runtime read (called)
is not proof that the value left the phone; a captured transmission (sent) is. Labs and
courts weigh them differently, and tools that merge them produce the false positives
users complain about ("an SDK present is not an SDK used"). For the data types of a
finding, this lists every observation of the bundle at each level with the consent
phases it happened in, so a reader sees e.g. "IMEI: present in the APK, called before
consent, never sent".
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from apptest.model import Observation
from apptest.rules.context import Facts

MAX_IDS = 20
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def level_of(obs: Observation) -> str | None:
    """Which level an observation proves (None: it proves none, e.g. a scenario check)."""
    if obs.source == "static" and obs.action in ("references", "declares"):
        return "present"
    if obs.source == "runtime" and obs.action == "reads" and obs.detail.get("outcome") != "exception":
        return "called"
    if obs.source == "traffic" and obs.action == "transmits":
        return "sent"
    return None


def level_index(observations: Iterable[Observation]) -> dict[str, list[tuple[str, Observation]]]:
    """Data type -> [(level, observation)], built once per judgement (findings look it up)."""
    index: dict[str, list[tuple[str, Observation]]] = {}
    for obs in observations:
        level = level_of(obs)
        if level is None:
            continue
        for dt in dict.fromkeys(obs.data_types):
            index.setdefault(dt, []).append((level, obs))
    return index


def evidence_levels(data_types: Iterable[str], own: Iterable[str], facts: Facts) -> dict[str, Any]:
    """Per level: up to MAX_IDS observation ids, their count, and the consent phases seen."""
    chosen: dict[str, tuple[str, Observation]] = {}
    for dt in data_types:
        for level, obs in facts.levels.get(dt, ()):
            chosen.setdefault(obs.id, (level, obs))
    for oid in own:
        mine = facts.by_id.get(oid)
        mine_level = level_of(mine) if mine is not None else None
        if mine is not None and mine_level is not None:
            chosen.setdefault(oid, (mine_level, mine))
    out: dict[str, Any] = {}
    for level in ("present", "called", "sent"):
        found = [obs for lv, obs in chosen.values() if lv == level]
        first = heapq.nsmallest(MAX_IDS, found, key=lambda o: (facts.moments.get(o.id) or _EPOCH, o.id))
        entry: dict[str, Any] = {"count": len(found), "observations": [o.id for o in first]}
        if level != "present":
            entry["consent"] = sorted({facts.states[o.id].consent for o in found if o.id in facts.states})
        out[level] = entry
    return out
