"""The types every stage shares: observations in, findings out.

An observation is the one contract between collectors and the judge (see the architecture
note): a collector says *what happened* — data type X was declared / read / requested /
sent by actor A at time T, proven by evidence E — and never whether it was lawful. The
judge turns observations into findings. Both are plain dataclasses that round-trip through
JSON, because a bundle written today must still be judged years later.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, get_args

Source = Literal["static", "runtime", "traffic", "scenario", "policy", "manual"]
Action = Literal[
    "declares",
    "references",
    "reads",
    "requests_permission",
    "permission_result",
    "transmits",
    "connects",
    "starts",
    "usable",
    "blocks",
]
ActorKind = Literal["app", "sdk", "system", "unknown"]
Proof = Literal["stack", "domain", "static", "none"]
Party = Literal["first", "third", "unknown"]
Confidence = Literal["known", "pattern", "name"]
Severity = Literal["high", "medium", "low", "info"]
Status = Literal["violation", "risk", "needs_review"]
Verdict = Literal["passed", "failed", "unchecked"]

SOURCES: tuple[str, ...] = get_args(Source)
ACTIONS: tuple[str, ...] = get_args(Action)
SEVERITIES: tuple[str, ...] = get_args(Severity)


def iso_ts(moment: datetime | None = None) -> str:
    """ISO 8601 UTC with milliseconds, the one timestamp format of every bundle.

    Evidence tools that drop the zone or the milliseconds (or count months from 0) make
    "before consent" unprovable; one formatter keeps every stream comparable.
    """
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("naive datetime: evidence timestamps must carry a zone")
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_ts(text: str) -> datetime:
    """Read an ISO 8601 timestamp (with `Z` or an offset) as an aware UTC datetime."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"timestamp without a zone: {text!r}")
    return moment.astimezone(UTC)


def new_id(prefix: str) -> str:
    """A collision-free id: several processes (capture, hook, phase) append to one bundle."""
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


@dataclass(frozen=True)
class Actor:
    """Who did it: the app's own code, an embedded SDK, the system, or nobody we can name.

    `proof` says how we know (a stack frame, a domain, a static class prefix), `via` names a
    plain library the call passed through (okhttp), so a reader sees both.
    """

    kind: ActorKind = "unknown"
    id: str | None = None
    name: str | None = None
    proof: Proof = "none"
    via: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Actor:
        data = data or {}
        return cls(
            kind=data.get("kind", "unknown"),
            id=data.get("id"),
            name=data.get("name"),
            proof=data.get("proof", "none"),
            via=data.get("via"),
        )


@dataclass(frozen=True)
class Destination:
    """Where a transmission went. `first` is only ever the operator's own declared domains."""

    host: str
    party: Party = "unknown"
    sdk: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Destination | None:
        if not data:
            return None
        return cls(host=data.get("host", ""), party=data.get("party", "unknown"), sdk=data.get("sdk"))


@dataclass(frozen=True)
class EvidenceRef:
    """Pointer into the bundle: which stream, and which record in it."""

    stream: str
    ref: str

    def to_dict(self) -> dict[str, Any]:
        return {"stream": self.stream, "ref": self.ref}


@dataclass(frozen=True)
class Observation:
    """One thing a collector saw. Collectors never compute consent state: the judge does."""

    source: Source
    action: Action
    data_types: tuple[str, ...] = ()
    actor: Actor = field(default_factory=Actor)
    ts: str = field(default_factory=iso_ts)
    id: str = field(default_factory=lambda: new_id("obs"))
    destination: Destination | None = None
    confidence: Confidence = "name"
    pid: int | None = None
    evidence: EvidenceRef | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "ts": self.ts,
            "source": self.source,
            "action": self.action,
            "data_types": list(self.data_types),
            "actor": self.actor.to_dict(),
            "confidence": self.confidence,
        }
        if self.destination is not None:
            out["destination"] = self.destination.to_dict()
        if self.pid is not None:
            out["pid"] = self.pid
        if self.evidence is not None:
            out["evidence"] = self.evidence.to_dict()
        if self.detail:
            out["detail"] = self.detail
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Observation:
        ev = data.get("evidence")
        return cls(
            id=data["id"],
            ts=data["ts"],
            source=data["source"],
            action=data["action"],
            data_types=tuple(data.get("data_types") or ()),
            actor=Actor.from_dict(data.get("actor")),
            destination=Destination.from_dict(data.get("destination")),
            confidence=data.get("confidence", "name"),
            pid=data.get("pid"),
            evidence=EvidenceRef(ev["stream"], ev["ref"]) if ev else None,
            detail=dict(data.get("detail") or {}),
        )


@dataclass(frozen=True)
class PhaseMark:
    """A moment in the test protocol (consent_given, permission_denied:CAMERA …)."""

    mark: str
    ts: str = field(default_factory=iso_ts)
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ts": self.ts, "mark": self.mark}
        if self.detail:
            out["detail"] = self.detail
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PhaseMark:
        return cls(mark=data["mark"], ts=data["ts"], detail=dict(data.get("detail") or {}))


@dataclass(frozen=True)
class Finding:
    """One failed rule instance, shaped like checkov's Record: everything a report needs."""

    rule_id: str
    fingerprint: str
    title: dict[str, str]
    severity: Severity
    status: Status
    data_types: tuple[str, ...]
    actors: tuple[dict[str, Any], ...]
    states: tuple[dict[str, Any], ...]
    observations: tuple[str, ...]
    citations: tuple[str, ...]
    explanation: dict[str, str]
    remediation: dict[str, str]
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("data_types", "actors", "states", "observations", "citations"):
            out[key] = list(out[key])
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(
            rule_id=data["rule_id"],
            fingerprint=data["fingerprint"],
            title=dict(data["title"]),
            severity=data["severity"],
            status=data["status"],
            data_types=tuple(data.get("data_types") or ()),
            actors=tuple(data.get("actors") or ()),
            states=tuple(data.get("states") or ()),
            observations=tuple(data.get("observations") or ()),
            citations=tuple(data.get("citations") or ()),
            explanation=dict(data.get("explanation") or {}),
            remediation=dict(data.get("remediation") or {}),
            detail=dict(data.get("detail") or {}),
        )


@dataclass(frozen=True)
class RuleResult:
    """Every rule gets a verdict, so "no finding" never hides "never checked"."""

    rule_id: str
    verdict: Verdict
    missing_evidence: tuple[Mapping[str, str], ...] = ()  # {zh, en} sentences a report prints

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "verdict": self.verdict,
            "missing_evidence": [dict(m) for m in self.missing_evidence],
        }
