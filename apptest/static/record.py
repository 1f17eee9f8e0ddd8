"""Static facts into the evidence bundle: static.json plus `declares`/`references`/`starts`.

The judge reads observations, so presence evidence is written as observations too: a
declared permission, a call site grouped per API and owner, an SDK found in the APK (so an
SDK that no call site shows is still checked against the policy's third-party list), an
auto-start component. Each
is marked `source: static` so no report can mistake "present in the APK" for "called".
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from apptest.evidence import Bundle
from apptest.manifest_facts import collect
from apptest.model import Actor, EvidenceRef, Observation


def _actor(sdk: dict[str, Any] | None, package: str | None) -> Actor:
    if sdk:
        return Actor(kind="sdk", id=sdk["id"], name=sdk.get("name"), proof="static")
    return Actor(kind="app", id=package, name=package, proof="static")


def static_observations(result: dict[str, Any]) -> list[Observation]:
    """Observations for one static result, in a deterministic order."""
    package = result["apk"].get("package")
    app = _actor(None, package)
    out: list[Observation] = []
    for perm in result["permissions"]:
        out.append(
            Observation(
                source="static",
                action="declares",
                data_types=tuple(perm["data_types"]),
                actor=app,
                confidence="name",
                evidence=EvidenceRef("static.json", f"permissions/{perm['name']}"),
                detail={
                    "permission": perm["name"],
                    "protection_level": perm["protection_level"],
                    "max_sdk": perm["max_sdk"],
                    "element": perm["element"],
                },
            )
        )
    groups: dict[tuple[str, str | None, tuple[str, ...], str], list[dict[str, Any]]] = defaultdict(list)
    for call in result["api_calls"]:
        sdk_id = call["sdk"]["id"] if call["sdk"] else None
        groups[(call["api"], sdk_id, tuple(call["data_types"]), call["confidence"])].append(call)
    for (api, _sdk, types, confidence), calls in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        out.append(
            Observation(
                source="static",
                action="references",
                data_types=types,
                actor=_actor(calls[0]["sdk"], package),
                confidence="known" if confidence == "known" else "name",
                evidence=EvidenceRef("static.json", f"api_calls/{api}"),
                detail={
                    "api": api,
                    "call_sites": len(calls),
                    "callers": sorted({c["caller"] for c in calls})[:20],
                    "arguments": sorted({c["argument"] for c in calls if c.get("argument")}),
                },
            )
        )
    for sdk in result["sdks"]:
        out.append(
            Observation(
                source="static",
                action="references",
                data_types=(),
                actor=Actor(kind="sdk", id=sdk["id"], name=(sdk["name"] or {}).get("en"), proof="static"),
                confidence="name",
                evidence=EvidenceRef("static.json", f"sdks/{sdk['id']}"),
                detail={
                    "sdk_present": True,
                    "kind": sdk["kind"],
                    "matched": sdk["matched"],
                    "class_count": sdk["class_count"],
                },
            )
        )
    for row in result["auto_start"]:
        out.append(
            Observation(
                source="static",
                action="starts",
                data_types=(),
                actor=_actor(row.get("sdk"), package),
                confidence="name",
                evidence=EvidenceRef("static.json", f"auto_start/{row['component']}"),
                detail={"component": row["component"], "kind": row["kind"], "actions": row["actions"]},
            )
        )
    return out


def record_static(result: dict[str, Any], knowledge: Any, bundle_dir: Path) -> Bundle:
    """Create or extend the bundle with the APK facts, static.json and static observations."""
    manifest = collect(static_apk=result["apk"], profile_versions=knowledge.versions())
    manifest["apk"].setdefault("package", "unknown")
    bundle = Bundle.create(bundle_dir, manifest)
    bundle.write_static(result)
    for obs in static_observations(result):
        bundle.add_observation(obs)
    bundle.close()
    return bundle
