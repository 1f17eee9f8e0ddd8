"""Signing-certificate fingerprints: which key signed the APK a lab tested.

A court asks whether the app tested is the app on the store; the APK hash answers for one
build, the signing certificate for the publisher across builds. androguard reads the v1
(JAR), v2 and v3 signature schemes; a damaged signature block is reported, not fatal.
"""

from __future__ import annotations

import hashlib
import warnings
from typing import Any

from apptest.static.container import Container


def signing_certificates(container: Container) -> list[dict[str, Any]]:
    """SHA-256/SHA-1 fingerprints and subject of each distinct signing certificate."""
    from androguard.core.apk import APK

    base = container.base
    if not base.raw or base._zip is None:
        return []
    try:
        apk = APK(base.raw, raw=True)
        ders = list(apk.get_certificates_der_v3() or []) + list(apk.get_certificates_der_v2() or [])
        if not ders:
            ders = [c.dump() for c in apk.get_certificates_v1() or []]
        certs = {hashlib.sha256(d).hexdigest(): d for d in ders}
        rows = []
        for digest, der in sorted(certs.items()):
            subject = issuer = None
            try:
                from cryptography import x509

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    cert = x509.load_der_x509_certificate(der)
                    subject, issuer = cert.subject.rfc4514_string(), cert.issuer.rfc4514_string()
            except ValueError:
                pass
            rows.append(
                {
                    "sha256": digest,
                    "sha1": hashlib.sha1(der).hexdigest(),
                    "subject": subject,
                    "issuer": issuer,
                }
            )
        return rows
    except Exception as exc:  # androguard raises assorted errors on damaged signature blocks
        container.errors.append(f"signature: unreadable ({exc.__class__.__name__})")
        return []
