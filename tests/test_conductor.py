"""`run_live` ends with a sealed bundle that holds the privacy policy collected before sealing.

Real parts: the static scan of a real APK, mitmproxy in sinkhole mode, the demo's stand-in
app on the local JVM driven by a short scenario, the judge. Hooks are off (the demo test
covers them). The APK the run scans decides what policy there is to collect: the sample
(rental) APK ships assets/privacy_policy.html, legacy22.apk ships none.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from apptest.conductor import RunOptions, RunResult, run_live
from apptest.demo.bench import PACKAGE, TARGET, StandInBench
from apptest.demo.build import JavaMissing, cache_root, classes_dir
from apptest.evidence import SUMS, Bundle, read_jsonl, verify
from apptest.knowledge import Knowledge
from apptest.static.scan import sample_apk
from tests.conftest import ROOT

pytestmark = pytest.mark.slow
ENTRY = "assets/privacy_policy.html"
SCENARIO = """\
id: conductor-short
version: 1.0.0
title: {zh: 短流程, en: Short run}
package: com.example.rental
settings: {settle_seconds: 0.2, refusal_check_seconds: 0.5, wait_for_seconds: 5}
steps:
- {id: first-launch, name: first launch, launch: {clear_data: true}}
- {id: policy, name: privacy policy shown, wait_for: {text: 同意}, mark: policy_shown}
- {id: consent, name: agree, tap: {text: 同意}, mark: consent_given}
"""


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return Knowledge.load()


@pytest.fixture(scope="module")
def classes() -> Path:
    try:
        return classes_dir()
    except JavaMissing as exc:
        pytest.skip(str(exc))


def _options(tmp_path: Path, apk: Path, knowledge: Knowledge) -> RunOptions:
    scenario = tmp_path / "conductor-short.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    return RunOptions(
        apk=apk,
        category="housing_rental_sale",
        scenario=scenario,
        bundle=tmp_path / "bundle",
        package=PACKAGE,
        device_profile=knowledge.dirs[0] / "devices" / "demo-standin.yaml",
        listen=("127.0.0.1", 0),
        confdir=cache_root().parent / "mitmproxy",
        sinkhole=True,
        hooks=False,
        target=TARGET,
    )


def _run(options: RunOptions, knowledge: Knowledge, bench: StandInBench) -> tuple[RunResult, list[str]]:
    said: list[str] = []
    return run_live(options, bench, knowledge, said.append), said


def _bench(knowledge: Knowledge, options: RunOptions, classes: Path) -> StandInBench:
    assert options.device_profile is not None
    identifiers = knowledge.device_profile(options.device_profile).get("identifiers") or {}
    return StandInBench(identifiers, classes)


def _documents(root: Path) -> list[dict]:
    records = read_jsonl(root / "observations.jsonl", "observation").records
    return [r for r in records if r["source"] == "policy" and r["detail"]["kind"] == "document"]


def _sealed_files(root: Path) -> set[str]:
    return {line.split("  ", 1)[1] for line in (root / SUMS).read_text("utf-8").splitlines() if line}


def test_shipped_policy_is_collected_before_sealing(tmp_path: Path, knowledge: Knowledge, classes: Path) -> None:
    apk = sample_apk()
    options = _options(tmp_path, apk, knowledge)
    result, said = _run(options, knowledge, _bench(knowledge, options, classes))
    root = options.bundle
    assert result.sealed and not result.interrupted, result.problems
    assert not [p for p in result.problems if p.startswith("policy")], result.problems
    report = verify(root)
    assert report.sealed and report.ok, report.problems

    (document,) = _documents(root)
    detail = document["detail"]
    with zipfile.ZipFile(apk) as zf:
        shipped = zf.read(ENTRY)
    assert (root / detail["file"]).read_bytes() == shipped
    assert detail["origin"] == "apk"
    assert detail["provenance"] == {"apk_sha256": hashlib.sha256(apk.read_bytes()).hexdigest(), "apk_entry": ENTRY}
    assert {detail["file"], detail["text"]} <= _sealed_files(root)  # SHA256SUMS covers the policy

    policy_line = next(i for i, line in enumerate(said) if line.startswith("[policy] policy/privacy_policy.html"))
    sealed_line = next(i for i, line in enumerate(said) if line.startswith("[bundle] sealed"))
    assert policy_line < sealed_line and "shipped in the APK" in said[policy_line]

    # the judge read the policy from the bundle
    assert result.judgement is not None
    assert result.judgement["policy_matrix"]["policy_found"]
    undeclared = {
        f["data_types"][0] for f in result.judgement["findings"] if f["rule_id"] == "policy_data_type_undeclared"
    }
    # judged against the shipped text (tests/fixtures/apks/README.md): it leaves out SMS, the
    # clipboard and the serial number, and declares IMEI, location and contacts
    assert {"sms", "clipboard", "device.serial"} <= undeclared
    assert not undeclared & {"device.imei", "location.precise", "contacts"}
    assert not Bundle.open(root).manifest()["options"]["run"]["interrupted"]


def test_policy_less_apk_collects_nothing_and_says_so(tmp_path: Path, knowledge: Knowledge, classes: Path) -> None:
    options = _options(tmp_path, ROOT / "tests/fixtures/apks/built/legacy22.apk", knowledge)
    result, said = _run(options, knowledge, _bench(knowledge, options, classes))
    root = options.bundle
    assert result.sealed, result.problems
    report = verify(root)
    assert report.sealed and report.ok, report.problems
    assert _documents(root) == [] and not (root / "policy").exists()
    assert "[policy] none collected: no privacy policy shipped in the APK or captured in the traffic" in said
    assert result.judgement is not None and not result.judgement["policy_matrix"]["policy_found"]


class _StoppedAtTheBench(StandInBench):
    """Ctrl-C while the phone is being prepared: the run must still collect and seal."""

    def open(self, bundle, proxy_port):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt


def test_interrupted_run_still_seals_with_the_policy(tmp_path: Path, knowledge: Knowledge) -> None:
    options = _options(tmp_path, sample_apk(), knowledge)
    result, said = _run(options, knowledge, _StoppedAtTheBench({}))
    assert "[run] interrupted: stopping the collectors and sealing the bundle" in said
    assert result.interrupted and result.sealed and result.judgement is None, result.problems
    report = verify(options.bundle)
    assert report.sealed and report.ok, report.problems
    (document,) = _documents(options.bundle)
    assert document["detail"]["provenance"]["apk_entry"] == ENTRY
    assert document["detail"]["file"] in _sealed_files(options.bundle)
