"""The benchmark generator's sidecar tells the truth about the APK it wrote.

Why: the speed benchmark judges completeness by the sidecar's count of
sensitive sites; if that count were wrong, a scan missing sites would pass.
Checked here on a small APK with dexdump, independently of the generator.
"""

from __future__ import annotations

import collections
import importlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "fixtures" / "apks"))
groundtruth: Any = importlib.import_module("groundtruth")


@groundtruth.needs("smali", "aapt", "zipalign", "dexdump")
def test_sidecar_counts_match_dexdump(tmp_path: Path) -> None:
    apk = tmp_path / "small.apk"
    cmd = [sys.executable, str(REPO / "benchmarks" / "make_large_apk.py"), str(apk),
           "--dex", "2", "--size", "0.4", "--sites-per-dex", "40", "--no-sign"]
    subprocess.run(cmd, check=True, capture_output=True)
    sidecar = json.loads(apk.with_suffix(".json").read_text(encoding="utf-8"))
    refs = set(sidecar["per_ref"])
    per_ref: collections.Counter[str] = collections.Counter()
    classes = 0
    with zipfile.ZipFile(apk) as zf:
        dex_names = sorted(n for n in zf.namelist() if n.endswith(".dex"))
    assert dex_names == sorted(sidecar["dex_files"])
    for dex in dex_names:
        names, insns = groundtruth.dex_insns(apk, dex, tmp_path)
        classes += len(names)
        sites = [i.operand for i in insns if i.operand in refs]
        assert len(sites) == sidecar["per_dex"][dex] == 40
        per_ref.update(sites)
    assert dict(per_ref) == sidecar["per_ref"]
    assert classes == sidecar["classes"]
    assert sum(sidecar["per_package_prefix"].values()) == sidecar["sensitive_call_sites"] == 80
