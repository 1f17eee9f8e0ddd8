"""Fixtures for the static tests: built APKs, the real third-party APKs, and ground truth
from independent tools (aapt, dexdump), never numbers typed into a test."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from apptest.knowledge import Knowledge

ROOT = Path(__file__).resolve().parents[2]
BUILT = ROOT / "tests" / "fixtures" / "apks" / "built"
REAL = ROOT.parent / "shared" / "fixtures" / "real-apks"


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return Knowledge.load()


def need_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian package; .ci/run installs it)")
    return path


def real_apk(name: str) -> Path:
    path = REAL / name
    if not path.exists():
        pytest.skip(f"{path} is absent: the third-party APKs live beside the repository, not in it")
    return path


_INVOKE = re.compile(
    r"^([0-9a-f]{6}): [0-9a-f ]+\|[0-9a-f]{4}: (invoke-[a-z/-]+|sget-object|sget) .*?(L[^;]+;)[.]([\w$<>]+)[:]"
)
_METHOD_IN = re.compile(r"^\s+#\d+\s+: \(in (L[^;]+;)\)")
_NAME = re.compile(r"^\s+name\s+: '([^']+)'")


def dexdump_refs(apk: Path, tmp: Path) -> dict[tuple[str, int], tuple[str, str, str, str]]:
    """(dex, offset) -> (opcode, target class, member, caller) for every invoke and sget in every dex."""
    need_tool("dexdump")
    out: dict[tuple[str, int], tuple[str, str, str, str]] = {}
    with zipfile.ZipFile(apk) as archive:
        for name in archive.namelist():
            if not re.fullmatch(r"classes\d*\.dex", name):
                continue
            target = tmp / name
            target.write_bytes(archive.read(name))
            run = subprocess.run(["dexdump", "-d", str(target)], capture_output=True, check=False)
            text = run.stdout.decode("utf-8", "replace")
            cls = meth = ""
            for line in text.splitlines():
                if m := _METHOD_IN.match(line):
                    cls, meth = m.group(1), ""
                elif (m := _NAME.match(line)) and cls and not meth:
                    meth = m.group(1)
                elif m := _INVOKE.match(line):
                    caller = f"{cls[1:-1].replace('/', '.')}.{meth}"
                    target_cls = m.group(3)[1:-1].replace("/", ".")
                    out[(name, int(m.group(1), 16))] = (m.group(2), target_cls, m.group(4), caller)
    return out


def aapt_permissions(apk: Path) -> set[str]:
    need_tool("aapt")
    text = subprocess.run(
        ["aapt", "dump", "permissions", str(apk)], capture_output=True, text=True, check=False
    ).stdout
    return set(re.findall(r"uses-permission(?:-sdk-23)?: name='([^']+)'", text))
