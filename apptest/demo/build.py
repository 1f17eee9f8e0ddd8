"""Compile the stand-in app (Java sources shipped as package data) once, on first use.

The sources are the package data; the classes are a cache, keyed by the SHA-256 of every
source file and the `javac` version, so an upgraded apptest or JDK never runs stale
classes. The compile goes to a temporary folder that is renamed into place: two demos
started at once (parallel tests) never see half-written classes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path

from apptest.errors import UnreadableInput

MAIN_CLASS = "com.android.standin.Control"


class JavaMissing(UnreadableInput):
    """No JDK: the demo needs `java` and `javac` (OpenJDK 11 or newer)."""


def source_root() -> Path:
    return Path(str(resources.files("apptest.demo"))) / "java"


def sources(root: Path | None = None) -> list[Path]:
    return sorted((root or source_root()).rglob("*.java"))


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise JavaMissing(f"`{name}` not found: the demo runs its stand-in app on a local JDK (install openjdk)")
    return found


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "apptest" / "demo-classes"


def fingerprint(files: list[Path], root: Path, javac_version: str) -> str:
    digest = hashlib.sha256(javac_version.encode())
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:20]


def classes_dir(cache: Path | None = None) -> Path:
    """The compiled stand-in, compiling it first when the cache has no build of these sources."""
    javac = _tool("javac")
    _tool("java")
    root = source_root()
    files = sources(root)
    version = subprocess.run([javac, "-version"], capture_output=True, text=True, check=False)
    key = fingerprint(files, root, (version.stdout + version.stderr).strip())
    target = (cache or cache_root()) / key
    if (target / "com" / "android" / "standin" / "Control.class").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=target.parent))
    try:
        done = subprocess.run(
            [javac, "-encoding", "UTF-8", "-nowarn", "-d", str(staging), *map(str, files)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise UnreadableInput(f"javac failed on the demo sources: {done.stderr.strip()[:500]}")
        try:
            staging.rename(target)
        except OSError:  # another process finished first: use its build
            shutil.rmtree(staging, ignore_errors=True)
    finally:
        if staging.exists() and staging != target:
            shutil.rmtree(staging, ignore_errors=True)
    return target
