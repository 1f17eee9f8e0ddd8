"""`apptest policy` and `apptest analyze --policy` on the rental fixture APK, as a lab runs them.

The fixture's own policy (assets/privacy_policy.html) deliberately leaves out SMS, the
clipboard, the serial number and the Pangle SDK (tests/fixtures/apks/README.md).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli
from tests.policy.conftest import POLICIES, RENTAL_POLICY

RENTAL_APK = ROOT / "tests/fixtures/apks/built/rental.apk"


@pytest.fixture(scope="module")
def scanned(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("rental") / "bundle"
    done = run_cli("static", str(RENTAL_APK), "--bundle", str(root), timeout=300)
    assert done.returncode == 0, done.stderr
    return root


def _findings(judgement: dict) -> dict[str, set]:
    out: dict[str, set] = {}
    for f in judgement["findings"]:
        if f["rule_id"].startswith("policy_"):
            actors = tuple(a.get("id") for a in f["actors"])
            out.setdefault(f["rule_id"], set()).add((tuple(f["data_types"]), actors))
    return out


def test_policy_then_analyze(scanned: Path, tmp_path: Path) -> None:
    import shutil

    bundle = tmp_path / "bundle"
    shutil.copytree(scanned, bundle)
    done = run_cli("policy", str(RENTAL_POLICY), "--bundle", str(bundle))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    collected, shipped = result["collected"]  # the APK ships the very same text: stored once
    assert collected["title"] == "安心租房隐私政策" and collected["summary"]["sdks"] == ["jpush", "umeng_analytics"]
    assert shipped["origin"] == "apk" and shipped["skipped"] == "already in the bundle (same SHA-256)"

    done = run_cli("analyze", str(bundle), "--category", "housing_rental_sale", "--fail-on", "none")
    assert done.returncode == 0, done.stderr
    found = _findings(json.loads(done.stdout))
    undeclared = {types[0] for types, _ in found["policy_data_type_undeclared"]}
    assert undeclared == {"sms", "clipboard", "device.serial"}
    unlisted = {actors[0] for _, actors in found["policy_sdk_unlisted"]}
    assert "pangle_csj" in unlisted and "umeng_analytics" not in unlisted and "jpush" not in unlisted
    assert (("apps.installed",), ("com.example.rental",)) in found["policy_data_type_other_party"]
    assert "policy_no_correction_way" in found and "policy_no_deletion_way" not in found
    assert "policy_no_contact_channel" not in found


def test_analyze_policy_is_the_same_as_collecting_first(scanned: Path, tmp_path: Path) -> None:
    import shutil

    bundle = tmp_path / "bundle"
    shutil.copytree(scanned, bundle)
    done = run_cli(
        "analyze",
        str(bundle),
        "--category",
        "housing_rental_sale",
        "--policy",
        str(RENTAL_POLICY),
        "--fail-on",
        "medium",
    )
    assert done.returncode == 1, done.stderr  # undeclared SMS, clipboard and serial number are medium
    judgement = json.loads(done.stdout)
    assert judgement["policy_matrix"]["policy_found"]
    assert (bundle / "policy/privacy_policy.html").exists()
    assert not (bundle / "derived").exists() and not judgement["policy_matrix"]["documents"][0]["after_sealing"]
    # the judge read the bundle: analysing again without --policy gives the same findings
    again = run_cli("analyze", str(bundle), "--category", "housing_rental_sale", "--fail-on", "none")
    assert _findings(json.loads(again.stdout)) == _findings(judgement)


def test_usage_errors(tmp_path: Path) -> None:
    done = run_cli("policy", str(tmp_path / "missing.html"), "--bundle", str(tmp_path / "b"))
    assert done.returncode == 3 and "no such file" in done.stderr
    done = run_cli("policy", str(POLICIES / "en_policy.md"), "--bundle", str(tmp_path / "b"), "--as", "pdf")
    assert done.returncode == 2


def _sealed_copy(scanned: Path, tmp_path: Path, *extra: str) -> Path:
    import shutil

    bundle = tmp_path / "bundle"
    shutil.copytree(scanned, bundle)
    done = run_cli("seal", str(bundle), *extra)
    assert done.returncode == 0, done.stderr
    return bundle


def _sealed_files(bundle: Path) -> dict[str, str]:
    """Every file outside derived/ with its SHA-256: what the seal covers, and SHA256SUMS itself."""
    return {
        p.relative_to(bundle).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in bundle.rglob("*")
        if p.is_file() and p.relative_to(bundle).parts[0] != "derived"
    }


def _analyze(bundle: Path, *extra: str) -> dict:
    done = run_cli("analyze", str(bundle), "--category", "housing_rental_sale", "--fail-on", "none", *extra)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _verdicts(judgement: dict) -> dict[str, str]:
    return {r["rule_id"]: r["verdict"] for r in judgement["rule_results"]}


def test_a_sealed_bundle_takes_a_policy_after_sealing(scanned: Path, tmp_path: Path) -> None:
    from apptest.report.i18n import labels

    bundle = _sealed_copy(scanned, tmp_path)
    sealed = _sealed_files(bundle)
    before = _verdicts(_analyze(bundle))
    assert before["policy_no_correction_way"] == before["policy_no_contact_channel"] == "unchecked"

    done = run_cli("policy", str(RENTAL_POLICY), "--bundle", str(bundle))
    assert done.returncode == 0, done.stderr
    collected, shipped = json.loads(done.stdout)["collected"]
    assert collected["after_sealing"] is True and collected["text_file"].startswith("derived/policy/")
    assert shipped["skipped"] and "after_sealing" not in shipped
    assert _sealed_files(bundle) == sealed
    verified = run_cli("verify", str(bundle))
    assert verified.returncode == 0 and "sealed, OK" in verified.stdout

    judgement = _analyze(bundle)
    after = _verdicts(judgement)
    assert after["policy_no_correction_way"] == "failed" and after["policy_no_contact_channel"] == "passed"
    undeclared = {types[0] for types, _ in _findings(judgement)["policy_data_type_undeclared"]}
    assert undeclared == {"sms", "clipboard", "device.serial"}  # as when collected before sealing
    (document,) = judgement["policy_matrix"]["documents"]
    assert document["after_sealing"] is True and document["sha256"] == collected["sha256"]

    for lang in ("zh", "en"):
        out = tmp_path / f"report-{lang}"
        done = run_cli("report", str(bundle), "--category", "housing_rental_sale", "--lang", lang,
                       "--format", "html,md,json", "-o", str(out))
        assert done.returncode == 0, done.stderr
        label = labels(lang)["policy_after_sealing"]
        for name in ("report.html", "report.md"):
            page = (out / name).read_text("utf-8")
            assert label in page and collected["sha256"] in page, (lang, name)
        report = json.loads((out / "report.json").read_text("utf-8"))
        assert report["judgement"]["policy_matrix"]["documents"][0]["after_sealing"] is True
    assert _sealed_files(bundle) == sealed


def test_analyze_policy_on_a_sealed_bundle(scanned: Path, tmp_path: Path) -> None:
    bundle = _sealed_copy(scanned, tmp_path)
    sealed = _sealed_files(bundle)
    judgement = _analyze(bundle, "--policy", str(RENTAL_POLICY))
    assert [d["file"] for d in judgement["policy_matrix"]["documents"]] == ["derived/policy/privacy_policy.html"]
    assert _verdicts(judgement)["policy_no_correction_way"] == "failed"
    assert any("derived/policy/privacy_policy.html" in n["en"] for n in judgement["bundle"]["notes"])
    assert _sealed_files(bundle) == sealed and run_cli("verify", str(bundle)).returncode == 0


def test_a_zipped_bundle_is_refused(scanned: Path, tmp_path: Path) -> None:
    archive = tmp_path / "bundle.zip"
    _sealed_copy(scanned, tmp_path, "--zip", str(archive))
    kept = archive.read_bytes()
    for args in (
        ("policy", str(RENTAL_POLICY), "--bundle", str(archive)),
        ("analyze", str(archive), "--category", "housing_rental_sale", "--policy", str(RENTAL_POLICY)),
    ):
        done = run_cli(*args)
        assert done.returncode == 3 and done.stdout == "", args
        assert len(done.stderr.strip().splitlines()) == 1 and "zipped bundle" in done.stderr, done.stderr
    assert archive.read_bytes() == kept
