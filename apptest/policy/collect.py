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

A sealed bundle's evidence never changes, yet a policy is often a web page the lab only
obtains after the run. Such a policy goes to `derived/policy/`, with its observations in
`derived/policy/observations.jsonl`: outside SHA256SUMS (`apptest verify` still passes),
read by the judge all the same, and each document says `after_sealing: true` with its
SHA-256, so a report can say which texts the seal does not cover. Both destinations take
the same records from the same code (`record`); only the `Placement` differs.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apptest import bundlezip
from apptest.evidence import DERIVED, LATE_POLICY_STREAM, SUMS, Bundle, BundleError, read_jsonl
from apptest.model import Actor, EvidenceRef, Observation
from apptest.policy import lexicon as lexicon_mod
from apptest.policy.extract import Extractor, summary
from apptest.policy.sdkmatch import SdkNames
from apptest.policy.text import PlainText, to_plain

FOLDER = "policy"
STREAM = "observations.jsonl"
AFTER_SEALING_FOLDER = f"{DERIVED}/policy"
AFTER_SEALING_STREAM = LATE_POLICY_STREAM
TEXT_SUFFIX = ".plain.txt"


@dataclass(frozen=True)
class Placement:
    """Where one bundle takes a policy: its folder, its observation stream, and whether the
    text arrives after sealing (and so is not covered by SHA256SUMS)."""

    folder: str
    stream: str
    after_sealing: bool


def placement(bundle: Bundle) -> Placement:
    """`policy/` and observations.jsonl while the bundle is open; `derived/policy/` and its
    own stream once it is sealed, so the sealed files and SHA256SUMS stay as they were."""
    if bundle.sealed:
        return Placement(AFTER_SEALING_FOLDER, AFTER_SEALING_STREAM, after_sealing=True)
    return Placement(FOLDER, STREAM, after_sealing=False)


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
    after_sealing: bool | None = None
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
    """Create or extend a bundle folder for a policy (a new one gets an unknown APK).

    A sealed folder is opened as it is and never re-sealed (a new SHA256SUMS would silently
    replace the one a lab may already have signed or handed over): `record` writes into it
    under `derived/policy/` only. A zip is refused: it is read from a temporary extraction,
    where anything added would be lost while the output claimed it was kept.
    """
    root = Path(root)
    if bundlezip.is_zip(root):
        raise BundleError(
            f"{root}: a zipped bundle takes no privacy policy (it is read from a temporary copy); "
            "unzip it and give the bundle folder"
        )
    if (root / SUMS).exists():
        return Bundle.open(root)
    manifest: dict[str, Any] = {}
    if not (root / "manifest.json").exists():
        manifest["apk"] = {"package": "unknown", "sha256": "unknown"}
    return Bundle.create(root, manifest)


def _safe_name(name: str) -> str:
    base = Path(name.split("?", 1)[0].rstrip("/")).name or "policy.html"
    return re.sub(r"[^A-Za-z0-9._\-\u3400-\u9fff]+", "_", base)[:80] or "policy"


def _free_name(bundle: Bundle, folder: str, name: str, data: bytes) -> str:
    """`<folder>/<name>`, or `<folder>/<stem>-2<ext>`… when another file already has that name."""
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    for n in range(1, 1000):
        candidate = name if n == 1 else f"{stem}-{n}{'.' + ext if ext else ''}"
        path = bundle.root / folder / candidate
        if not path.exists() or path.read_bytes() == data:
            return f"{folder}/{candidate}"
    raise BundleError(f"{bundle.root}/{folder}: too many policies named {name}")


def _collected_hashes(bundle: Bundle) -> set[str]:
    """The SHA-256 of every policy document in the bundle, sealed or added after sealing."""
    records = [r for stream in (STREAM, AFTER_SEALING_STREAM) for r in read_jsonl(bundle.root / stream).records]
    return {
        str(detail["sha256"])
        for r in records
        if r.get("source") == "policy"
        and isinstance(detail := r.get("detail"), dict)
        and detail.get("kind") == "document"
        and detail.get("sha256")
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
    """Store one policy and write its observations into an open bundle (under
    `derived/policy/` when it is sealed, see `placement`).

    `provenance` says where exactly the bytes came from beyond `source` (for a policy the
    APK ships: its SHA-256 and entry name); the document observation keeps it under
    `detail.provenance`.
    """
    digest = hashlib.sha256(data).hexdigest()
    where = placement(bundle)
    result = Collected(file=source or name, sha256=digest, origin=origin, provenance=dict(provenance or {}))
    if digest in _collected_hashes(bundle):
        result.skipped = "already in the bundle (same SHA-256)"
        return result
    plain = plain or to_plain(data, name, fmt)
    ex = extractor(knowledge)
    declarations = ex.extract(plain)
    rel = _free_name(bundle, where.folder, _safe_name(name), data)
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
            **({"after_sealing": True} if where.after_sealing else {}),
        },
    )
    stream = bundle.writer(where.stream)
    stream.append(document.to_dict())
    for dec in declarations:
        end = dec.offset + len(dec.sentence)
        stream.append(
            Observation(
                source="policy",
                action="declares",
                data_types=(dec.value,) if dec.kind == "data_type" else (),
                actor=actor,
                ts=document.ts,
                evidence=EvidenceRef(rel_text, f"chars {dec.offset}-{end}"),
                detail={**dec.to_detail(), "file": rel, "text": rel_text, "document": document.id},
            ).to_dict()
        )
    result.document, result.text_file = document.id, rel_text
    result.after_sealing = where.after_sealing or None
    result.title, result.language, result.format = plain.title, plain.language, plain.format
    result.summary = summary(declarations)
    return result


def collect_file(bundle_dir: Path, path: Path, knowledge: Any, fmt: str | None = None) -> Collected:
    """`apptest policy FILE --bundle DIR`: copy the file into the bundle and record it
    (under `derived/policy/` when the bundle is sealed)."""
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
