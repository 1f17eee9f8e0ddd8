"""mitmproxy's CA into a rooted phone's system trust store, and out again.

Apps targeting API 24+ ignore user-installed CAs, so interception of their HTTPS needs
the CA in the *system* store. The store is read-only; the usual method, used here, lays a
tmpfs over it holding the existing CAs plus ours. Nothing on the phone's partitions is
changed and a reboot undoes it; `remove_script` undoes it without a reboot.

Android 14 reads CAs from the Conscrypt APEX (`/apex/com.android.conscrypt/cacerts`),
which every app process sees through its own mount namespace: the tmpfs is bind-mounted
over the APEX folder inside zygote's namespaces and those of running apps.
UNVERIFIED here (no phone on the build machine): the commands follow the method public
tools use for Android 7-15; `apptest run` reads the store back after installing and says
plainly when the CA is not there.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from cryptography import x509

SYSTEM_STORE = "/system/etc/security/cacerts"
APEX_STORE = "/apex/com.android.conscrypt/cacerts"
APEX_FROM_SDK = 34
STAGING = "/data/local/tmp/apptest-cacerts"
REMOTE_CERT = "/data/local/tmp/apptest-ca.pem"


def default_ca_path() -> Path:
    """mitmproxy's CA certificate in its default configuration folder."""
    return Path.home() / ".mitmproxy" / "mitmproxy-ca-cert.pem"


def subject_hash_old(pem: bytes) -> str:
    """OpenSSL's `x509 -subject_hash_old`: the file name Android gives a CA (`<hash>.0`).

    MD5 of the DER-encoded subject, first four bytes read little-endian, as 8 hex digits.
    """
    cert = x509.load_pem_x509_certificate(pem)
    digest = hashlib.md5(cert.subject.public_bytes(), usedforsecurity=False).digest()
    return f"{int.from_bytes(digest[:4], 'little'):08x}"


def store_for(sdk: int) -> str:
    return APEX_STORE if sdk >= APEX_FROM_SDK else SYSTEM_STORE


def install_script(cert_name: str, sdk: int) -> str:
    """A `sh` script run as root: tmpfs over the store with the old CAs plus ours."""
    lines = [
        "set -e",
        f"rm -rf {STAGING} && mkdir -p -m 700 {STAGING}",
        f"cp {store_for(sdk)}/* {STAGING}/",
        f"cp {REMOTE_CERT} {STAGING}/{cert_name}",
        f"mount -t tmpfs tmpfs {SYSTEM_STORE}",
        f"cp {STAGING}/* {SYSTEM_STORE}/",
        f"chown root:root {SYSTEM_STORE}/*",
        f"chmod 644 {SYSTEM_STORE}/*",
        f"chcon u:object_r:system_file:s0 {SYSTEM_STORE}/*",
        f"rm -rf {STAGING}",
    ]
    if sdk >= APEX_FROM_SDK:
        lines += [
            "set +e",
            "for z in $(pidof zygote) $(pidof zygote64); do",
            f"  nsenter --mount=/proc/$z/ns/mnt -- /bin/mount --bind {SYSTEM_STORE} {APEX_STORE}",
            "  for p in $(ps -o PID= -P $z); do",
            f"    nsenter --mount=/proc/$p/ns/mnt -- /bin/mount --bind {SYSTEM_STORE} {APEX_STORE}",
            "  done",
            "done",
        ]
    return "\n".join(lines) + "\n"


def remove_script(sdk: int) -> str:
    """Undo `install_script`: unmount the overlays (app namespaces first, then the store)."""
    lines = ["set +e"]
    if sdk >= APEX_FROM_SDK:
        lines += [
            "for z in $(pidof zygote) $(pidof zygote64); do",
            "  for p in $(ps -o PID= -P $z); do",
            f"    nsenter --mount=/proc/$p/ns/mnt -- /bin/umount {APEX_STORE}",
            "  done",
            f"  nsenter --mount=/proc/$z/ns/mnt -- /bin/umount {APEX_STORE}",
            "done",
        ]
    lines += [f"umount {SYSTEM_STORE}", f"rm -f {REMOTE_CERT}"]
    return "\n".join(lines) + "\n"


def check_command(cert_name: str, sdk: int) -> str:
    """`ls` of our CA in the store apps read; prints the path when it is there."""
    return f"ls {store_for(sdk)}/{cert_name}"
