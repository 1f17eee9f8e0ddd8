"""`apptest batch` end to end on a real local Dask cluster: broken apps, a FIFO, a rerun, Ctrl-C."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.batch.conftest import BUILT, ROOT, variant
from tests.conftest import run_cli


def _summary(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def _by_file(summary: dict) -> dict[str, dict]:
    return {Path(row["apk"]).name: row for row in summary["apps"]}


def test_batch_judges_good_apps_lists_broken_ones_and_reruns_only_what_is_left(campaign: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ("batch", str(campaign / "apps"), "-o", str(out), "--categories", str(campaign / "cats.csv"),
            "--workers", "2", "--fail-on", "none")  # fmt: skip
    first = run_cli(*args, timeout=180)
    assert first.returncode == 0, first.stderr
    summary = _summary(out)
    rows = _by_file(summary)
    assert set(rows) == {"rental.apk", "rental-copy.apk", "legacy22.apk", "obfuscated.apk", "corrupt_dex.apk",
                         "not_a_zip.apk", "x.apk"}  # fmt: skip
    assert summary["counts"] | {"by_verdict": None, "findings_by_severity": None} == {
        "apps": 7, "judged": 5, "reused": 0, "failed": 2, "not_run": 0, "uncategorized": 2, "with_scan_errors": 1,
        "by_verdict": None, "findings_by_severity": None,
    }  # fmt: skip

    # the broken ones are listed with their reasons; the FIFO was never opened
    failed = {Path(f["apk"]).name: f["error"] for f in summary["failed"]}
    assert set(failed) == {"not_a_zip.apk", "x.apk"}
    assert "not a zip" in failed["not_a_zip.apk"]
    assert "FIFO" in failed["x.apk"]
    # a corrupt dex is a partial result: judged, with what could not be read
    assert rows["corrupt_dex.apk"]["status"] == "ok"
    assert any("classes2.dex" in e for e in rows["corrupt_dex.apk"]["scan_errors"])

    # the category came from the CSV by package, in Chinese; the legacy app has none and says so
    assert [c["id"] for c in rows["rental.apk"]["categories"]] == ["ride_hailing"]
    assert rows["legacy22.apk"]["categories"] == []
    assert "category-independent" in rows["legacy22.apk"]["category_note"]
    legacy = json.loads((out / rows["legacy22.apk"]["report"]).read_text(encoding="utf-8"))
    verdicts = {r["rule_id"]: r for r in legacy["judgement"]["rule_results"]}
    assert verdicts["out_of_scope_collection"]["verdict"] == "unchecked"
    assert any("category" in m["en"] for m in verdicts["out_of_scope_collection"]["missing_evidence"])

    # one bundle and one report per judged app, each the same as `apptest scan` would write
    for row in summary["apps"]:
        if row["status"] == "ok":
            assert (out / row["bundle"] / "manifest.json").is_file()
            report = json.loads((out / row["report"]).read_text(encoding="utf-8"))
            assert report["judgement"]["bundle"]["apk_sha256"] == row["sha256"]
            assert report["judgement"]["summary"]["findings"] == row["findings"]
    scan_out = tmp_path / "scan"
    scan = run_cli("scan", str(campaign / "apps" / "rental.apk"), "--category", "ride_hailing", "-o", str(scan_out),
                   "--fail-on", "none")  # fmt: skip
    assert scan.returncode == 0, scan.stderr
    alone = json.loads((scan_out / "report.json").read_text(encoding="utf-8"))["judgement"]
    batched = json.loads((out / rows["rental.apk"]["report"]).read_text(encoding="utf-8"))["judgement"]
    assert [f["fingerprint"] for f in batched["findings"]] == [f["fingerprint"] for f in alone["findings"]]
    assert any(f["rule_id"].startswith("policy_") for f in batched["findings"])  # judged with its shipped policy

    # the summary in its three forms
    with open(out / "summary.csv", encoding="utf-8-sig", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert {Path(r["apk"]).name: r["status"] for r in table} == {k: v["status"] for k, v in rows.items()}
    html = (out / "summary.html").read_text(encoding="utf-8")
    assert all(name in html for name in rows)
    assert summary["top_sdks"] and summary["top_findings"]

    # rerun: everything finished is reused, nothing is judged again, no engine is started;
    # --fail-on is not part of an app's key, so a stricter rerun costs nothing and exits 1
    stamps = {p: p.stat().st_mtime_ns for p in out.glob("apps/*/app.json")}
    second = run_cli(*args[:-1], "medium", timeout=120)
    assert second.returncode == 1, second.stderr  # the rental app has medium findings
    assert "to judge" not in second.stderr
    again = _summary(out)
    assert again["counts"]["reused"] == 5 and again["counts"]["failed"] == 2
    assert {p: p.stat().st_mtime_ns for p in out.glob("apps/*/app.json")} == stamps


def test_ctrl_c_keeps_every_finished_app(tmp_path: Path) -> None:
    apps = tmp_path / "apps"
    apps.mkdir()
    for n in range(10):
        variant(BUILT / "rental.apk", apps / f"app{n:02d}.apk", str(n))
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "apptest.cli", "batch", str(apps), "-o", str(out), "--workers", "1"],
        cwd=ROOT,
        start_new_session=True,  # its own process group, like a terminal's foreground job
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(out.glob("apps/*/app.json"))) < 2:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    _stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    summary = _summary(out)
    assert summary["interrupted"] is True
    finished = [r for r in summary["apps"] if r["status"] == "ok"]
    assert len(finished) >= 2 and summary["counts"]["not_run"] == 10 - len(finished)
    for row in finished:  # every finished app is complete on disk
        assert json.loads((out / row["report"]).read_text(encoding="utf-8"))["judgement"]["findings"]
        assert (out / row["bundle"] / "observations.jsonl").is_file()
    folders = sorted(p.name for p in (out / "apps").iterdir() if not p.name.startswith("."))
    assert folders == sorted(r["id"] for r in finished)

    # the same command again judges only the apps the interruption left
    rerun = run_cli("batch", str(apps), "-o", str(out), "--workers", "1", timeout=180)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{10 - len(finished)} apps to judge" in rerun.stderr
    assert _summary(out)["counts"] | {"by_verdict": None, "findings_by_severity": None} == {
        "apps": 10, "judged": 10, "reused": len(finished), "failed": 0, "not_run": 0, "uncategorized": 10,
        "with_scan_errors": 0, "by_verdict": None, "findings_by_severity": None,
    }  # fmt: skip
    assert not list((out / "apps").glob(".*"))  # no half-written folder left behind
