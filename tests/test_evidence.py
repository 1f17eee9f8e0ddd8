"""The bundle is the product's memory: chains, sealing and readers must hold under abuse."""

from __future__ import annotations

import itertools
import json
import multiprocessing
from pathlib import Path

import pytest

from apptest.evidence import Bundle, BundleError, JsonlWriter, line_hash, read_jsonl, verify
from apptest.model import Actor, Destination, Observation, PhaseMark

MANIFEST = {"apk": {"package": "com.example.rental", "sha256": "0" * 64}}


def make_bundle(tmp_path: Path) -> Bundle:
    return Bundle.create(tmp_path / "b", MANIFEST)


def test_chain_links_every_line(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path)
    for n in range(5):
        bundle.add_observation(
            Observation(source="runtime", action="reads", data_types=("device.imei",), detail={"n": n})
        )
    bundle.close()
    lines = (bundle.root / "observations.jsonl").read_bytes().splitlines()
    assert json.loads(lines[0])["prev"] is None
    for before, after in itertools.pairwise(lines):
        assert json.loads(after)["prev"] == line_hash(before)
    read = read_jsonl(bundle.root / "observations.jsonl", "observation")
    assert read.chain_ok and len(read.records) == 5 and not read.errors


def test_two_writers_on_one_file_keep_one_chain(tmp_path: Path) -> None:
    path = tmp_path / "phases.jsonl"
    first, second = JsonlWriter(path), JsonlWriter(path)
    for n in range(4):
        (first if n % 2 else second).append(PhaseMark(mark="step:x", detail={"n": n}).to_dict())
    read = read_jsonl(path, "phase")
    assert read.chain_ok and [r["detail"]["n"] for r in read.records] == [0, 1, 2, 3]


def _append_many(path: str, tag: int) -> None:
    writer = JsonlWriter(Path(path))
    for n in range(50):
        writer.append({"ts": "2026-05-01T08:30:00.125Z", "mark": f"step:p{tag}", "detail": {"n": n}})


def test_processes_appending_concurrently_keep_the_chain(tmp_path: Path) -> None:
    path = tmp_path / "phases.jsonl"
    procs = [multiprocessing.Process(target=_append_many, args=(str(path), t)) for t in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    read = read_jsonl(path, "phase")
    assert len(read.records) == 150
    assert read.chain_ok


def test_reader_reports_and_skips_bad_lines(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path)
    bundle.add_observation(Observation(source="traffic", action="transmits", destination=Destination("a.cn")))
    bundle.close()
    with open(bundle.root / "observations.jsonl", "ab") as handle:
        handle.write(b'{"id": "x", "ts": "bad"')  # cut short by a crash
    bundle = Bundle.open(bundle.root)
    bundle.add_observation(Observation(source="runtime", action="reads", actor=Actor(kind="app")))
    bundle.close()
    observations, errors = bundle.observations()
    assert len(observations) == 2
    assert len(errors) == 1 and "observations.jsonl:2" in errors[0]
    read = read_jsonl(bundle.root / "observations.jsonl")
    assert read.chain_ok, "the record after the torn line chains to it as stored"


def test_schema_violations_are_reported_not_loaded(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path)
    bundle.writer("observations.jsonl").append(
        {
            "id": "o1",
            "ts": "2026-05-01T08:30:00.125Z",
            "source": "radio",
            "action": "reads",
            "data_types": [],
            "actor": {},
        }
    )
    bundle.close()
    observations, errors = bundle.observations()
    assert observations == [] and "source" in errors[0]


def test_seal_and_verify_catch_a_changed_byte(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path)
    bundle.add_observation(Observation(source="runtime", action="reads", data_types=("device.imei",)))
    bundle.add_phase(PhaseMark(mark="consent_given"))
    (bundle.root / "derived").mkdir()
    (bundle.root / "derived" / "report.json").write_text("{}")
    bundle.seal()
    assert verify(bundle.root).ok
    (bundle.root / "derived" / "report.json").write_text('{"changed": true}')
    assert verify(bundle.root).ok, "derived/ is outside the seal"
    path = bundle.root / "phases.jsonl"
    data = bytearray(path.read_bytes())
    data[-5] ^= 0x01
    path.write_bytes(bytes(data))
    report = verify(bundle.root)
    assert not report.ok
    assert any("phases.jsonl: changed since sealing" in p for p in report.problems)


def test_verify_unsealed_bundle_says_where_the_chain_ends(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path)
    for n in range(4):
        bundle.add_phase(PhaseMark(mark="step:s", detail={"n": n}))
    bundle.close()
    path = bundle.root / "phases.jsonl"
    lines = path.read_bytes().splitlines()
    lines[2] = lines[2].replace(b'"n":2', b'"n":9')
    path.write_bytes(b"\n".join(lines) + b"\n")
    report = verify(bundle.root)
    assert not report.sealed and not report.ok
    assert report.streams["phases.jsonl"]["first_break"] == 4
    assert report.streams["phases.jsonl"]["intact_lines"] == 2, "line 3 itself was changed"


def test_sealed_bundle_refuses_new_evidence(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path)
    bundle.seal()
    with pytest.raises(BundleError, match="sealed"):
        Bundle.create(bundle.root, MANIFEST)


def test_open_rejects_foreign_folders(tmp_path: Path) -> None:
    with pytest.raises(BundleError):
        Bundle.open(tmp_path / "missing")
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "manifest.json").write_text('{"format": "other"}')
    with pytest.raises(BundleError, match="format"):
        Bundle.open(tmp_path / "x")


def test_store_file_never_leaves_the_bundle(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path)
    with pytest.raises(BundleError):
        bundle.store_file("../escape.txt", b"x")
    assert not (tmp_path / "escape.txt").exists()


def test_example_bundle_is_valid_and_unsealed() -> None:
    root = Path(__file__).resolve().parent.parent / "apptest" / "data" / "example_bundle"
    bundle = Bundle.open(root)
    observations, errors = bundle.observations()
    phases, phase_errors = bundle.phases()
    assert observations and phases and not errors and not phase_errors
    report = verify(root)
    assert not report.sealed and report.ok
