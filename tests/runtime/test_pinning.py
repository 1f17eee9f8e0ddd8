"""The pinning bypass against real OkHttp (Debian's libokhttp-java) on the JVM.

A local HTTPS server with a self-signed certificate; client A trusts that certificate but
pins another key with OkHttp's own CertificatePinner, client B uses the app's own trust
manager that rejects every certificate. Without the bypass both fail; with it both get
through, and the bundle says the bypass was on and what it neutralised.
"""

from __future__ import annotations

import json

import pytest

from apptest.evidence import read_jsonl
from apptest.runtime.config import HookOptions
from tests.runtime.conftest import JavaBuild, Server, StandIn, traced

pytestmark = pytest.mark.slow


def probe(
    java_build: JavaBuild, knowledge, server: Server, root, bypass: bool, runtime_hooks: list | None = None
) -> tuple[str, str]:
    assert server.cert is not None
    app = StandIn.start(java_build, "com.example.rental.net.PinningProbe", args=[str(server.port), str(server.cert)])
    try:
        with traced(root, knowledge, HookOptions(bypass_pinning=bypass), runtime_hooks) as session:
            session.tracer.attach(app.pid)
            app.say("go")
            pinner = app.expect("A ", timeout=60)
            own = app.expect("B ", timeout=60)
            app.expect("done")
    finally:
        app.close()
    return pinner, own


def test_without_bypass_pinning_holds(java_build: JavaBuild, knowledge, https_server: Server, tmp_path) -> None:
    pinner, own = probe(java_build, knowledge, https_server, tmp_path / "b", bypass=False)
    assert pinner.startswith("A fail SSLPeerUnverifiedException: Certificate pinning failure")
    assert own.startswith("B fail SSLHandshakeException")
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text("utf-8"))
    assert manifest["options"]["bypass_pinning"] is False
    assert not [h for h in read_jsonl(tmp_path / "b" / "hooks.jsonl").records if h["type"] == "bypass"]


def test_with_bypass_the_calls_get_through(java_build: JavaBuild, knowledge, https_server: Server, tmp_path) -> None:
    pinner, own = probe(java_build, knowledge, https_server, tmp_path / "b", bypass=True)
    assert (pinner, own) == ("A ok 200", "B ok 200")
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text("utf-8"))
    assert manifest["options"]["bypass_pinning"] is True
    bypassed = {
        (h["api"], h["class"]) for h in read_jsonl(tmp_path / "b" / "hooks.jsonl").records if h["type"] == "bypass"
    }
    assert ("okhttp3.CertificatePinner.check", "okhttp3.CertificatePinner") in bypassed
    assert (
        "javax.net.ssl.X509TrustManager.checkServerTrusted",
        "com.example.rental.net.PinningTrustManager",
    ) in bypassed


def test_the_bypass_targets_are_the_profile_s(java_build: JavaBuild, knowledge, https_server: Server, tmp_path) -> None:
    """The agent neutralises what profiles/runtime_hooks.yaml lists, nothing it knows itself:
    without the OkHttp entry the pin holds, while the app's trust manager is still bypassed."""
    hooks = [t for t in knowledge.runtime_hooks if t["class"] != "okhttp3.CertificatePinner"]
    assert len(hooks) == len(knowledge.runtime_hooks) - 1
    pinner, own = probe(java_build, knowledge, https_server, tmp_path / "b", bypass=True, runtime_hooks=hooks)
    assert pinner.startswith("A fail SSLPeerUnverifiedException: Certificate pinning failure")
    assert own == "B ok 200"
    bypassed = {h["api"] for h in read_jsonl(tmp_path / "b" / "hooks.jsonl").records if h["type"] == "bypass"}
    assert "javax.net.ssl.X509TrustManager.checkServerTrusted" in bypassed
    assert not any(api.startswith("okhttp3.") for api in bypassed)
