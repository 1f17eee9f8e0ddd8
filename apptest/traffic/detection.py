"""A detection — personal data found in one message — and its safe, masked presentation.

Raw values stay in the bundle (flows.mitm). Everything that leaves it — observations,
`apptest traffic` JSON, reports — carries masked text only: the matched value becomes
`‹device.imei›`, and what surrounds it has long digit and hex runs blanked, because the
context of an IMEI is often another identifier. The URL loses its query string and any
path segment that looks like an identifier for the same reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from apptest.model import Confidence, EvidenceRef, Observation, Party, iso_ts
from apptest.traffic.message import Message
from apptest.traffic.party import PartyResolver

EXCERPT_WIDTH = 28
_DIGITS = re.compile(r"\d{6,}")
_HEXRUN = re.compile(r"[0-9A-Fa-f]{12,}")
_B64RUN = re.compile(r"[A-Za-z0-9+/_-]{24,}={0,2}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ufffd]+")


@dataclass(frozen=True)
class Detection:
    """Fields of the `apptest traffic` JSON; `to_observation` gives the bundle record."""

    flow_id: str
    ts: str
    direction: str
    method: str
    url: str
    host: str
    scheme: str
    data_type: str
    confidence: Confidence
    encoding: str
    location: str
    excerpt: str
    party: Party
    sdk: str | None
    index: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "flow_id": self.flow_id,
            "ts": self.ts,
            "direction": self.direction,
            "method": self.method,
            "url": self.url,
            "host": self.host,
            "data_type": self.data_type,
            "confidence": self.confidence,
            "encoding": self.encoding,
            "location": self.location,
            "party": self.party,
            "sdk": self.sdk,
            "excerpt": self.excerpt,
        }
        if self.index is not None:
            out["message_index"] = self.index
        out.update(self.extra)
        return out

    def to_observation(self, resolver: PartyResolver) -> Observation:
        detail: dict[str, Any] = {
            "method": self.method,
            "url": self.url,
            "scheme": self.scheme,
            "location": self.location,
            "encoding": self.encoding,
            "excerpt": self.excerpt,
            "direction": self.direction,
        }
        if self.index is not None:
            detail["message_index"] = self.index
        detail.update(self.extra)
        return Observation(
            source="traffic",
            action="transmits",
            data_types=(self.data_type,),
            actor=resolver.actor(self.host),
            ts=self.ts,
            destination=resolver.destination(self.host),
            confidence=self.confidence,
            evidence=EvidenceRef("flows.mitm", self.flow_id),
            detail=detail,
        )


def message_ts(msg: Message) -> str:
    return iso_ts(datetime.fromtimestamp(msg.ts or 0.0, UTC))


def display(latin_text: str) -> str:
    """Latin-1-domain text back to readable Unicode, control bytes shown as one dot."""
    text = latin_text.encode("latin-1").decode("utf-8", "replace")
    return _CONTROL.sub("·", text)


def scrub(latin_text: str) -> str:
    """Context around a hit: identifiers nobody matched are blanked too."""
    text = _HEXRUN.sub("‹hex›", display(latin_text))
    text = _B64RUN.sub(lambda m: "‹…›" if _looks_random(m.group(0)) else m.group(0), text)
    return _DIGITS.sub(lambda m: "#" * len(m.group(0)), text)


def _looks_random(token: str) -> bool:
    """Tokens mix digits and both cases; words and paths do not."""
    return any(c.isdigit() for c in token) and any(c.isupper() for c in token) and any(c.islower() for c in token)


def excerpt(text: str, start: int, end: int, spans: list[tuple[int, int, str]]) -> str:
    """`text[start:end]` with context, every span in `spans` (leaf-relative) replaced by its label."""
    left, right = max(0, start - EXCERPT_WIDTH), min(len(text), end + EXCERPT_WIDTH)
    pieces, pos = [], left
    for s, e, label in sorted(spans):
        if e <= pos or s >= right:
            continue
        if s > pos:
            pieces.append(scrub(text[pos:s]))
        pieces.append(f"‹{label}›")  # also for a value cut by the window's edge: never half a value
        pos = min(e, right)
    pieces.append(scrub(text[pos:right]))
    return ("…" if left else "") + "".join(pieces) + ("…" if right < len(text) else "")


def safe_url(url: str, secrets: list[str]) -> str:
    """scheme://host/path with identifier-like path segments masked and the query dropped."""
    parts = urlsplit(url)
    lowered = [s.lower() for s in secrets if s]
    segments = []
    for segment in parts.path.split("/"):
        low = segment.lower()
        if _DIGITS.search(segment) or _HEXRUN.search(segment) or any(s in low for s in lowered):
            segments.append("*")
        else:
            segments.append(segment)
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return f"{parts.scheme}://{netloc}{'/'.join(segments)}" + ("?…" if parts.query else "")
