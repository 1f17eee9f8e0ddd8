"""A lab's Ed25519 signature over SHA256SUMS: made with its private key, checked with the public one."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from apptest.evidence import SIGNATURE, SUMS, Bundle, BundleError, sign_sums, verify
from apptest.model import Observation, PhaseMark
from apptest.signing import SigningError, generate_keypair
from tests.conftest import run_cli

MANIFEST = {"apk": {"package": "com.example.rental", "sha256": "0" * 64}}


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path, str]:
    private, public = tmp_path / "keys" / "lab.pem", tmp_path / "keys" / "lab.pub.pem"
    return private, public, generate_keypair(private, public)


def sealed_bundle(tmp_path: Path) -> Bundle:
    bundle = Bundle.create(tmp_path / "b", MANIFEST)
    bundle.add_observation(Observation(source="runtime", action="reads", data_types=("device.imei",)))
    bundle.add_phase(PhaseMark(mark="consent_given"))
    bundle.seal()
    return bundle


def test_signed_bundle_verifies_with_the_lab_key(tmp_path: Path, keys: tuple[Path, Path, str]) -> None:
    private, public, fingerprint = keys
    bundle = sealed_bundle(tmp_path)
    sig = sign_sums(bundle.root, private)
    assert sig.name == SIGNATURE and len(sig.read_bytes()) == 64
    report = verify(bundle.root, public)
    assert report.ok and report.signature == {"present": True, "checked": True, "valid": True, "key": fingerprint}
    assert report.sums_sha256 == bundle.sums_digest()
    unchecked = verify(bundle.root)
    assert unchecked.ok and unchecked.signature["present"] and not unchecked.signature["checked"]


def test_a_changed_byte_or_another_key_fails(tmp_path: Path, keys: tuple[Path, Path, str]) -> None:
    private, public, _ = keys
    bundle = sealed_bundle(tmp_path)
    sign_sums(bundle.root, private)
    other_private, other_public = tmp_path / "o.pem", tmp_path / "o.pub"
    generate_keypair(other_private, other_public)
    wrong = verify(bundle.root, other_public)
    assert not wrong.ok and wrong.signature["valid"] is False
    sums = bundle.root / SUMS
    data = bytearray(sums.read_bytes())
    data[3] ^= 0x01  # a forger rewrites SHA256SUMS to match tampered evidence
    sums.write_bytes(bytes(data))
    tampered = verify(bundle.root, public)
    assert not tampered.ok and any("does not match" in p for p in tampered.problems)


def test_missing_signature_is_a_problem_only_when_a_key_is_given(tmp_path: Path, keys: tuple[Path, Path, str]) -> None:
    _, public, _ = keys
    bundle = sealed_bundle(tmp_path)
    assert verify(bundle.root).ok
    report = verify(bundle.root, public)
    assert not report.ok and any("missing" in p for p in report.problems)


def test_unsealed_bundles_cannot_be_signed(tmp_path: Path, keys: tuple[Path, Path, str]) -> None:
    bundle = Bundle.create(tmp_path / "b", MANIFEST)
    with pytest.raises(BundleError, match="seal"):
        bundle.sign(keys[0])


def test_keys_other_than_ed25519_are_refused(tmp_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path / "rsa.pem"
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    bundle = sealed_bundle(tmp_path)
    with pytest.raises(SigningError, match="Ed25519"):
        bundle.sign(path)
    (tmp_path / "junk.pem").write_text("not a key")
    with pytest.raises(SigningError):
        verify(bundle.root, tmp_path / "junk.pem")


def test_keygen_never_overwrites(tmp_path: Path, keys: tuple[Path, Path, str]) -> None:
    private, _, _ = keys
    assert private.stat().st_mode & 0o777 == 0o600
    with pytest.raises(SigningError, match="exists"):
        generate_keypair(private, tmp_path / "new.pub")


def test_openssl_checks_the_same_signature(tmp_path: Path, keys: tuple[Path, Path, str]) -> None:
    """A court without apptest can check the signature with OpenSSL alone."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    private, public, _ = keys
    bundle = sealed_bundle(tmp_path)
    sign_sums(bundle.root, private)
    result = subprocess.run(
        [
            openssl,
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            str(public),
            "-rawin",
            "-in",
            str(bundle.root / SUMS),
            "-sigfile",
            str(bundle.root / SIGNATURE),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if "rawin" in result.stderr and result.returncode != 0 and "Unknown" in result.stderr:
        pytest.skip("this OpenSSL has no -rawin (needs OpenSSL 3)")
    assert result.returncode == 0 and "Success" in result.stdout, result.stderr


def test_cli_seal_sign_verify(tmp_path: Path) -> None:
    private, public = tmp_path / "lab.pem", tmp_path / "lab.pub.pem"
    assert run_cli("keygen", str(private), str(public)).returncode == 0
    bundle = Bundle.create(tmp_path / "b", MANIFEST)
    bundle.add_phase(PhaseMark(mark="launch"))
    bundle.close()
    sealed = run_cli("seal", str(bundle.root), "--key", str(private), "--zip", str(tmp_path / "b.zip"))
    assert sealed.returncode == 0, sealed.stderr
    digest = bundle.sums_digest()
    assert digest and digest in sealed.stdout
    ok = run_cli("verify", str(bundle.root), "--public-key", str(public))
    assert ok.returncode == 0 and "signature: valid" in ok.stdout and digest in ok.stdout
    zipped = run_cli("verify", str(tmp_path / "b.zip"), "--public-key", str(public))
    assert zipped.returncode == 0, zipped.stdout + zipped.stderr
    (bundle.root / "phases.jsonl").write_bytes((bundle.root / "phases.jsonl").read_bytes().replace(b"launch", b"lunch"))
    bad = run_cli("verify", str(bundle.root), "--public-key", str(public))
    assert bad.returncode == 1 and "changed since sealing" in bad.stdout
    assert run_cli("verify", str(bundle.root), "--public-key", str(tmp_path / "none.pem")).returncode == 3
    assert run_cli("verify", str(bundle.root), "--format", "xml").returncode == 2


def test_killed_run_verify_says_when_the_intact_chain_ends(tmp_path: Path) -> None:
    """A run killed mid-write: the report names the line and time up to which evidence is proven."""
    bundle = Bundle.create(tmp_path / "b", MANIFEST)
    for n in range(4):
        bundle.add_phase(PhaseMark(mark="step:s", ts=f"2026-05-01T08:30:0{n}.000Z"))
    bundle.close()
    with open(bundle.root / "phases.jsonl", "ab") as handle:
        handle.write(b'{"ts": "2026-05-01T08:30:04.000Z", "ma')  # the process died here
    report = verify(bundle.root)
    stream = report.streams["phases.jsonl"]
    assert not report.sealed and stream["lines"] == 5 and stream["unreadable"] == 1
    assert stream["first_break"] is None
    assert stream["intact_until"] == "2026-05-01T08:30:03.000Z"
    shown = run_cli("verify", str(bundle.root))
    assert shown.returncode == 1 and "until 2026-05-01T08:30:03.000Z" in shown.stdout
