"""From a device profile (+ canaries, + operator domains) to a ready Analyzer.

Live capture and offline analysis must judge the same bytes the same way, so both build
their analyzer here, from the same inputs: the validated device profile, the canaries
the runtime hooks recorded in the bundle, the operator domains (profile, bundle manifest
and command line together) and the SDK catalogue.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apptest.attribution import SdkIndex
from apptest.traffic.analyze import DEFAULT_APPS_MIN, Analyzer
from apptest.traffic.knownvalues import KnownValues
from apptest.traffic.location import DEFAULT_TOLERANCE
from apptest.traffic.party import PartyResolver

DEVICE_FACTS = ("serial", "model", "android_version", "build", "description")


@dataclass(frozen=True)
class DeviceConfig:
    """The parts of a device profile traffic analysis uses."""

    identifiers: dict[str, Any] = field(default_factory=dict)
    operator_domains: tuple[str, ...] = ()
    tolerance: float = DEFAULT_TOLERANCE
    apps_min: int = DEFAULT_APPS_MIN
    facts: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_profile(cls, data: Mapping[str, Any]) -> DeviceConfig:
        detection = data.get("detection") or {}
        return cls(
            identifiers=dict(data.get("identifiers") or {}),
            operator_domains=tuple(data.get("operator_domains") or ()),
            tolerance=float(detection.get("location_tolerance_deg", DEFAULT_TOLERANCE)),
            apps_min=int(detection.get("apps_min", DEFAULT_APPS_MIN)),
            facts={k: data[k] for k in DEVICE_FACTS if data.get(k) is not None},
        )

    @classmethod
    def load(cls, knowledge: Any, path: Path | None) -> DeviceConfig:
        """Validated through `Knowledge.device_profile` (schema + taxonomy ids); None: empty."""
        return cls() if path is None else cls.from_profile(knowledge.device_profile(path))


def sdk_index(knowledge: Any) -> SdkIndex:
    return SdkIndex(knowledge.sdks)


def make_analyzer(
    device: DeviceConfig,
    sdks: SdkIndex | None,
    canaries: Iterable[Mapping[str, Any]] = (),
    operator_domains: Iterable[str] = (),
    app_id: str | None = None,
) -> Analyzer:
    domains = [*device.operator_domains, *operator_domains]
    known = KnownValues.build(device.identifiers, canaries)
    resolver = PartyResolver(domains, sdks, app_id)
    return Analyzer(known, resolver, tolerance=device.tolerance, apps_min=device.apps_min)
