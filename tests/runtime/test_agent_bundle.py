"""The shipped agent bundle is the one built from the current sources.

The built `_agent.js` is package data (users need no Node.js), so a source change without
a rebuild would ship stale hooks. `_agent.meta.json` records the hash of the sources the
bundle was built from; this test recomputes it. When the frida-java-bridge sources are at
hand (node_modules/, fetched by build.py with npm), the bundle is rebuilt and compared byte
for byte, which also proves the build is reproducible.
"""

from __future__ import annotations

import hashlib

import pytest

from apptest.runtime import agent
from apptest.runtime.agent import build as agent_build


def test_bundle_matches_the_sources() -> None:
    meta = agent.build_facts()
    assert meta["source_sha256"] == agent_build.source_sha256(), "agent sources changed: run agent/build.py"
    assert meta["bundle_sha256"] == agent.sha256() == hashlib.sha256(agent_build.BUNDLE.read_bytes()).hexdigest()
    assert meta["frida_java_bridge"] == agent_build.bridge_version()
    assert agent_build.main(["--check"]) == 0


def test_bundle_is_found_as_package_data() -> None:
    source = agent.source()
    assert source.startswith("📦\n") and "frida-java-bridge" in source
    assert agent.manifest_entry()["sha256"] == agent.sha256()


@pytest.mark.slow
def test_rebuild_reproduces_the_bundle() -> None:
    if not (agent_build.HERE / "node_modules" / "frida-java-bridge" / "package.json").exists():
        pytest.skip("frida-java-bridge not installed (python3 apptest/runtime/agent/build.py fetches it)")
    assert agent_build.compile_bundle() == agent.source()
