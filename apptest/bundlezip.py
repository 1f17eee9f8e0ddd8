"""Zipped evidence bundles: written for hand-over, read by extracting into a private folder.

A bundle travels as one file (mail, a court's upload form), so apptest reads a `.zip`
wherever it reads a bundle folder. Reading extracts the archive into a fresh temporary
folder rather than reading members in place: every reader (JSONL chains, SHA256SUMS,
screenshots) then works on ordinary files, and the checks run on exactly the bytes a
person would get by unzipping. The folder is removed when the `Bundle` is released or the
process ends.

A zip is hostile input until proven otherwise. Refused outright: members with absolute
paths, drive letters, backslashes or `..` parts (zip-slip), symbolic links, duplicate
names, and archives whose declared or actual size passes `max_bytes` (zip bombs). The
archive may hold the bundle at its top level or inside one folder (what `zip -r b.zip b/`
makes).
"""

from __future__ import annotations

import stat
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from apptest.errors import UnreadableInput

MAX_BYTES = 16 << 30  # flows.mitm of a long run can be large; a bomb is far larger
_CHUNK = 1 << 20


class ZipRefused(UnreadableInput):
    """The archive is not a safe bundle zip; the message names the first bad member."""


def is_zip(path: Path) -> bool:
    path = Path(path)
    return path.is_file() and zipfile.is_zipfile(path)


def _check_name(name: str) -> PurePosixPath:
    if "\\" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise ZipRefused(f"member {name!r}: absolute or non-POSIX path")
    rel = PurePosixPath(name)
    if any(part in ("..", "") for part in rel.parts) or not rel.parts:
        raise ZipRefused(f"member {name!r}: path leaves the archive")
    return rel


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def check_members(archive: zipfile.ZipFile, max_bytes: int = MAX_BYTES) -> list[zipfile.ZipInfo]:
    """The archive's file members, after refusing anything unsafe (see the module note)."""
    seen: set[str] = set()
    total = 0
    files = []
    for info in archive.infolist():
        rel = _check_name(info.filename.rstrip("/") if info.is_dir() else info.filename)
        if _is_symlink(info):
            raise ZipRefused(f"member {info.filename!r}: symbolic links are refused")
        key = rel.as_posix()
        if key in seen:
            raise ZipRefused(f"member {info.filename!r}: duplicate name")
        seen.add(key)
        if info.is_dir():
            continue
        total += info.file_size
        if total > max_bytes:
            raise ZipRefused(f"archive expands past {max_bytes} bytes")
        files.append(info)
    return files


def _bundle_root(folder: Path) -> Path:
    if (folder / "manifest.json").is_file():
        return folder
    children = [p for p in folder.iterdir() if not p.name.startswith("__MACOSX")]
    if len(children) == 1 and children[0].is_dir() and (children[0] / "manifest.json").is_file():
        return children[0]
    raise ZipRefused("archive holds no manifest.json at its top level or in one top folder")


def extract(path: Path, max_bytes: int = MAX_BYTES) -> tuple[Path, tempfile.TemporaryDirectory[str]]:
    """Extract a bundle zip safely; returns (bundle root, the temporary folder that owns it)."""
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise ZipRefused(f"{path}: not a readable zip ({exc})") from exc
    holder = tempfile.TemporaryDirectory(prefix="apptest-bundle-")
    target = Path(holder.name)
    written = 0
    try:
        with archive:
            for info in check_members(archive, max_bytes):
                dest = target.joinpath(*_check_name(info.filename).parts)
                dest.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as src, open(dest, "wb") as out:
                    for chunk in iter(lambda: src.read(_CHUNK), b""):
                        written += len(chunk)
                        if written > max_bytes:
                            raise ZipRefused(f"{path}: archive expands past {max_bytes} bytes")
                        out.write(chunk)
        return _bundle_root(target), holder
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        holder.cleanup()
        raise ZipRefused(f"{path}: damaged zip ({exc})") from exc
    except BaseException:
        holder.cleanup()
        raise


def zip_bundle(root: Path, out: Path) -> Path:
    """Write the bundle folder as a zip whose members sit under one folder named after it.

    Members are added in sorted order with a fixed time, so zipping the same bundle twice
    gives the same bytes (the evidence is SHA256SUMS inside, not the zip's own hash).
    """
    root, out = Path(root), Path(out)
    if not (root / "manifest.json").is_file():
        raise UnreadableInput(f"{root}: not a bundle folder (no manifest.json)")
    out.parent.mkdir(parents=True, exist_ok=True)
    top = root.name or "bundle"
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(root.rglob("*")):
            if not path.is_file() or path.is_symlink() or path.resolve() == out.resolve():
                continue
            info = zipfile.ZipInfo(f"{top}/{path.relative_to(root).as_posix()}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            with open(path, "rb") as src, archive.open(info, "w", force_zip64=True) as dst:
                for chunk in iter(lambda: src.read(_CHUNK), b""):
                    dst.write(chunk)
    return out
