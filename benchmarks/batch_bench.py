#!/usr/bin/env python3
"""Throughput of `apptest batch` on 200 generated APKs with 1, 2 and all workers.

    python3 benchmarks/batch_bench.py                   # 200 apps, workers 1, 2, all
    python3 benchmarks/batch_bench.py --apps 50 --workers 1,4
    python3 benchmarks/batch_bench.py --json out.json

Why: a campaign screens a store's top apps; what matters is apps per minute and whether
a second core (or a cluster node) buys a second share of throughput. Each run is the real
command in a child process on a fresh output folder, so the numbers include what a user
waits for: loading the profiles, starting the Dask workers, warming them.

The set: `--bases` distinct APKs from `make_large_apk.py` (one dex each, seeded; smali makes
them slowly, so they are cached in benchmarks/.cache/batch), and copies of them that differ
only in the zip comment: a different SHA-256, hence a different app to the batch, at the
cost of a file copy. Reported per run: wall time, apps/minute over the wall time and over
the judging phase alone (after the workers are up), the scaling ratio against one worker,
and peak memory: the largest resident size of a worker process and of an app's child
(which includes the worker pages it inherited).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "benchmarks" / ".cache" / "batch"


def base_apks(count: int, sites: int) -> list[Path]:
    """`count` distinct one-dex APKs (about 1 MB each), built once and cached."""
    CACHE.mkdir(parents=True, exist_ok=True)
    out = []
    for n in range(count):
        apk = CACHE / f"base{n}-s{sites}.apk"
        if not apk.exists():
            print(f"building {apk.name} (smali, once) ...", file=sys.stderr)
            subprocess.run(
                [sys.executable, str(REPO / "benchmarks" / "make_large_apk.py"), str(apk), "--dex", "1", "--size", "1",
                 "--sites-per-dex", str(sites), "--seed", f"batch-bench-{n}", "--no-sign"],
                check=True, stdout=subprocess.DEVNULL,
            )  # fmt: skip
        out.append(apk)
    return out


def make_set(folder: Path, bases: list[Path], apps: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(apps):
        target = folder / f"app{n:03d}.apk"
        shutil.copyfile(bases[n % len(bases)], target)
        with zipfile.ZipFile(target, "a") as archive:
            archive.comment = f"batch bench copy {n}".encode()


def run(apk_dir: Path, out: Path, workers: int) -> dict:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "apptest.cli", "batch", str(apk_dir), "-o", str(out), "--workers", str(workers),
         "--fail-on", "none"],
        cwd=REPO, capture_output=True, text=True, check=False,
    )  # fmt: skip
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"apptest batch failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    judged = [r for r in summary["apps"] if r["status"] == "ok"]
    startup = summary["engine"].get("startup_s") or 0.0
    judging = summary["elapsed_s"] - startup
    by_worker: dict[int, float] = defaultdict(float)
    for row in judged:
        worker = row["worker"]
        by_worker[worker["pid"]] = max(by_worker[worker["pid"]], worker["peak_rss_mb"])
    return {
        "workers": workers,
        "apps": len(summary["apps"]),
        "judged": len(judged),
        "failed": summary["counts"]["failed"],
        "wall_s": round(wall, 1),
        "startup_s": startup,
        "apps_per_minute": round(60 * len(judged) / wall, 1),
        "apps_per_minute_judging": round(60 * len(judged) / judging, 1) if judging > 0 else None,
        "median_app_s": sorted(r["seconds"] for r in judged)[len(judged) // 2] if judged else None,
        "peak_worker_rss_mb": max(by_worker.values(), default=None),
        "peak_app_rss_mb": max((r["peak_rss_mb"] for r in judged), default=None),
        "workers_seen": len(by_worker),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--apps", type=int, default=200, help="APKs in the set (default 200)")
    parser.add_argument("--bases", type=int, default=4, help="distinct generated APKs the set is copied from")
    parser.add_argument("--sites", type=int, default=200, help="sensitive call sites per base APK")
    parser.add_argument("--workers", default="1,2,all", help="comma-separated worker counts; `all` = every core")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    counts = list(dict.fromkeys(cores if w == "all" else int(w) for w in args.workers.split(",")))
    bases = base_apks(args.bases, args.sites)
    results = []
    with tempfile.TemporaryDirectory(prefix="apptest-batch-bench-") as tmp:
        apk_dir = Path(tmp) / "apks"
        make_set(apk_dir, bases, args.apps)
        for workers in counts:
            print(f"{args.apps} apps, {workers} worker(s) ...", file=sys.stderr)
            results.append(run(apk_dir, Path(tmp) / f"out-{workers}", workers))
    one = next((r for r in results if r["workers"] == 1), None)
    for r in results:
        if one:
            r["scaling_vs_1"] = round(r["apps_per_minute"] / one["apps_per_minute"], 2)
            if r["apps_per_minute_judging"] and one["apps_per_minute_judging"]:
                r["scaling_vs_1_judging"] = round(r["apps_per_minute_judging"] / one["apps_per_minute_judging"], 2)
    report = {"cores": cores, "apps": args.apps, "bases": args.bases, "runs": results}
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    print(
        "\n".join(
            f"{r['workers']} worker(s): {r['apps_per_minute']} apps/min ({r['apps_per_minute_judging']} while judging), "
            f"x{r.get('scaling_vs_1', '?')} vs 1 worker, peak RSS {r['peak_worker_rss_mb']} MB per worker, "
            f"{r['peak_app_rss_mb']} MB per app child"
            for r in results
        ),
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
