"""Ed25519 signatures over SHA256SUMS: a lab's key vouches for a whole sealed bundle.

SHA256SUMS already pins every evidence file; signing that one file with the lab's private
key proves *who* sealed it, and a court checks it with the lab's public key alone. The
signature is written as `SHA256SUMS.sig`: the raw 64-byte Ed25519 signature over the
exact bytes of SHA256SUMS, the same thing OpenSSL makes, so a reader without apptest can
check it too:

    openssl pkeyutl -verify -pubin -inkey lab.pub.pem -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig

Keys are PEM files (PKCS#8 private key, SubjectPublicKeyInfo public key), as
`openssl genpkey -algorithm ed25519` writes them; an OpenSSH `ssh-ed25519` public key line
is accepted too. Any other key type is refused: a signature scheme chosen per file would
let a forger pick the weakest.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from apptest.errors import UnreadableInput

SIGNATURE_SUFFIX = ".sig"
SIGNATURE_BYTES = 64


class SigningError(UnreadableInput):
    """A key that cannot be read or is not Ed25519 (the CLI exits 3 with this line)."""


def _read(path: Path, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise SigningError(f"{path}: cannot read the {what} ({exc.strerror or exc})") from exc


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """A lab's Ed25519 private key from an unencrypted PEM (or OpenSSH) file."""
    data = _read(path, "private key")
    key: Any
    try:
        if data.lstrip().startswith(b"-----BEGIN OPENSSH PRIVATE KEY"):
            key = serialization.load_ssh_private_key(data, password=None)
        else:
            key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise SigningError(f"{path}: not an unencrypted PEM private key ({exc})") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError(f"{path}: not an Ed25519 key (apptest signs with Ed25519 only)")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """A lab's Ed25519 public key from a PEM file or an `ssh-ed25519 …` line."""
    data = _read(path, "public key")
    key: Any
    try:
        if data.lstrip().startswith(b"ssh-"):
            key = serialization.load_ssh_public_key(data.strip())
        else:
            key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise SigningError(f"{path}: not a PEM public key ({exc})") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise SigningError(f"{path}: not an Ed25519 key (apptest verifies Ed25519 only)")
    return key


def key_fingerprint(key: Ed25519PublicKey | Ed25519PrivateKey) -> str:
    """`SHA256:<hex>` of the raw 32-byte public key: what a report prints to name the key."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "SHA256:" + hashlib.sha256(raw).hexdigest()


def generate_keypair(private_path: Path, public_path: Path) -> str:
    """Write a new key pair (private file mode 0600); refuses to overwrite. Returns the fingerprint."""
    private_path, public_path = Path(private_path), Path(public_path)
    for path in (private_path, public_path):
        if path.exists():
            raise SigningError(f"{path}: exists; a lab key is never overwritten")
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    private_path.parent.mkdir(parents=True, exist_ok=True)
    public_path.parent.mkdir(parents=True, exist_ok=True)
    private_path.touch(mode=0o600)
    private_path.write_bytes(private_pem)
    public_path.write_bytes(public_pem)
    return key_fingerprint(key)


def sign_bytes(data: bytes, key: Ed25519PrivateKey) -> bytes:
    return key.sign(data)


def signature_valid(data: bytes, signature: bytes, key: Ed25519PublicKey) -> bool:
    """True only for a 64-byte signature that `key` made over exactly `data`."""
    if len(signature) != SIGNATURE_BYTES:
        return False
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True
