"""The privacy policy the APK ships: an asset static analysis pointed at, read from the APK.

Many apps bundle their policy (`assets/privacy.html`, `res/raw/privacy_policy.txt`) and
show it in a WebView at first launch, often before any network request, so it is the text
the user was shown whatever the proxy captured. Static analysis lists the entries whose
names look like a policy (static.json `privacy_policy_hints` of kind `asset`); this module
reads each one from the APK and records it like a given file, with its provenance: the
APK's SHA-256 and the entry name, so anyone can take the same bytes out of the same APK
and compare.

* The APK must be the one static.json describes, checked by SHA-256: an APK rebuilt or
  replaced since the scan would file another build's text under this build's hash.
* A name is only a hint (`privacy_icon.png`, `privacy_sdk_config.json`): an entry is
  taken only when it reads like a policy, by the same test a captured page passes
  (`captured.reads_like_policy`). Several that do are all taken (a Chinese and an English
  policy, a policy and a children's policy); identical bytes are stored once.
* Entries are read through the static collector's hostile-input reader (size and
  inflation caps, encrypted entries, split bundles); this module never opens a zip itself.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from apptest.errors import UnreadableInput
from apptest.policy.captured import reads_like_policy
from apptest.policy.collect import Collected, open_bundle, record
from apptest.policy.text import to_plain

ORIGIN = "apk"
# A policy is tens of kilobytes; an entry beyond this is not one, and converting it would
# only cost time.
MAX_POLICY_BYTES = 8 << 20
FORMAT_OF_SUFFIX = {".html": "html", ".htm": "html", ".xhtml": "html", ".md": "markdown", ".txt": "text"}


@dataclass(frozen=True)
class Asset:
    """One entry read from the APK: `part` is the split it came from ('' for a plain APK)."""

    entry: str
    part: str
    label: str
    data: bytes


@dataclass
class Shipped:
    """What one pass over the APK's hinted assets did."""

    collected: list[Collected]
    passed_over: list[Collected]
    errors: list[str]
    hinted: int = 0


def asset_hints(static: dict[str, Any]) -> list[str]:
    """The entry names static analysis hinted as a policy, in a stable order."""
    hints = static.get("privacy_policy_hints") or []
    return sorted({str(h["value"]) for h in hints
                   if isinstance(h, dict) and h.get("kind") == "asset" and h.get("value")})


def read_assets(apk: Path, names: list[str], expected_sha256: str | None) -> tuple[str, list[Asset], list[str]]:
    """The named entries of the APK (base first, then splits): (APK SHA-256, assets, errors).

    Raises the static collector's ApkError (an UnreadableInput) when the file is no APK at
    all; an entry that cannot be read is an error line, the others are still read.
    """
    from apptest.static.container import open_container

    container = open_container(apk)
    if expected_sha256 and container.sha256 != expected_sha256:
        return container.sha256, [], [
            f"{apk}: SHA-256 {container.sha256} is not the scanned APK's {expected_sha256}; "
            "its policy assets were not read"
        ]
    assets: list[Asset] = []
    errors: list[str] = []
    for name in names:
        part = next((p for p in container.parts if name in p.names), None)
        label = f"{apk.name}!{part.name + '!' if part is not None and part.name else ''}{name}"
        if part is None:
            errors.append(f"{label}: not in the APK")
            continue
        if part.size_of(name) > MAX_POLICY_BYTES:
            errors.append(f"{label}: {part.size_of(name)} bytes, too large for a privacy policy; not read")
            continue
        before = len(part.errors)
        data = part.read(name)
        if data is None:
            errors.extend(part.errors[before:] or [f"{label}: unreadable entry"])
            continue
        assets.append(Asset(name, part.name, label, data))
    return container.sha256, assets, errors


def _scanned_apk(static: dict[str, Any]) -> Path | None:
    """The APK path static analysis recorded (as given then: relative to where it ran)."""
    path = (static.get("apk") or {}).get("path")
    return Path(path) if path else None


def collect_shipped(bundle_dir: Path, knowledge: Any, apk: Path | None = None) -> Shipped:
    """Record every hinted asset of the APK that reads like a policy into the bundle
    (under `derived/policy/` once it is sealed).

    `apk` defaults to the path static.json recorded at scan time; either way its SHA-256
    must be the scanned one. Without asset hints nothing is opened.
    """
    bundle = open_bundle(bundle_dir)
    try:
        static = bundle.static()
        names = asset_hints(static)
        done = Shipped([], [], [], hinted=len(names))
        if not names:
            return done
        path = Path(apk) if apk is not None else _scanned_apk(static)
        if path is None or not path.is_file():
            done.errors.append(
                f"{path or 'the APK'}: not found; the policy assets it ships ({', '.join(names)}) were not read"
            )
            return done
        expected = (static.get("apk") or {}).get("sha256")
        try:
            apk_sha256, assets, done.errors = read_assets(path, names, expected)
        except UnreadableInput as exc:  # the file at that path is no APK (any more)
            done.errors.append(str(exc))
            return done
        for asset in assets:
            fmt = FORMAT_OF_SUFFIX.get(PurePosixPath(asset.entry).suffix.lower())
            plain = to_plain(asset.data, asset.entry, fmt)
            if not reads_like_policy(plain, knowledge):
                done.passed_over.append(
                    Collected(
                        file=asset.label,
                        sha256=hashlib.sha256(asset.data).hexdigest(),
                        origin=ORIGIN,
                        skipped="does not read like a privacy policy",
                    )
                )
                continue
            provenance = {"apk_sha256": apk_sha256, "apk_entry": asset.entry}
            if asset.part:
                provenance["apk_split"] = asset.part
            done.collected.append(
                record(
                    bundle,
                    asset.data,
                    PurePosixPath(asset.entry).name,
                    knowledge,
                    origin=ORIGIN,
                    source=asset.label,
                    plain=plain,
                    provenance=provenance,
                )
            )
        return done
    finally:
        bundle.close()
