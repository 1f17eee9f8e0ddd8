"""Manifest facts: the versions, hashes and device facts a court asks for."""

from __future__ import annotations

import hashlib
import sys
from importlib import metadata
from pathlib import Path

from apptest.evidence import Bundle, validate
from apptest.manifest_facts import apk_facts, collect, device_facts, profile_facts, run_facts, tool_facts

GETPROP = {
    "ro.product.manufacturer": "Xiaomi",
    "ro.product.model": "M2012K11AC",
    "ro.build.version.release": "13",
    "ro.build.version.sdk": "33",
    "ro.build.fingerprint": "Redmi/alioth/alioth:13/TKQ1.220829.002/V14.0.8.0.TKHCNXM:user/release-keys",
    "ro.kernel.qemu": "",
}
STATIC_APK = {
    "path": "/srv/lab/in/rental.apk",
    "package": "com.example.rental",
    "sha256": "26e2d93b293b49922c5561710585ff25ab42c17234b9f54888d5ff849dd8feda",
    "md5": "dc0a4ac1e5156b425765eb65f39a58c8",
    "version_name": "1.2.0",
    "version_code": "12",
    "signing_certificates": [{"sha256": "24" * 32, "sha1": "2e" * 20, "subject": "CN=x", "issuer": "CN=x", "extra": 1}],
}


def test_device_facts_from_getprop() -> None:
    facts = device_facts(GETPROP, {"serial": "abc123", "frida_server": "17.2.1"})
    assert facts == {
        "manufacturer": "Xiaomi",
        "model": "M2012K11AC",
        "android_version": "13",
        "sdk": "33",
        "build_fingerprint": GETPROP["ro.build.fingerprint"],
        "serial": "abc123",
        "frida_server": "17.2.1",
    }
    assert device_facts({"ro.kernel.qemu": "1"})["emulator"] is True


def test_apk_facts_keep_identity_and_certificates() -> None:
    facts = apk_facts(STATIC_APK)
    assert facts["path"] == "rental.apk", "the lab's folder layout is not evidence"
    assert facts["md5"] == STATIC_APK["md5"] and facts["sha256"] == STATIC_APK["sha256"]
    assert facts["signing_certificates"] == [
        {"sha256": "24" * 32, "sha1": "2e" * 20, "subject": "CN=x", "issuer": "CN=x"}
    ]


def test_tool_versions_without_importing_the_tools(tmp_path: Path) -> None:
    agent = tmp_path / "agent.js"
    body = b"rpc.exports = {};"
    agent.write_bytes(body)
    loaded_before = "frida" in sys.modules
    facts = tool_facts(agent)
    assert facts["version"] and facts["python"]
    assert facts["packages"]["jinja2"] == metadata.version("jinja2") and "frida" in facts["packages"]
    assert facts["agent"] == {"name": "agent.js", "size": len(body), "sha256": hashlib.sha256(body).hexdigest()}
    assert ("frida" in sys.modules) == loaded_before, "recording frida's version must not load frida"


def test_profile_digest_changes_with_any_file() -> None:
    one = profile_facts({"a.yaml": {"version": "1", "sha256": "x"}, "b.yaml": {"version": "1", "sha256": "y"}})
    two = profile_facts({"b.yaml": {"version": "1", "sha256": "y"}, "a.yaml": {"version": "1", "sha256": "x"}})
    three = profile_facts({"a.yaml": {"version": "1", "sha256": "z"}, "b.yaml": {"version": "1", "sha256": "y"}})
    assert one["sha256"] == two["sha256"] != three["sha256"]


def test_command_line_hides_secrets() -> None:
    assert run_facts(["/usr/bin/apptest", "run", "--token", "s3cret", "--password=pw", "--lang", "zh"]) == {
        "command_line": ["apptest", "run", "--token", "***", "--password=***", "--lang", "zh"]
    }


def test_collected_facts_make_a_valid_manifest(tmp_path: Path) -> None:
    from apptest.knowledge import Knowledge

    facts = collect(
        static_apk=STATIC_APK,
        device_props=GETPROP,
        profile_versions=Knowledge.load().versions(),
        argv=["apptest", "run"],
    )
    bundle = Bundle.create(tmp_path / "b", facts)
    manifest = bundle.manifest()
    assert validate("manifest", manifest) == []
    assert manifest["device"]["build_fingerprint"] == GETPROP["ro.build.fingerprint"]
    assert len(manifest["profiles"]["sha256"]) == 64 and manifest["profiles"]["files"]
