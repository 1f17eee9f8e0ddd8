"""A privacy policy into the evidence bundle: the file as received, its plain text, and one
`declares` observation per thing it declares.

This is the policy collector's only I/O. Like every collector it never judges: it records
that sentence S at offset O of file F mentions data type X (affirmed, negated or
conditional), names SDK Y, states a contact channel or a way to delete or correct
information. The judge decides later what is missing, so a bundle judged years from now
with a better rule set reaches its verdict from the same recorded sentences.

Both the original and the plain text are stored under `policy/`: the original is the
evidence, the plain text is the coordinate system of every `offset` (characters of
`policy/<name>.plain.txt`), so a reader finds each quoted sentence again without
re-running the converter. A policy already in the bundle (same SHA-256) is not collected
twice.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apptest import bundlezip
from apptest.evidence import SUMS, Bundle, BundleError
from apptest.model import Actor, EvidenceRef, Observation
from apptest.policy import lexicon as lexicon_mod
from apptest.policy.extract import Extractor, summary
from apptest.policy.sdkmatch import SdkNames
from apptest.policy.text import PlainText, to_plain

FOLDER = "policy"
TEXT_SUFFIX = ".plain.txt"


@dataclass
class Collected:
    """What one collection did (the CLI prints it as JSON)."""

    file: str
    sha256: str
    origin: str
    document: str | None = None
    text_file: str | None = None
    title: str | None = None
    language: str | None = None
    format: str | None = None
    skipped: str | None = None
    provenance: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, {}, [])}


_COMPILED: list[tuple[Any, Extractor]] = []


def extractor(knowledge: Any) -> Extractor:
    """The lexicon and SDK catalogue of a Knowledge, compiled once per Knowledge object
    (compiling ~2,000 terms takes a second; a run collects a given and a captured policy)."""
    for owner, compiled in _COMPILED:
        if owner is knowledge:
            return compiled
    lexicon = lexicon_mod.load(knowledge)
    compiled = Extractor(lexicon, SdkNames(knowledge.sdks, lexicon.ambiguous_aliases, lexicon.ignored_aliases))
    _COMPILED[:] = [(knowledge, compiled)]
    return compiled


def open_bundle(root: Path) -> Bundle:
    """Create or extend an unsealed bundle folder (a new one gets an unknown APK).

    A sealed bundle is refused, never re-sealed: a new SHA256SUMS would silently replace
    the one a lab may already have signed or handed over.
    """
    root = Path(root)
    if bundlezip.is_zip(root):
        raise BundleError(f"{root}: a bundle zip takes no more evidence; give the bundle folder")
    if (root / SUMS).exists():
        raise BundleError(
            f"{root}: the bundle is sealed and takes no more evidence (SHA256SUMS would not cover it); "
            "collect a privacy policy before the bundle is sealed (`apptest run` collects the one the "
            "APK ships and the pages it captured before it seals)"
        )
    manifest: dict[str, Any] = {}
    if not (root / "manifest.json").exists():
        manifest["apk"] = {"package": "unknown", "sha256": "unknown"}
    return Bundle.create(root, manifest)


def _safe_name(name: str) -> str:
    base = Path(name.split("?", 1)[0].rstrip("/")).name or "policy.html"
    return re.sub(r"[^A-Za-z0-9._\-\u3400-\u9fff]+", "_", base)[:80] or "policy"


def _free_name(bundle: Bundle, name: str, data: bytes) -> str:
    """`policy/<name>`, or `policy/<stem>-2<ext>`… when another file already has that name."""
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    for n in range(1, 1000):
        candidate = name if n == 1 else f"{stem}-{n}{'.' + ext if ext else ''}"
        path = bundle.root / FOLDER / candidate
        if not path.exists() or path.read_bytes() == data:
            return f"{FOLDER}/{candidate}"
    raise BundleError(f"{bundle.root}/{FOLDER}: too many policies named {name}")


def _collected_hashes(bundle: Bundle) -> set[str]:
    observations, _ = bundle.observations()
    return {
        str(o.detail.get("sha256"))
        for o in observations
        if o.source == "policy" and o.detail.get("kind") == "document" and o.detail.get("sha256")
    }


def record(
    bundle: Bundle,
    data: bytes,
    name: str,
    knowledge: Any,
    *,
    origin: str = "given",
    source: str | None = None,
    fmt: str | None = None,
    plain: PlainText | None = None,
    provenance: dict[str, Any] | None = None,
) -> Collected:
    """Store one policy and write its observations into an open bundle.

    `provenance` says where exactly the bytes came from beyond `source` (for a policy the
    APK ships: its SHA-256 and entry name); the document observation keeps it under
    `detail.provenance`.
    """
    digest = hashlib.sha256(data).hexdigest()
    result = Collected(file=source or name, sha256=digest, origin=origin, provenance=dict(provenance or {}))
    if digest in _collected_hashes(bundle):
        result.skipped = "already in the bundle (same SHA-256)"
        return result
    plain = plain or to_plain(data, name, fmt)
    ex = extractor(knowledge)
    declarations = ex.extract(plain)
    rel = _free_name(bundle, _safe_name(name), data)
    rel_text = rel + TEXT_SUFFIX
    bundle.store_file(rel, data)
    bundle.store_file(rel_text, plain.text.encode("utf-8"))
    package = (bundle.manifest().get("apk") or {}).get("package")
    actor = Actor(kind="app", id=package, name=package, proof="none")
    document = Observation(
        source="policy",
        action="declares",
        actor=actor,
        evidence=EvidenceRef(rel, f"sha256:{digest}"),
        detail={
            "kind": "document",
            "value": rel,
            "file": rel,
            "text": rel_text,
            "sha256": digest,
            "format": plain.format,
            "language": plain.language,
            "title": plain.title,
            "sentences": len(plain.sentences),
            "origin": origin,
            "source": source or name,
            "lexicon": ex.lexicon.version,
            **({"provenance": dict(provenance)} if provenance else {}),
        },
    )
    bundle.add_observation(document)
    for dec in declarations:
        end = dec.offset + len(dec.sentence)
        bundle.add_observation(
            Observation(
                source="policy",
                action="declares",
                data_types=(dec.value,) if dec.kind == "data_type" else (),
                actor=actor,
                ts=document.ts,
                evidence=EvidenceRef(rel_text, f"chars {dec.offset}-{end}"),
                detail={**dec.to_detail(), "file": rel, "text": rel_text, "document": document.id},
            )
        )
    result.document, result.text_file = document.id, rel_text
    result.title, result.language, result.format = plain.title, plain.language, plain.format
    result.summary = summary(declarations)
    return result


def collect_file(bundle_dir: Path, path: Path, knowledge: Any, fmt: str | None = None) -> Collected:
    """`apptest policy FILE --bundle DIR`: copy the file into the bundle and record it."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BundleError(f"{path}: cannot read the policy ({exc.strerror or exc})") from exc
    bundle = open_bundle(bundle_dir)
    try:
        return record(bundle, data, path.name, knowledge, origin="given", source=str(path), fmt=fmt)
    finally:
        bundle.close()
