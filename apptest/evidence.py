"""The evidence bundle: the one writer and reader of what a test saw.

A lab hands this folder to a court, so three properties matter more than speed:

* append-only JSONL streams, flushed per record, so a killed run loses at most the record
  being written;
* every record carries `prev`, the SHA-256 of the previous line of its file, so even a
  bundle that was never sealed proves its order and completeness up to its last intact line;
* sealing writes SHA256SUMS over every file except `derived/`, so re-analysis (reports,
  newer rules) never changes sealed evidence.

Several processes may append to one bundle at once (capture, hooks, `apptest phase` from
another terminal), so every append takes an exclusive lock on its file and chains to the
line that is really last on disk, not to the last line this process wrote.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import IO, Any

from apptest import bundlezip
from apptest.errors import UnreadableInput
from apptest.model import Observation, PhaseMark, iso_ts

FORMAT = "apptest-bundle"
FORMAT_VERSION = 1
SUMS = "SHA256SUMS"
SIGNATURE = "SHA256SUMS.sig"
DERIVED = "derived"
# a privacy policy obtained after sealing: written by the policy collector, read by the judge
LATE_POLICY_STREAM = f"{DERIVED}/policy/observations.jsonl"
STREAMS = ("observations.jsonl", "phases.jsonl", "hooks.jsonl", "canaries.jsonl")
SCHEMA_OF_STREAM = {
    "observations.jsonl": "observation",
    "phases.jsonl": "phase",
    "canaries.jsonl": "canary",
    "hooks.jsonl": "hook",
}
_TAIL_CHUNK = 1 << 16


class BundleError(UnreadableInput):
    """The bundle cannot be read or written at all (the CLI turns this into exit 3)."""


def line_hash(line: bytes) -> str:
    """Hash of one JSONL line as stored, without its newline: what the next `prev` names."""
    return hashlib.sha256(line.rstrip(b"\r\n")).hexdigest()


def dumps(record: dict[str, Any]) -> bytes:
    """One record as one line. Non-ASCII is kept readable (Chinese policy text, names)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


@cache
def schema(name: str) -> dict[str, Any]:
    """A JSON schema from apptest/schemas/ (manifest, static, observation, phase, …)."""
    text = resources.files("apptest.schemas").joinpath(f"{name}.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def _validator(name: str) -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema(name))


@cache
def _fast_check(name: str) -> Any:
    """A compiled validator: streams are checked line by line, 20x faster than jsonschema."""
    import fastjsonschema

    return fastjsonschema.compile(schema(name))


def validate(name: str, obj: Any) -> list[str]:
    """Problems of `obj` against schema `name`, each as `path: message` (empty when valid).

    The compiled check decides; jsonschema runs only on a failure, for readable messages.
    """
    import fastjsonschema

    try:
        _fast_check(name)(obj)
        return []
    except fastjsonschema.JsonSchemaException:
        pass
    problems = []
    for err in sorted(_validator(name).iter_errors(obj), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in err.absolute_path) or "(root)"
        problems.append(f"{where}: {err.message}")
    return problems or ["does not match the schema"]


def _last_line(handle: IO[bytes]) -> bytes | None:
    """The last complete line of an open file, read from its tail (files can be large)."""
    handle.seek(0, os.SEEK_END)
    end = handle.tell()
    if end == 0:
        return None
    pos, buf = end, b""
    while pos > 0:
        step = min(_TAIL_CHUNK, pos)
        pos -= step
        handle.seek(pos)
        buf = handle.read(step) + buf
        body = buf.rstrip(b"\n")
        cut = body.rfind(b"\n")
        if cut >= 0:
            return body[cut + 1 :]
    body = buf.rstrip(b"\n")
    return body or None


class JsonlWriter:
    """Append-and-flush JSONL with the `prev` hash chain, safe across threads and processes.

    A line cut short by a crash stays where it is (the reader reports it as unreadable); a
    newline is written after it and the next record chains to it as stored, so the chain
    stays checkable and the evidence after the crash still counts.
    """

    def __init__(self, path: Path, fsync: bool = False) -> None:
        self.path = path
        self.fsync = fsync
        self._lock = threading.Lock()
        self._handle: IO[bytes] | None = None
        self._known_size = -1
        self._prev: str | None = None

    def _open(self) -> IO[bytes]:
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = open(self.path, "a+b")  # noqa: SIM115 - kept open for the run
        return self._handle

    def _chain_tip(self, handle: IO[bytes]) -> str | None:
        size = handle.seek(0, os.SEEK_END)
        if size == self._known_size:
            return self._prev
        if size == 0:
            return None
        handle.seek(size - 1)
        if handle.read(1) != b"\n":
            handle.write(b"\n")
        last = _last_line(handle)
        return line_hash(last) if last is not None else None

    def append(self, record: dict[str, Any]) -> dict[str, Any]:
        """Write `record` (a `prev` key is added) and flush; returns the stored record."""
        with self._lock:
            handle = self._open()
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                stored = {**record, "prev": self._chain_tip(handle)}
                line = dumps(stored)
                handle.seek(0, os.SEEK_END)
                handle.write(line + b"\n")
                handle.flush()
                if self.fsync:
                    os.fsync(handle.fileno())
                self._known_size = handle.tell()
                self._prev = line_hash(line)
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            return stored

    def close(self) -> None:
        with self._lock:
            if self._handle is not None:
                self._handle.close()
                self._handle = None
                self._known_size = -1


@dataclass
class StreamRead:
    """What a JSONL stream held: the good records, the bad lines, and where the chain ends."""

    records: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lines: int = 0
    chain_breaks: list[int] = field(default_factory=list)
    unchained: int = 0

    @property
    def chain_ok(self) -> bool:
        return not self.chain_breaks


def read_jsonl(path: Path, schema_name: str | None = None) -> StreamRead:
    """Read a stream, reporting and skipping bad lines instead of failing on the first one.

    The chain is checked line by line: a record whose `prev` does not hash the line before
    it is a break (reported with its line number). Records without `prev` (a hand-written
    bundle) are counted as unchained, which is allowed but never called sealed.
    """
    out = StreamRead()
    if not path.exists():
        return out
    prev_raw: bytes | None = None
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            raw = raw.rstrip(b"\r\n")
            if not raw.strip():
                continue
            out.lines += 1
            try:
                record = json.loads(raw)
                if not isinstance(record, dict):
                    raise ValueError("not a JSON object")
            except (ValueError, UnicodeDecodeError) as exc:
                out.errors.append(f"{path.name}:{number}: unreadable line ({exc.__class__.__name__})")
                prev_raw = raw
                continue
            if "prev" not in record:
                out.unchained += 1
            else:
                expected = line_hash(prev_raw) if prev_raw is not None else None
                if record["prev"] != expected:
                    out.chain_breaks.append(number)
            prev_raw = raw
            if schema_name:
                problems = validate(schema_name, record)
                if problems:
                    out.errors.append(f"{path.name}:{number}: {problems[0]}")
                    continue
            out.records.append(record)
    return out


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _sealable_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        rel = path.relative_to(root)
        if rel.parts[0] == DERIVED or rel.name in (SUMS, SIGNATURE):
            continue
        yield path


class Bundle:
    """An evidence bundle folder; the only code that writes or reads one."""

    def __init__(self, root: Path, source: Path | None = None) -> None:
        self.root = Path(root)
        self.source = Path(source) if source is not None else self.root
        self._writers: dict[str, JsonlWriter] = {}
        self._binary: dict[str, IO[bytes]] = {}
        self._holder: Any = None  # owns the temporary folder of an extracted zip

    # --- creating and opening -------------------------------------------------------
    @classmethod
    def create(cls, root: Path, manifest: dict[str, Any]) -> Bundle:
        """Start a bundle, or extend an unsealed one (capture and hooks share a bundle)."""
        root = Path(root)
        if (root / SUMS).exists():
            raise BundleError(f"{root}: bundle is sealed; evidence is never added to a sealed bundle")
        root.mkdir(parents=True, exist_ok=True)
        bundle = cls(root)
        current = bundle.manifest() if (root / "manifest.json").exists() else {}
        merged = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "started": iso_ts(),
            **_deep_merge(current, manifest),
        }
        problems = validate("manifest", merged)
        if problems:
            raise BundleError(f"{root}/manifest.json: {problems[0]}")
        bundle._write_json("manifest.json", merged)
        for name in ("observations.jsonl", "phases.jsonl"):
            (root / name).touch()
        if not (root / "static.json").exists():
            bundle._write_json("static.json", {})
        return bundle

    @classmethod
    def open(cls, root: Path) -> Bundle:
        """Open an existing bundle for reading; a missing or foreign folder is a BundleError.

        A `.zip` is extracted safely into a private temporary folder (see bundlezip) that
        lives as long as the returned Bundle; `source` keeps the path the user gave.
        """
        root = Path(root)
        if bundlezip.is_zip(root):
            folder, holder = bundlezip.extract(root)
            bundle = cls(folder, source=root)
            bundle._holder = holder
        elif not root.is_dir():
            raise BundleError(f"{root}: not a bundle folder or bundle zip")
        else:
            bundle = cls(root)
        manifest = bundle.manifest()
        if manifest.get("format") != FORMAT:
            raise BundleError(f"{root}/manifest.json: format is not {FORMAT!r}")
        if manifest.get("format_version") != FORMAT_VERSION:
            raise BundleError(
                f"{root}/manifest.json: format_version {manifest.get('format_version')!r} is not supported"
            )
        return bundle

    # --- writing ----------------------------------------------------------------------
    def _write_json(self, name: str, obj: Any) -> None:
        target = self.root / name
        tmp = target.with_suffix(target.suffix + ".tmp")
        tmp.write_bytes(json.dumps(obj, ensure_ascii=False, indent=2, default=str).encode("utf-8") + b"\n")
        os.replace(tmp, target)

    def writer(self, stream: str) -> JsonlWriter:
        if stream not in self._writers:
            self._writers[stream] = JsonlWriter(self.root / stream)
        return self._writers[stream]

    def add_observation(self, obs: Observation) -> dict[str, Any]:
        return self.writer("observations.jsonl").append(obs.to_dict())

    def add_phase(self, mark: PhaseMark) -> dict[str, Any]:
        return self.writer("phases.jsonl").append(mark.to_dict())

    def add_hook_event(self, event: dict[str, Any]) -> dict[str, Any]:
        return self.writer("hooks.jsonl").append(event)

    def add_canary(self, data_type: str, value: Any, source: str, ts: str | None = None) -> dict[str, Any]:
        """Record a known value learned during the run (an identifier the app read)."""
        record = {"ts": ts or iso_ts(), "data_type": data_type, "value": value, "source": source}
        return self.writer("canaries.jsonl").append(record)

    def write_static(self, facts: dict[str, Any]) -> None:
        self._write_json("static.json", facts)

    def update_manifest(self, changes: dict[str, Any]) -> dict[str, Any]:
        merged = _deep_merge(self.manifest(), changes)
        problems = validate("manifest", merged)
        if problems:
            raise BundleError(f"{self.root}/manifest.json: {problems[0]}")
        self._write_json("manifest.json", merged)
        return merged

    def binary_stream(self, name: str) -> IO[bytes]:
        """An append handle for a binary stream (flows.mitm); the caller flushes per write."""
        if name not in self._binary:
            self._binary[name] = open(self.root / name, "ab")  # noqa: SIM115
        return self._binary[name]

    def store_file(self, rel: str, data: bytes) -> Path:
        """Copy a piece of evidence (policy text, screenshot) into the bundle, never outside it."""
        target = (self.root / rel).resolve()
        if not target.is_relative_to(self.root.resolve()):
            raise BundleError(f"{rel}: path leaves the bundle")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return target

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()
        for handle in self._binary.values():
            handle.close()
        self._binary.clear()

    def seal(self) -> Path:
        """Close the streams, stamp the end time and write SHA256SUMS over the evidence."""
        self.close()
        if not (self.root / SUMS).exists():
            self.update_manifest({"ended": iso_ts()})
        lines = [
            f"{file_sha256(p)}  {p.relative_to(self.root).as_posix()}" for p in _sealable_files(self.root)
        ]
        (self.root / SUMS).write_text("\n".join(lines) + "\n", encoding="utf-8")
        return self.root / SUMS

    # --- reading ----------------------------------------------------------------------
    @property
    def sealed(self) -> bool:
        return (self.root / SUMS).exists()

    @property
    def signed(self) -> bool:
        return (self.root / SIGNATURE).exists()

    def sums_digest(self) -> str | None:
        """SHA-256 of SHA256SUMS itself: one value that pins the whole sealed bundle.

        Printed on a report's first page, so a reader can tie the paper to the evidence.
        """
        path = self.root / SUMS
        return file_sha256(path) if path.exists() else None

    def sign(self, private_key_path: Path) -> Path:
        """Sign SHA256SUMS with a lab's Ed25519 key (writes SHA256SUMS.sig, outside the seal)."""
        from apptest.signing import load_private_key, sign_bytes

        if not self.sealed:
            raise BundleError(f"{self.source}: seal the bundle before signing it (no {SUMS})")
        key = load_private_key(private_key_path)
        target = self.root / SIGNATURE
        target.write_bytes(sign_bytes((self.root / SUMS).read_bytes(), key))
        return target

    def manifest(self) -> dict[str, Any]:
        return self._read_json("manifest.json", required=True)

    def static(self) -> dict[str, Any]:
        return self._read_json("static.json", required=False)

    def _read_json(self, name: str, required: bool) -> dict[str, Any]:
        path = self.root / name
        if not path.exists():
            if required:
                raise BundleError(f"{path}: missing")
            return {}
        try:
            data = json.loads(path.read_text("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise BundleError(f"{path}: not valid JSON ({exc})") from exc
        if not isinstance(data, dict):
            raise BundleError(f"{path}: not a JSON object")
        return data

    def read_stream(self, stream: str) -> StreamRead:
        return read_jsonl(self.root / stream, SCHEMA_OF_STREAM.get(stream))

    def observations(self) -> tuple[list[Observation], list[str]]:
        read = self.read_stream("observations.jsonl")
        return [Observation.from_dict(r) for r in read.records], read.errors

    def phases(self) -> tuple[list[PhaseMark], list[str]]:
        read = self.read_stream("phases.jsonl")
        return [PhaseMark.from_dict(r) for r in read.records], read.errors


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


@dataclass
class VerifyReport:
    """What `apptest verify` says: sealed or not, changed files, where each chain ends."""

    root: str
    sealed: bool
    ok: bool
    problems: list[str] = field(default_factory=list)
    streams: dict[str, dict[str, Any]] = field(default_factory=dict)
    sums_sha256: str | None = None
    signature: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "bundle": self.root,
            "sealed": self.sealed,
            "ok": self.ok,
            "problems": self.problems,
            "streams": self.streams,
            "sums_sha256": self.sums_sha256,
            "signature": self.signature,
        }


def _last_ts(path: Path, lines: int) -> str | None:
    """The `ts` of the last readable record among the first `lines` lines: when the intact
    part of a stream ends, so a report can say "evidence is proven up to 08:31:02.125"."""
    last = None
    seen = 0
    with open(path, "rb") as handle:
        for raw in handle:
            if not raw.strip():
                continue
            seen += 1
            if seen > lines:
                break
            try:
                record = json.loads(raw)
            except (ValueError, UnicodeDecodeError):
                continue
            if isinstance(record, dict) and isinstance(record.get("ts"), str):
                last = record["ts"]
    return last


def sign_sums(root: Path, private_key_path: Path) -> Path:
    """Sign a sealed bundle folder's SHA256SUMS with a lab's Ed25519 private key."""
    return Bundle.open(root).sign(private_key_path)


def _check_signature(bundle: Bundle, public_key: Path | None, report: VerifyReport) -> None:
    """Fill `report.signature`; a bad or missing signature is a problem only when a key is given.

    Without a key the signature is reported as present but unchecked: apptest never trusts
    a key shipped inside the bundle it is checking.
    """
    from apptest.signing import key_fingerprint, load_public_key, signature_valid

    present = bundle.signed
    info: dict[str, Any] = {"present": present, "checked": False, "valid": None, "key": None}
    if public_key is not None:
        key = load_public_key(public_key)
        info.update(checked=True, key=key_fingerprint(key))
        if not present:
            report.problems.append(f"{SIGNATURE}: missing, but a public key was given")
            info["valid"] = False
        elif not bundle.sealed:
            report.problems.append(f"{SIGNATURE}: present but there is no {SUMS} to check it against")
            info["valid"] = False
        else:
            valid = signature_valid(
                (bundle.root / SUMS).read_bytes(), (bundle.root / SIGNATURE).read_bytes(), key
            )
            info["valid"] = valid
            if not valid:
                report.problems.append(f"{SIGNATURE}: does not match {SUMS} under key {info['key']}")
    report.signature = info


def verify(root: Path | Bundle, public_key: Path | None = None) -> VerifyReport:
    """Check SHA256SUMS (when sealed), its signature (when a key is given) and every
    stream's hash chain (always). `root` may be a folder, a bundle zip or an open Bundle.

    An unsealed bundle (a killed run) is still checked: the report says, per stream, how
    many lines chain correctly and where the first break or unreadable line is.
    """
    bundle = root if isinstance(root, Bundle) else Bundle.open(root)
    report = VerifyReport(
        root=str(bundle.source), sealed=bundle.sealed, ok=True, sums_sha256=bundle.sums_digest()
    )
    if bundle.sealed:
        listed: set[str] = set()
        for number, line in enumerate((bundle.root / SUMS).read_text("utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            digest, _, rel = line.partition("  ")
            listed.add(rel)
            target = (bundle.root / rel).resolve()
            if not target.is_relative_to(bundle.root.resolve()):
                report.problems.append(f"{SUMS}:{number}: path leaves the bundle: {rel}")
            elif not target.is_file():
                report.problems.append(f"{rel}: listed in {SUMS} but missing")
            elif file_sha256(target) != digest:
                report.problems.append(f"{rel}: changed since sealing (SHA-256 differs)")
        for path in _sealable_files(bundle.root):
            rel = path.relative_to(bundle.root).as_posix()
            if rel not in listed:
                report.problems.append(f"{rel}: added after sealing")
    else:
        report.problems.append("bundle is not sealed (no SHA256SUMS): only hash chains can be checked")
    for stream in STREAMS:
        path = bundle.root / stream
        if not path.exists():
            continue
        read = read_jsonl(path)
        # A break at line N means line N-1 or line N changed: only lines before N-1 are vouched for.
        intact = max(read.chain_breaks[0] - 2, 0) if read.chain_breaks else read.lines
        report.streams[stream] = {
            "lines": read.lines,
            "unreadable": len(read.errors),
            "chain_ok": read.chain_ok and not read.errors,
            "intact_lines": intact,
            "first_break": read.chain_breaks[0] if read.chain_breaks else None,
            "unchained": read.unchained,
            "intact_until": _last_ts(path, intact),
        }
        if read.chain_breaks:
            report.problems.append(f"{stream}: hash chain breaks at line {read.chain_breaks[0]}")
        report.problems.extend(read.errors)
    _check_signature(bundle, public_key, report)
    report.ok = not [p for p in report.problems if not p.startswith("bundle is not sealed")]
    return report
