"""The facts a bundle manifest records about the tools, the APK, the device and the run.

A court asks "with what, on what, when": the exact versions of apptest, frida, mitmproxy
and androguard, the SHA-256 of every profile file and of the instrumentation agent, the
APK's hashes and signing certificate, the phone's model, Android version and build
fingerprint, the times and the command line. Each function below returns one part of
`manifest.json` (`Bundle.create(root, manifest)` merges them), so the live conductor, a
static scan and a lab's own tooling record the same fields under the same names.

Versions are read from installed package metadata, never by importing the package:
recording "frida 17.2.1" must not load frida into a process that only scans an APK.
"""

from __future__ import annotations

import hashlib
import platform
import sys
from collections.abc import Iterable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from apptest import __version__

TOOL_PACKAGES = ("frida", "mitmproxy", "androguard", "jinja2", "cryptography")

# Android system properties (getprop) -> manifest device fields.
DEVICE_PROPS = {
    "ro.product.manufacturer": "manufacturer",
    "ro.product.brand": "brand",
    "ro.product.model": "model",
    "ro.product.device": "device",
    "ro.build.version.release": "android_version",
    "ro.build.version.sdk": "sdk",
    "ro.build.version.security_patch": "security_patch",
    "ro.build.fingerprint": "build_fingerprint",
    "ro.build.display.id": "build_id",
    "ro.kernel.qemu": "emulator",
}


def package_version(name: str) -> str | None:
    """Installed version of a distribution, or None when it is not installed."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def file_facts(path: Path) -> dict[str, Any]:
    """Name, size and SHA-256 of one file (the agent bundle, a device profile, an APK)."""
    path = Path(path)
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return {"name": path.name, "size": path.stat().st_size, "sha256": digest.hexdigest()}


def tool_facts(agent_bundle: Path | None = None, packages: Iterable[str] = TOOL_PACKAGES) -> dict[str, Any]:
    """`manifest.tool`: apptest's version, the versions of the tools it drove, the agent's hash."""
    out: dict[str, Any] = {
        "name": "apptest",
        "version": __version__,
        "python": platform.python_version(),
        "packages": {name: package_version(name) for name in packages},
    }
    if agent_bundle is not None:
        out["agent"] = file_facts(agent_bundle)
    return out


def profile_facts(versions: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """`manifest.profiles`: every profile file's version and hash, plus one digest of them all.

    `versions` is `Knowledge.versions()`. The combined digest lets a report print one value
    that changes whenever any rule, category or SDK list changed.
    """
    lines = "".join(f"{name}\t{info.get('sha256')}\n" for name, info in sorted(versions.items()))
    return {
        "sha256": hashlib.sha256(lines.encode("utf-8")).hexdigest(),
        "files": {name: dict(info) for name, info in sorted(versions.items())},
    }


def apk_facts(static_apk: Mapping[str, Any]) -> dict[str, Any]:
    """`manifest.apk` from the `apk` part of static.json: identity, hashes, signing certificates."""
    keep = ("package", "version_name", "version_code", "sha256", "md5", "path", "min_sdk", "target_sdk")
    out = {k: static_apk[k] for k in keep if static_apk.get(k) is not None}
    if out.get("path"):
        out["path"] = Path(str(out["path"])).name  # the lab's folder layout is not evidence
    certs = []
    for cert in static_apk.get("signing_certificates") or []:
        certs.append({k: cert[k] for k in ("sha256", "sha1", "subject", "issuer") if cert.get(k)})
    if certs:
        out["signing_certificates"] = certs
    return out


def device_facts(props: Mapping[str, str], extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """`manifest.device` from the phone's system properties (`adb shell getprop`).

    `extra` carries what getprop cannot say: the adb serial, the frida-server version,
    whether the device is rooted.
    """
    out: dict[str, Any] = {}
    for prop, key in DEVICE_PROPS.items():
        value = (props.get(prop) or "").strip()
        if value:
            out[key] = value
    if "emulator" in out:
        out["emulator"] = out["emulator"] == "1"
    out.update(dict(extra or {}))
    return out


def host_facts() -> dict[str, Any]:
    """`manifest.host`: the operating system the test ran on (no user or host names)."""
    return {"system": platform.system(), "release": platform.release(), "machine": platform.machine()}


def run_facts(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """`manifest.command_line`: the command as typed, with `--key`-like secrets blanked."""
    args = list(sys.argv if argv is None else argv)
    if args:
        args[0] = Path(args[0]).name
    masked, hide_next = [], False
    for arg in args:
        if hide_next:
            masked.append("***")
            hide_next = False
            continue
        name, eq, _ = arg.partition("=")
        if name in ("--password", "--token") and eq:
            masked.append(f"{name}=***")
        else:
            masked.append(arg)
            hide_next = name in ("--password", "--token") and not eq
    return {"command_line": masked}


def collect(
    *,
    static_apk: Mapping[str, Any] | None = None,
    device_props: Mapping[str, str] | None = None,
    device_extra: Mapping[str, Any] | None = None,
    profile_versions: Mapping[str, Mapping[str, Any]] | None = None,
    agent_bundle: Path | None = None,
    argv: Sequence[str] | None = None,
) -> dict[str, Any]:
    """All manifest facts known at the start of a run, ready for `Bundle.create`."""
    out: dict[str, Any] = {"tool": tool_facts(agent_bundle), "host": host_facts(), **run_facts(argv)}
    if static_apk:
        out["apk"] = apk_facts(static_apk)
    if device_props is not None or device_extra:
        out["device"] = device_facts(device_props or {}, device_extra)
    if profile_versions is not None:
        out["profiles"] = profile_facts(profile_versions)
    return out
