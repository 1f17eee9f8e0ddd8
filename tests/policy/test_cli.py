"""`apptest policy` and `apptest analyze --policy` on the rental fixture APK, as a lab runs them.

The fixture's own policy (assets/privacy_policy.html) deliberately leaves out SMS, the
clipboard, the serial number and the Pangle SDK (tests/fixtures/apks/README.md).
"""

from __future__ import annotations

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
    # the judge read the bundle: analysing again without --policy gives the same findings
    again = run_cli("analyze", str(bundle), "--category", "housing_rental_sale", "--fail-on", "none")
    assert _findings(json.loads(again.stdout)) == _findings(judgement)


def test_usage_errors(tmp_path: Path) -> None:
    done = run_cli("policy", str(tmp_path / "missing.html"), "--bundle", str(tmp_path / "b"))
    assert done.returncode == 3 and "no such file" in done.stderr
    done = run_cli("policy", str(POLICIES / "en_policy.md"), "--bundle", str(tmp_path / "b"), "--as", "pdf")
    assert done.returncode == 2


def test_sealed_bundle_is_refused(scanned: Path, tmp_path: Path) -> None:
    import shutil

    bundle = tmp_path / "bundle"
    shutil.copytree(scanned, bundle)
    assert run_cli("seal", str(bundle)).returncode == 0
    done = run_cli("policy", str(RENTAL_POLICY), "--bundle", str(bundle))
    assert done.returncode == 3 and "sealed" in done.stderr
