#!/usr/bin/env python3
"""Speed and memory of `apptest static` against androguard's AnalyzeAPK on one large APK.

    python3 benchmarks/static_bench.py                 # builds a 12-dex APK once, then compares
    python3 benchmarks/static_bench.py --apk big.apk   # any APK
    python3 benchmarks/static_bench.py --size 100      # a ~100 MB APK

Why: labs scan big apps and whole batches; a whole-program analysis takes about a minute
and gigabytes per large app. The floor is 10x faster than AnalyzeAPK with *identical* call
sites (a fast scan that misses calls is worthless); the aim is 40x at a tenth of its peak
memory. Each side runs in its own child process so peak RSS is measured separately; the
call sites are compared as a multiset of (API, calling method).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "benchmarks" / ".cache"

OURS = r"""
import json, sys, time
from apptest.knowledge import Knowledge
from apptest.static.scan import scan_apk
start = time.perf_counter()
result = scan_apk(sys.argv[1], Knowledge.load())
elapsed = time.perf_counter() - start
sites = [[c["api"], c["caller"]] for c in result["api_calls"]]
print(json.dumps({"seconds": elapsed, "sites": sites, "errors": result["errors"]}))
"""

THEIRS = r"""
import json, re, sys, time
from loguru import logger
logger.disable("androguard")
from androguard.misc import AnalyzeAPK
from apptest.knowledge import Knowledge
start = time.perf_counter()
_a, _d, dx = AnalyzeAPK(sys.argv[1])
sites = []
for api in Knowledge.load().apis:
    desc = "L" + api["class"].replace(".", "/") + ";"
    member = api.get("method") or api.get("field")
    if api.get("method"):
        for meth in dx.find_methods(classname=re.escape(desc) + "$", methodname="^" + re.escape(member) + "$"):
            for _cls, caller, _off in meth.get_xref_from():
                sites.append([api["class"] + "." + member, caller.class_name[1:-1].replace("/", ".") + "." + caller.name])
    else:
        for fld in dx.find_fields(classname=re.escape(desc) + "$", fieldname="^" + re.escape(member) + "$"):
            for _cls, caller, _off in fld.get_xref_read(with_offset=True):
                sites.append([api["class"] + "." + member, caller.class_name[1:-1].replace("/", ".") + "." + caller.name])
elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed, "sites": sites, "errors": []}))
"""


def run_child(code: str, apk: Path) -> tuple[dict, float]:
    """Run one side in a fresh interpreter; returns (its output, wall seconds with start-up)."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, str(apk)], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"child failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1]), wall


def peak_children_mb() -> int:
    """Largest peak RSS of any child so far (Linux reports KiB); ours runs first, so it is ours."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024


def _field_apis() -> list[dict]:
    sys.path.insert(0, str(REPO))
    from apptest.knowledge import Knowledge

    return [api for api in Knowledge.load().apis if api.get("field")]


def ensure_apk(size: float, dex: int) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    apk = CACHE / f"large-{dex}dex-{int(size)}mb.apk"
    if not apk.exists():
        print(f"building {apk.name} (once; smali is slow) …", flush=True)
        subprocess.run([sys.executable, str(REPO / "benchmarks" / "make_large_apk.py"), str(apk), "--dex", str(dex),
                        "--size", str(size)], check=True)
    return apk


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--apk", type=Path, help="APK to measure (default: a generated large multi-dex APK)")
    parser.add_argument("--size", type=float, default=40, help="MB of the generated APK")
    parser.add_argument("--dex", type=int, default=12, help="dex files in the generated APK")
    parser.add_argument("--skip-androguard", action="store_true", help="time apptest only")
    args = parser.parse_args()
    apk = args.apk or ensure_apk(args.size, args.dex)
    print(f"APK: {apk} ({apk.stat().st_size / 1e6:.1f} MB)")
    ours, ours_wall = run_child(OURS, apk)
    ours_peak = peak_children_mb()
    print(f"apptest static : {ours['seconds']:7.2f} s scan, {ours_wall:6.2f} s with start-up, peak {ours_peak} MB,"
          f" {len(ours['sites'])} call sites")
    if args.skip_androguard:
        return 0
    theirs, theirs_wall = run_child(THEIRS, apk)
    theirs_peak = peak_children_mb()
    print(f"AnalyzeAPK     : {theirs['seconds']:7.2f} s analysis, {theirs_wall:6.2f} s with start-up, peak "
          f"{theirs_peak} MB, {len(theirs['sites'])} call sites")
    fields = {f"{x['class']}.{x['field']}" for x in _field_apis()}
    a = Counter(tuple(x) for x in ours["sites"] if x[0] not in fields)
    b = Counter(tuple(x) for x in theirs["sites"] if x[0] not in fields)
    ours_fields = sum(1 for x in ours["sites"] if x[0] in fields)
    theirs_fields = sum(1 for x in theirs["sites"] if x[0] in fields)
    print(f"static field reads (Build.SERIAL …): apptest {ours_fields}, AnalyzeAPK {theirs_fields} "
          "(AnalyzeAPK keeps no read xrefs for fields of classes outside the APK)")
    sidecar = apk.with_suffix(".json")
    if sidecar.exists():
        expected = json.loads(sidecar.read_text())["sensitive_call_sites"]
        print(f"generator's ground truth: {expected} sites; apptest found {len(ours['sites'])}")
    same = a == b
    print(f"method call sites identical: {same} ({sum(a.values())} sites)")
    if not same:
        by_api: Counter[tuple[str, str]] = Counter()
        for key in set(a) | set(b):
            if a[key] != b[key]:
                by_api[(key[0], "apptest only" if a[key] > b[key] else "AnalyzeAPK only")] += abs(a[key] - b[key])
        for (api, side), n in sorted(by_api.items()):
            print(f"  {api}: {n} sites {side}")
    ratio = theirs_wall / ours_wall
    print(f"speed ratio (wall, with start-up): {ratio:.1f}x   (scan only: {theirs['seconds'] / ours['seconds']:.1f}x)")
    print(f"memory ratio (peak RSS): {theirs_peak / max(ours_peak, 1):.1f}x less")
    print("floor: >= 10x faster with identical call sites; aim: >= 40x at a tenth of the memory")
    return 0 if same and ratio >= 10 else 1


if __name__ == "__main__":
    sys.exit(main())
