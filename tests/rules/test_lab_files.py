"""A lab's own files: suppressions, manual results (with evidence copied), settings, coverage."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from apptest.evidence import Bundle, verify
from apptest.knowledge import Knowledge, ProfileError
from apptest.rules.analyze import analyze_bundle
from apptest.rules.coverage import load_coverage
from apptest.rules.judge import judge, read_evidence, resolve_categories
from apptest.rules.suppress import apply_suppressions, load_suppressions
from tests.rules.cases.build import CONSENT, UMENG, read, send
from tests.rules.helpers import write_bundle


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return Knowledge.load()


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    return write_bundle(
        tmp_path / "bundle", [read("imei", 2, "device.imei", UMENG), send("tx", 5, ["device.imei"])], CONSENT
    )


def _write(path: Path, data) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_suppressed_finding_moves_with_its_justification(tmp_path, bundle, knowledge) -> None:
    before = analyze_bundle(bundle, knowledge, "news")
    target = next(f for f in before["findings"] if f["rule_id"] == "pre_consent_collection")
    waiver = _write(
        tmp_path / "s.yaml",
        {
            "suppressions": [
                {
                    "fingerprint": target["fingerprint"],
                    "justification": "Vendor build for the lab; SDK removed in 2.1.",
                    "by": "Li Lei",
                },
                {"fingerprint": "0" * 32, "justification": "An old waiver nobody removed."},
            ]
        },
    )
    after = analyze_bundle(bundle, knowledge, "news", suppress_path=waiver)
    assert target["fingerprint"] not in {f["fingerprint"] for f in after["findings"]}
    (entry,) = after["suppressed"]
    assert entry["justification"].startswith("Vendor build") and entry["by"] == "Li Lei"
    assert entry["finding"]["observations"] == target["observations"]
    assert after["unused_suppressions"] == [{"fingerprint": "0" * 32, "rule_id": None, "why": "matched no finding"}]
    assert after["summary"]["suppressed"] == 1


def test_expired_or_wrong_rule_waivers_do_not_apply(bundle, knowledge) -> None:
    judgement = analyze_bundle(bundle, knowledge, "news")
    from apptest.model import Finding

    findings = [Finding.from_dict(f) for f in judgement["findings"]]
    fp = findings[0].fingerprint
    kept, gone, unused = apply_suppressions(
        findings, [{"fingerprint": fp, "justification": "temporary waiver", "until": "2026-01-31"}], date(2026, 2, 1)
    )
    assert len(kept) == len(findings) and not gone and unused[0]["why"] == "expired"
    kept, gone, _ = apply_suppressions(
        findings, [{"fingerprint": fp, "justification": "other rule!!", "rule_id": "nope"}], date(2026, 2, 1)
    )
    assert not gone


def test_a_waiver_without_justification_is_refused(tmp_path) -> None:
    path = _write(tmp_path / "s.yaml", {"suppressions": [{"fingerprint": "a" * 32}]})
    with pytest.raises(ProfileError) as err:
        load_suppressions(path)
    assert str(err.value).startswith(f"{path}: suppressions.0: ") and "justification" in str(err.value)


def test_manual_results_fill_coverage_and_copy_evidence(tmp_path, bundle, knowledge) -> None:
    (tmp_path / "shots").mkdir()
    (tmp_path / "shots" / "policy.png").write_bytes(b"\x89PNG fake screenshot")
    manual = _write(
        tmp_path / "manual.yaml",
        {
            "results": [
                {
                    "item": "M1.3",
                    "verdict": "failed",
                    "tester": "Han Meimei",
                    "date": "2026-05-02",
                    "note": "Policy is 6 taps from the main screen.",
                    "evidence": ["shots/policy.png"],
                },
                {"item": "M6.1", "verdict": "passed", "tester": "Han Meimei"},
            ]
        },
    )
    judgement = analyze_bundle(bundle, knowledge, "news", manual_path=manual)
    rows = {r["item"]: r for r in judgement["coverage"]}
    assert rows["M1.3"]["status"] == "failed" and rows["M1.3"]["manual"]["tester"] == "Han Meimei"
    assert rows["M6.1"]["status"] == "passed"
    assert rows["M1.4"]["status"] == "needs_manual"
    (copied,) = judgement["manual"][0]["evidence"]
    assert copied["path"] == "manual/M1.3/policy.png" and not copied["after_sealing"]
    assert (bundle / copied["path"]).read_bytes() == b"\x89PNG fake screenshot"


def test_manual_evidence_never_changes_a_sealed_bundle(tmp_path, bundle, knowledge) -> None:
    Bundle(bundle).seal()
    (tmp_path / "note.txt").write_text("tester notes")
    manual = _write(
        tmp_path / "m.yaml",
        {"results": [{"item": "M3.7", "verdict": "passed", "tester": "T", "evidence": ["note.txt"]}]},
    )
    judgement = analyze_bundle(bundle, knowledge, "news", manual_path=manual)
    assert judgement["manual"][0]["evidence"][0]["path"].startswith("derived/manual/")
    assert verify(bundle).ok


def test_manual_result_for_an_unknown_item_is_refused(tmp_path, knowledge) -> None:
    from apptest.rules.manual import load_manual

    path = _write(tmp_path / "m.yaml", {"results": [{"item": "M9.9", "verdict": "passed", "tester": "T"}]})
    with pytest.raises(ProfileError, match=r"results\.0\.item"):
        load_manual(path, [i["item"] for i in load_coverage(knowledge)])


def test_coverage_lists_all_31_method_items_and_the_miit_items(knowledge) -> None:
    items = {i["item"]: i for i in load_coverage(knowledge)}
    method = [k for k in items if k.startswith("M")]
    assert len(method) == 31
    assert {f"N337-{n}" for n in range(1, 9)} <= set(items)
    assert {f"N164-{n}" for n in range(1, 11)} <= set(items)
    covered = {r for i in items.values() for r in i["rules"]}
    non_info = {rid for rid, r in knowledge.rules.items() if r["severity"] != "info"}
    # cleartext HTTP is a PIPL art. 51 security duty, not an identification-method item
    assert non_info - covered == {"cleartext_transmission"}


def test_coverage_status_follows_the_rules(bundle, knowledge) -> None:
    judgement = judge(read_evidence(bundle), knowledge, resolve_categories(knowledge, "news"))
    rows = {r["item"]: r for r in judgement["coverage"]}
    assert rows["M3.1"]["status"] == "failed" and rows["M3.1"]["automated"]
    assert rows["N337-5"]["status"] == "unchecked"  # no scenario check after a refusal
    assert rows["M5.2"] == {**rows["M5.2"], "automated": False, "status": "needs_manual"}


def test_settings_file_overrides_a_threshold(tmp_path, knowledge) -> None:
    reads = [
        read(f"r{n}", 20 + n, "apps.installed", UMENG, api="android.content.pm.PackageManager.getInstalledPackages")
        for n in range(2)
    ]
    root = write_bundle(tmp_path / "b", reads, CONSENT)
    default = analyze_bundle(root, knowledge, "news")
    assert "high_frequency_collection" in {f["rule_id"] for f in default["findings"]}
    settings = _write(
        tmp_path / "c.yaml", {"rules": {"high_frequency_collection": {"max_reads_per_minute": {"apps.installed": 5}}}}
    )
    relaxed = analyze_bundle(root, knowledge, "news", config_path=settings)
    assert "high_frequency_collection" not in {f["rule_id"] for f in relaxed["findings"]}
    bad = _write(tmp_path / "bad.yaml", {"rules": {"no_such_rule": {}}})
    with pytest.raises(ProfileError, match="no_such_rule"):
        analyze_bundle(root, knowledge, "news", config_path=bad)


def test_a_zipped_bundle_is_judged_like_its_folder(tmp_path, bundle, knowledge) -> None:
    from apptest.bundlezip import zip_bundle

    archive = zip_bundle(bundle, tmp_path / "bundle.zip")
    zipped = analyze_bundle(archive, knowledge, "news")
    folder = analyze_bundle(bundle, knowledge, "news")
    assert [f["fingerprint"] for f in zipped["findings"]] == [f["fingerprint"] for f in folder["findings"]]


def test_manual_evidence_for_a_zipped_bundle_is_refused(tmp_path, bundle, knowledge) -> None:
    """A zip is read from a temporary extraction: evidence copied there would be lost."""
    from apptest.bundlezip import zip_bundle
    from apptest.errors import UnreadableInput

    archive = zip_bundle(bundle, tmp_path / "bundle.zip")
    before = archive.read_bytes()
    (tmp_path / "shot.png").write_bytes(b"png")
    manual = _write(
        tmp_path / "m.yaml",
        {"results": [{"item": "M1.3", "verdict": "passed", "tester": "T", "evidence": ["shot.png"]}]},
    )
    with pytest.raises(UnreadableInput, match="unzip") as err:
        analyze_bundle(archive, knowledge, "news", manual_path=manual)
    assert "\n" not in str(err.value) and str(archive) in str(err.value)
    assert archive.read_bytes() == before
