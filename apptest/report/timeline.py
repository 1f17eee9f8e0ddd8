"""The timeline picture: who read and who sent what, against the consent phases.

This is the figure a reader looks at first, so it answers one question at a glance: did
anything happen in the red band (before the user agreed)? Time runs left to right; the
background shows the consent state (before / given / refused / withdrawn), vertical lines
mark each phase, and each actor (the app, every SDK) has its own row of reads (circles)
and sends (triangles), red when a finding cites them.

`layout` is pure geometry and text — numbers and strings, no markup. The SVG is drawn by
a Jinja macro with autoescaping on, so a host name or phase detail that contains markup
stays text. Dense runs are merged per few pixels (an SDK reading the Android ID every
second would otherwise draw thousands of overlapping circles); the merged mark's tooltip
says how many it stands for. Phase labels are placed by `timeline_labels` so that they
never overlap; when marks crowd together they are numbered and `phase_key` lists them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from apptest.model import parse_ts
from apptest.report import timeline_labels

WIDTH = 1000
GUTTER = 190  # lane labels
RIGHT = 16
STATE_H = 8
LANE_H = 24
AXIS_H = 26
BUCKET_PX = 5
MAX_LANES = 12
LABEL_CHARS = 26
DRAWN = ("reads", "transmits")
CONSENT_MARKS = {
    "consent_given": "given",
    "consent_refused": "refused",
    "consent_withdrawn": "withdrawn",
}
APP_MARKS = {
    "launch": "foreground",
    "foreground": "foreground",
    "relaunched": "foreground",
    "background": "background",
    "killed": "killed",
}


def _ts(text: str) -> datetime | None:
    try:
        return parse_ts(text)
    except (ValueError, TypeError, AttributeError):
        return None


def consent_at(moment: datetime, phases: Sequence[Mapping[str, Any]]) -> str:
    """Consent state at a moment from the phase marks: before until the first consent mark."""
    state = "before"
    for phase in sorted(phases, key=lambda p: p.get("ts", "")):
        at = _ts(phase.get("ts", ""))
        if at is None or at > moment:
            break
        state = CONSENT_MARKS.get(str(phase.get("mark", "")).split(":", 1)[0], state)
    return state


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _segments(
    phases: Sequence[tuple[datetime, str]], table: Mapping[str, str], start_state: str, t0: datetime, t1: datetime
) -> list[tuple[datetime, datetime, str]]:
    out, state, since = [], start_state, t0
    for at, mark in phases:
        new = table.get(mark.split(":", 1)[0])
        if new is None or new == state:
            continue
        if at > since:
            out.append((since, at, state))
        state, since = new, max(at, t0)
    if t1 > since:
        out.append((since, t1, state))
    return out


def _tick_step(span: float) -> float:
    for step in (0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400):
        if span / step <= 8:
            return step
    return span / 8


def rel_label(seconds: float) -> str:
    """`+8.2s`, `+1m30s`, `+2h05m`: time since the first event, the way testers speak of it."""
    sign = "-" if seconds < 0 else "+"
    seconds = abs(seconds)
    if seconds < 60:
        text = f"{seconds:.1f}".rstrip("0").rstrip(".")
        return f"{sign}{text}s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{sign}{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{sign}{hours}h{minutes:02d}m"


def _phases(
    marks: Sequence[tuple[datetime, str]],
    t0: datetime,
    x_of: Callable[[datetime], float],
    phase_label: Callable[[str], str],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Phase lines, their labels (placed by timeline_labels) and the key, if labels are numbered.

    The label shows the permission's last segment (`CAMERA`); the tooltip and the key
    show the mark in full, as the phase table does.
    """
    lines: list[dict[str, Any]] = []
    for n, (at, mark) in enumerate(marks):
        name, _, param = mark.partition(":")
        shown = phase_label(name)
        lines.append(
            {
                "x": x_of(at),
                "number": n + 1,
                "label": _short(shown + (f" {param.rsplit('.', 1)[-1]}" if param else ""), 22),
                "name": f"{shown}: {param}" if param else shown,
                "rel": rel_label((at - t0).total_seconds()),
                "consent": name in CONSENT_MARKS,
            }
        )
    placed, numbered = timeline_labels.place(
        [line["x"] for line in lines], [line["label"] for line in lines], WIDTH - 1
    )
    labels: list[dict[str, Any]] = []
    for label in placed:
        members = lines[label.first : label.last + 1]
        for line in members:
            line["row"] = label.row
            line["line_top"] = label.box[3]
            prefix = f"{line['number']}. " if numbered else ""
            line["full"] = f"{prefix}{line['rel']} {line['name']}"
        labels.append(
            {
                "text": label.text,
                "text_x": label.text_x,
                "y": label.baseline,
                "anchor": label.anchor,
                "row": label.row,
                "box": label.box,
                "numbers": [line["number"] for line in members],
                "title": "\n".join(line["full"] for line in members),
                "consent": any(line["consent"] for line in members),
            }
        )
    key = [{k: line[k] for k in ("number", "rel", "name", "consent")} for line in lines] if numbered else []
    return lines, labels, key


def layout(
    observations: Sequence[Mapping[str, Any]],
    phases: Sequence[Mapping[str, Any]],
    flagged: set[str],
    lane_of: Callable[[Mapping[str, Any]], tuple[str, str]],
    phase_label: Callable[[str], str],
    other_label: str = "…",
) -> dict[str, Any] | None:
    """Geometry of the timeline, or None when there is nothing dated to draw.

    `lane_of(obs)` gives (lane key, lane label); `phase_label(mark)` the printed name of a
    phase mark; `flagged` the observation ids cited by findings.
    """
    events = []
    for obs in observations:
        if obs.get("action") not in DRAWN:
            continue
        at = _ts(obs.get("ts", ""))
        if at is not None:
            events.append((at, obs))
    marks = sorted(
        ((at, str(p.get("mark", ""))) for p in phases if (at := _ts(p.get("ts", ""))) is not None),
        key=lambda m: m[0],
    )
    moments = [at for at, _ in events] + [at for at, _ in marks]
    if not moments:
        return None
    t0, t1 = min(moments), max(moments)
    span = max((t1 - t0).total_seconds(), 1.0)
    plot_w = WIDTH - GUTTER - RIGHT

    def x_of(at: datetime) -> float:
        return round(GUTTER + (at - t0).total_seconds() / span * plot_w, 1)

    # lanes: the app first, then SDKs and others by first appearance; the rest merged
    order: dict[str, str] = {}
    for _, obs in sorted(events, key=lambda e: (lane_of(e[1])[0] != "app", e[0])):
        key, label = lane_of(obs)
        order.setdefault(key, label)
    keys = list(order)
    merged = keys[MAX_LANES - 1 :] if len(keys) > MAX_LANES else []
    lanes: list[dict[str, Any]] = [
        {"key": k, "label": _short(order[k]), "full": order[k]} for k in keys if k not in merged
    ]
    if merged:
        lanes.append({"key": "…", "label": _short(f"{other_label} ({len(merged)})"), "full": ", ".join(merged)})
    top = timeline_labels.ROWS * timeline_labels.ROW_H + 6
    state_y = top
    lanes_y = state_y + STATE_H + 4
    lane_index = {lane["key"]: n for n, lane in enumerate(lanes)}
    for n, lane in enumerate(lanes):
        lane["y"] = lanes_y + n * LANE_H
        lane["mid"] = lane["y"] + LANE_H / 2
    plot_bottom = lanes_y + max(len(lanes), 1) * LANE_H
    height = plot_bottom + AXIS_H

    buckets: dict[tuple[int, str, int], dict[str, Any]] = {}
    for at, obs in sorted(events, key=lambda e: e[0]):
        key = lane_of(obs)[0]
        lane_no = lane_index.get(key, len(lanes) - 1)
        x = x_of(at)
        slot = (lane_no, obs["action"], int((x - GUTTER) // BUCKET_PX))
        hit = obs.get("id") in flagged
        bucket = buckets.get(slot)
        if bucket is None:
            buckets[slot] = {
                "x": x,
                "y": lanes[lane_no]["mid"],
                "kind": "send" if obs["action"] == "transmits" else "read",
                "flagged": hit,
                "count": 1,
                "ts": at,
                "data_types": list(obs.get("data_types") or []),
                "host": (obs.get("destination") or {}).get("host"),
                "rel": rel_label((at - t0).total_seconds()),
            }
        else:
            bucket["count"] += 1
            bucket["flagged"] = bucket["flagged"] or hit
            for dt in obs.get("data_types") or []:
                if dt not in bucket["data_types"]:
                    bucket["data_types"].append(dt)
    points = sorted(buckets.values(), key=lambda b: (b["y"], b["x"], b["kind"]))
    for point in points:
        point["ts"] = point["ts"].strftime("%H:%M:%S.%f")[:-3]

    bands = [
        {"x": x_of(a), "w": round(x_of(b) - x_of(a), 1), "state": s}
        for a, b, s in _segments(marks, CONSENT_MARKS, "before", t0, t1)
    ]
    app_states = [
        {"x": x_of(a), "w": round(x_of(b) - x_of(a), 1), "state": s}
        for a, b, s in _segments(marks, APP_MARKS, "foreground", t0, t1)
        if s != "foreground"
    ]
    phase_lines, phase_labels, phase_key = _phases(marks, t0, x_of, phase_label)
    step = _tick_step(span)
    ticks = []
    value = 0.0
    while value <= span + 1e-9:
        x = round(GUTTER + value / span * plot_w, 1)
        anchor = "end" if x > WIDTH - RIGHT - 20 else "middle"
        ticks.append({"x": x, "label": rel_label(value), "anchor": anchor})
        value += step
    return {
        "width": WIDTH,
        "height": height,
        "gutter": GUTTER,
        "plot_right": WIDTH - RIGHT,
        "state_y": state_y,
        "state_h": STATE_H,
        "lane_h": LANE_H,
        "plot_top": lanes_y,
        "plot_bottom": plot_bottom,
        "lanes": lanes,
        "bands": bands,
        "app_states": app_states,
        "phases": phase_lines,
        "phase_labels": phase_labels,
        "phase_key": phase_key,
        "points": points,
        "ticks": ticks,
        "start": t0.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + " UTC",
        "end": t1.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + " UTC",
        "span": rel_label(span),
        "counts": {
            "reads": sum(1 for _, o in events if o["action"] == "reads"),
            "sends": sum(1 for _, o in events if o["action"] == "transmits"),
            "flagged": sum(1 for _, o in events if o.get("id") in flagged),
        },
    }
