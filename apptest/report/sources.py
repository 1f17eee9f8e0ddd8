"""Where a finding lives in the app's source tree (`--source-root`), for SARIF locations.

Code scanning shows a result on a line of a file in the repository. A developer running
apptest in CI has the sources: the manifest line that declares a permission, the Java or
Kotlin file of the class that calls a sensitive API. This module walks the source root
once and indexes exactly that — which file declares which class (read from its `package`
line, not guessed from the path, so flavours and odd layouts work) and on which line a
method or a permission first appears. The SARIF writer stays pure and takes this index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_PACKAGE = re.compile(r"^\s*package\s+([\w.]+)", re.MULTILINE)
_PERMISSION = re.compile(r"""android:name\s*=\s*["']([\w.]+)["']""")
SKIP_DIRS = frozenset({"build", ".git", ".gradle", ".idea", "node_modules", "out", "intermediates"})
MAX_FILE_BYTES = 2 << 20


@dataclass
class SourceIndex:
    """Paths are POSIX and relative to the source root (what SARIF's `uri` wants)."""

    root: Path
    manifest: str | None = None
    permission_lines: dict[str, int] = field(default_factory=dict)
    classes: dict[str, str] = field(default_factory=dict)
    _texts: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def method_line(self, rel: str, method: str) -> int:
        """First line of `rel` that names `method(` (1 when it cannot be found)."""
        lines = self._texts.get(rel)
        if lines is None:
            try:
                lines = (self.root / rel).read_text("utf-8", errors="replace").splitlines()
            except OSError:
                lines = []
            self._texts[rel] = lines
        pattern = re.compile(rf"\b{re.escape(method)}\s*\(")
        for number, line in enumerate(lines, start=1):
            if pattern.search(line):
                return number
        return 1

    def class_file(self, class_name: str) -> str | None:
        """File of a class; an inner class (`A$B`) lives in the file of its outer class."""
        outer = class_name.split("$", 1)[0]
        return self.classes.get(outer)


def _walk(root: Path) -> list[Path]:
    out = []
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.is_symlink():
                continue
            if entry.is_dir():
                if entry.name not in SKIP_DIRS:
                    stack.append(entry)
            elif entry.suffix in (".java", ".kt", ".xml"):
                out.append(entry)
    return out


def _manifest_score(rel: str) -> tuple[int, int, str]:
    """Prefer src/main/AndroidManifest.xml of the shortest path (the app module)."""
    return (0 if "/src/main/" in f"/{rel}" else 1, rel.count("/"), rel)


def index_sources(root: Path) -> SourceIndex:
    root = Path(root)
    index = SourceIndex(root=root)
    manifests = []
    for path in _walk(root):
        rel = path.relative_to(root).as_posix()
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                continue
            text = path.read_text("utf-8", errors="replace")
        except OSError:
            continue
        if path.name == "AndroidManifest.xml":
            manifests.append((rel, text))
            continue
        if path.suffix == ".xml":
            continue
        match = _PACKAGE.search(text)
        package = match.group(1) if match else ""
        name = f"{package}.{path.stem}" if package else path.stem
        index.classes.setdefault(name, rel)
    if manifests:
        rel, text = min(manifests, key=lambda m: _manifest_score(m[0]))
        index.manifest = rel
        inside = False  # within a <uses-permission …> element that may span lines
        for number, line in enumerate(text.splitlines(), start=1):
            inside = inside or "<uses-permission" in line
            if inside:
                for perm in _PERMISSION.findall(line):
                    index.permission_lines.setdefault(perm, number)
                if ">" in line:
                    inside = False
    return index
