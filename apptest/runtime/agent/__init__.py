"""The frida agent: TypeScript sources in `src/`, and the bundle apptest ships.

`_agent.js` is built from `src/` by `build.py` (frida's compiler plus the pinned
frida-java-bridge) and committed as package data, so users need no Node.js. Its SHA-256 goes into
every bundle's manifest: a court can tell which agent recorded the evidence.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any


def _file(name: str) -> Any:
    return resources.files(__name__).joinpath(name)


@cache
def source() -> str:
    """The bundle's text, as `session.create_script` takes it."""
    text: str = _file("_agent.js").read_text(encoding="utf-8")
    return text


@cache
def sha256() -> str:
    return hashlib.sha256(source().encode("utf-8")).hexdigest()


@cache
def build_facts() -> dict[str, Any]:
    """What the bundle was built from (source hash, bridge version), for the manifest."""
    facts: dict[str, Any] = json.loads(_file("_agent.meta.json").read_text(encoding="utf-8"))
    return facts


def manifest_entry() -> dict[str, Any]:
    facts = build_facts()
    return {
        "name": "apptest-runtime-agent",
        "sha256": sha256(),
        "source_sha256": facts.get("source_sha256"),
        "frida_java_bridge": facts.get("frida_java_bridge"),
    }
