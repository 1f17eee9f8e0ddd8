"""One message in, detections out: decode, search known values, locations and patterns.

The same value is usually found several times in one message — in the raw body, in the
form field, in the JSON inside it. One detection is kept per (data type, value,
location), the one reached through the longest encoding chain, because that chain is
what shows *how* the app disguised it (`form>urldecode>json>md5`). A known value beats a
pattern on the same characters: it is the stronger proof.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apptest.model import Confidence
from apptest.traffic import detectors
from apptest.traffic.decode import decode_message
from apptest.traffic.detection import Detection, excerpt, message_ts, safe_url
from apptest.traffic.knownvalues import LIST_TYPES, KnownValues
from apptest.traffic.layers import Decoded, Leaf, Limits
from apptest.traffic.location import DEFAULT_TOLERANCE, LocationMatcher
from apptest.traffic.match import Haystack, KnownMatcher
from apptest.traffic.message import Message
from apptest.traffic.party import PartyResolver

DEFAULT_APPS_MIN = 3


@dataclass
class Result:
    detections: list[Detection] = field(default_factory=list)
    limits: list[str] = field(default_factory=list)


@dataclass
class _Found:
    """A raw hit before deduplication (positions are haystack offsets)."""

    start: int
    end: int
    leaf: int
    data_type: str
    identity: str
    confidence: Confidence
    steps: tuple[str, ...]
    extra: dict[str, Any] = field(default_factory=dict)
    form: str = ""  # the last step a matcher added (md5, base64, gcj02): plain and hashed stay apart


class Analyzer:
    """Built once per device profile (and rebuilt when canaries grow); `analyze` is pure."""

    def __init__(
        self,
        known: KnownValues,
        resolver: PartyResolver,
        limits: Limits | None = None,
        tolerance: float = DEFAULT_TOLERANCE,
        apps_min: int = DEFAULT_APPS_MIN,
    ) -> None:
        self.known = known
        self.resolver = resolver
        self.limits = limits or Limits()
        self.matcher = KnownMatcher(known.variants)
        self.locations = LocationMatcher(known.coordinates, tolerance)
        self.apps_min = {dt: max(2, min(apps_min, size)) for dt, size in known.list_sizes.items()}

    def analyze(self, msg: Message) -> Result:
        decoded = decode_message(msg, self.limits)
        hay = Haystack(decoded.leaves)
        masks: list[tuple[int, int, int, str]] = []
        found = self._known(hay, masks) + self._locations(hay)
        taken = {(f.leaf, f.start, f.end) for f in found}
        spans = [(f.start, f.end) for f in found]
        for hit in detectors.scan(hay):
            if (hit.leaf, hit.start, hit.end) in taken or any(s < hit.end and hit.start < e for s, e in spans):
                continue
            leaf = decoded.leaves[hit.leaf]
            found.append(_Found(hit.start, hit.end, hit.leaf, hit.data_type, hit.candidate, "pattern", leaf.steps))
        masks.extend((f.leaf, f.start, f.end, f.data_type) for f in found)
        return Result(self._detections(msg, decoded, hay, found, masks), list(decoded.limits))

    def _known(self, hay: Haystack, masks: list[tuple[int, int, int, str]]) -> list[_Found]:
        out: list[_Found] = []
        lists: dict[str, list[_Found]] = {}
        for hit in self.matcher.find(hay):
            v = hit.variant
            steps = hay.leaves[hit.leaf].steps + ((v.transform,) if v.transform else ())
            item = _Found(hit.start, hit.end, hit.leaf, v.data_type, v.value_id, "known", steps, form=v.transform)
            if v.data_type in LIST_TYPES:
                lists.setdefault(v.data_type, []).append(item)
                masks.append((hit.leaf, hit.start, hit.end, v.data_type))
            else:
                out.append(item)
        for data_type, items in lists.items():
            distinct = {item.identity for item in items}
            if len(distinct) >= self.apps_min.get(data_type, DEFAULT_APPS_MIN):
                first = min(items, key=lambda f: f.start)
                first.identity, first.extra = data_type, {"count": len(distinct)}
                out.append(first)
        return out

    def _locations(self, hay: Haystack) -> list[_Found]:
        out = []
        for hit in self.locations.find(hay):
            extra = (hit.scale,) if hit.scale else ()
            steps = hay.leaves[hit.leaf].steps + extra + ((hit.datum,) if hit.datum != "wgs84" else ())
            out.append(
                _Found(
                    hit.start, hit.end, hit.leaf, hit.coordinate.data_type, hit.coordinate.value_id, "known",
                    steps, {"datum": hit.datum, "distance_m": hit.distance_m}, hit.datum,
                )
            )  # fmt: skip
        return out

    def _detections(
        self,
        msg: Message,
        decoded: Decoded,
        hay: Haystack,
        found: list[_Found],
        masks: list[tuple[int, int, int, str]],
    ) -> list[Detection]:
        best: dict[tuple[str, str, str, str], _Found] = {}
        for item in found:
            key = (item.data_type, item.identity, decoded.leaves[item.leaf].location, item.form)
            if key not in best or len(item.steps) > len(best[key].steps):
                best[key] = item
        by_leaf: dict[int, list[tuple[int, int, str]]] = {}
        for leaf_no, start, end, label in masks:
            base = hay.starts[leaf_no]
            by_leaf.setdefault(leaf_no, []).append((start - base, end - base, label))
        secrets = [hay.text[start:end] for _, start, end, _ in masks]
        url = safe_url(msg.url, secrets)
        who = self.resolver.resolve(msg.host)
        out = []
        for item in sorted(best.values(), key=lambda f: (f.leaf, f.start)):
            leaf: Leaf = decoded.leaves[item.leaf]
            base = hay.starts[item.leaf]
            extra = dict(item.extra)
            if item.confidence == "known":
                extra.setdefault("known_value", item.identity)
            out.append(
                Detection(
                    flow_id=msg.flow_id,
                    ts=message_ts(msg),
                    direction=msg.direction,
                    method=msg.method,
                    url=url,
                    host=msg.host,
                    scheme=msg.scheme,
                    data_type=item.data_type,
                    confidence=item.confidence,
                    encoding=">".join(item.steps) or "plain",
                    location=leaf.location,
                    excerpt=(f"{leaf.key}: " if leaf.key else "")
                    + excerpt(leaf.text, item.start - base, item.end - base, by_leaf[item.leaf]),
                    party=who.party,
                    sdk=who.sdk,
                    index=msg.index,
                    extra=extra,
                )
            )
        return out
