"""Open an APK (or an .apks/.xapk split bundle) as hostile input.

Apps under test are not friendly: packers set the encryption bit on entries, malware ships
entries named `../../x`, a truncated download has no central directory, and a zip bomb
inflates a few megabytes into gigabytes. Nothing here extracts to disk; every entry is read
into memory through a size cap, and what cannot be read is listed in `errors` so the scan
can return a partial result instead of a traceback.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from apptest.errors import UnreadableInput

MAX_ENTRY_BYTES = 256 * 1024 * 1024
MAX_RATIO = 200
MAX_NESTED_APK_BYTES = 1024 * 1024 * 1024
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")


class ApkError(UnreadableInput):
    """The file is not an APK we can read at all."""


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    return not path.is_absolute() and ".." not in path.parts and not name.startswith("/")


def _recover_local_entries(data: bytes) -> dict[str, bytes]:
    """Read entries from local headers when the central directory is gone (truncated zip)."""
    out: dict[str, bytes] = {}
    pos = data.find(b"PK\x03\x04")
    while pos >= 0 and pos + _LOCAL_HEADER.size <= len(data):
        (sig, _ver, flags, method, _t, _d, _crc, csize, _usize, nlen, xlen) = _LOCAL_HEADER.unpack_from(
            data, pos
        )
        if sig != b"PK\x03\x04":
            break
        name = data[pos + 30 : pos + 30 + nlen].decode("utf-8", "replace")
        start = pos + 30 + nlen + xlen
        if flags & 0x08 or start + csize > len(data):
            break
        raw = data[start : start + csize]
        if not flags & 0x01:
            if method == 0:
                out[name] = raw
            elif method == 8:
                try:
                    inflater = zlib.decompressobj(-15)
                    body = inflater.decompress(raw, MAX_ENTRY_BYTES)
                    if not inflater.unconsumed_tail:
                        out[name] = body
                except zlib.error:
                    pass
        pos = data.find(b"PK\x03\x04", start + csize)
    return out


@dataclass
class ApkPart:
    """One APK file: the base, or a split inside a bundle."""

    name: str
    names: list[str]
    errors: list[str] = field(default_factory=list)
    raw: bytes = b""
    _zip: zipfile.ZipFile | None = None
    _recovered: dict[str, bytes] = field(default_factory=dict)

    def read(self, name: str) -> bytes | None:
        """An entry's bytes through the size and ratio caps; None (and an error) when unreadable."""
        where = f"{self.name}!{name}" if self.name else name
        if self._zip is None:
            return self._recovered.get(name)
        try:
            info = self._zip.getinfo(name)
        except KeyError:
            return None
        if info.flag_bits & 0x01:
            self.errors.append(f"{where}: encrypted entry, not read")
            return None
        if info.compress_size and info.file_size / max(info.compress_size, 1) > MAX_RATIO * 10:
            self.errors.append(f"{where}: declared size {info.file_size} bytes is a zip bomb, not read")
            return None
        limit = min(MAX_ENTRY_BYTES, max(MAX_RATIO * info.compress_size, 16 << 20))
        chunks, total = [], 0
        try:
            with self._zip.open(info) as handle:
                while chunk := handle.read(1 << 20):
                    total += len(chunk)
                    if total > limit:
                        self.errors.append(
                            f"{where}: inflates beyond {limit >> 20} MB from {info.compress_size} bytes "
                            "(zip bomb?), not read"
                        )
                        return None
                    chunks.append(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
            self.errors.append(f"{where}: unreadable entry ({exc.__class__.__name__}: {exc})")
            return None
        return b"".join(chunks)

    def size_of(self, name: str) -> int:
        """Declared uncompressed size of an entry (0 when unknown)."""
        if self._zip is not None:
            try:
                return self._zip.getinfo(name).file_size
            except KeyError:
                return 0
        return len(self._recovered.get(name, b""))

    @property
    def dex_names(self) -> list[str]:
        """classes.dex, classes2.dex, … in the order Android loads them."""
        found = [
            n
            for n in self.names
            if PurePosixPath(n).parent == PurePosixPath(".")
            and n.startswith("classes")
            and n.endswith(".dex")
        ]

        def order(n: str) -> int:
            middle = n[len("classes") : -len(".dex")]
            return int(middle) if middle.isdigit() else (1 if middle == "" else 10_000)

        return sorted(found, key=order)


@dataclass
class Container:
    """What was given: hashes of the file as received, and its APK parts (base first)."""

    path: Path
    sha256: str
    md5: str
    kind: str
    parts: list[ApkPart]
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def base(self) -> ApkPart:
        return self.parts[0]

    def all_errors(self) -> list[str]:
        return self.errors + [e for part in self.parts for e in part.errors]


def _open_zip(data: bytes, label: str, errors: list[str]) -> tuple[zipfile.ZipFile | None, dict[str, bytes]]:
    try:
        return zipfile.ZipFile(io.BytesIO(data)), {}
    except zipfile.BadZipFile:
        recovered = _recover_local_entries(data)
        if not recovered:
            raise ApkError(f"{label}: not an APK (not a zip file)") from None
        errors.append(
            f"{label}: zip central directory missing (truncated?); "
            f"{len(recovered)} entries recovered from local headers"
        )
        return None, recovered


def _part(data: bytes, name: str, label: str, warnings: list[str], errors: list[str]) -> ApkPart:
    archive, recovered = _open_zip(data, label, errors)
    names = archive.namelist() if archive is not None else list(recovered)
    unsafe = [n for n in names if not _safe_name(n)]
    if unsafe:
        warnings.append(
            f"{label}: entry names that would leave the folder (not extracted): {', '.join(unsafe[:5])}"
        )
    return ApkPart(name=name, names=names, raw=data, _zip=archive, _recovered=recovered)


def open_container(path: Path) -> Container:
    """Read an .apk, .apks or .xapk; raise ApkError only when nothing at all is readable."""
    path = Path(path)
    try:
        if not path.is_file():
            raise ApkError(f"{path}: no such file")
        data = path.read_bytes()
    except OSError as exc:
        raise ApkError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    sha256, md5 = hashlib.sha256(data).hexdigest(), hashlib.md5(data).hexdigest()
    errors: list[str] = []
    warnings: list[str] = []
    outer = _part(data, "", str(path.name), warnings, errors)
    if "AndroidManifest.xml" in outer.names or not any(n.endswith(".apk") for n in outer.names):
        return Container(path, sha256, md5, "apk", [outer], errors, warnings)
    return _split_bundle(path, sha256, md5, outer, errors, warnings)


def _split_bundle(
    path: Path, sha256: str, md5: str, outer: ApkPart, errors: list[str], warnings: list[str]
) -> Container:
    """An .apks/.xapk: the base APK first, then the splits, each read like an APK."""
    apk_names = [n for n in outer.names if n.endswith(".apk") and _safe_name(n)]
    base_name = None
    if "manifest.json" in outer.names:
        raw = outer.read("manifest.json")
        try:
            meta = json.loads(raw or b"{}")
            splits = meta.get("split_apks") or []
            base_name = next((s.get("file") for s in splits if s.get("id") == "base"), None)
            base_name = base_name or (f"{meta['package_name']}.apk" if meta.get("package_name") else None)
        except (ValueError, AttributeError, TypeError):
            errors.append(f"{path.name}!manifest.json: unreadable XAPK manifest")
    if base_name not in apk_names:
        base_name = next((n for n in apk_names if PurePosixPath(n).name == "base.apk"), None)
    if base_name is None and apk_names:
        base_name = min(apk_names, key=lambda n: ("split" in n, n))
    if base_name is None:
        raise ApkError(f"{path}: a bundle without a base APK")
    ordered = [base_name, *sorted(n for n in apk_names if n != base_name)]
    parts = []
    for name in ordered:
        inner = outer.read(name)
        if inner is None or len(inner) > MAX_NESTED_APK_BYTES:
            errors.append(f"{path.name}!{name}: split not readable")
            continue
        try:
            parts.append(_part(inner, name, f"{path.name}!{name}", warnings, errors))
        except ApkError as exc:
            errors.append(str(exc))
    if not parts:
        raise ApkError(f"{path}: no readable APK in the bundle")
    kind = "xapk" if "manifest.json" in outer.names else "apks"
    errors.extend(outer.errors)
    return Container(path, sha256, md5, kind, parts, errors, warnings)
