"""`apptest capture`: run mitmproxy in-process with the apptest addon until Ctrl-C/SIGTERM.

The proxy runs in this process (not a `mitmdump` child) so that stopping it is one
signal and the bundle is sealed by the same code that wrote it. It prints what a tester
needs to point a phone at it; the CA note matters most: apps targeting API 24+ trust only
the system CA store, so installing mitmproxy's certificate as a user CA is not enough
(the app's traffic then shows up as `connects` with `inspected: false`).
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from apptest.errors import UnreadableInput

MODES = ("regular", "wireguard", "transparent")


class CaptureError(Exception):
    """The proxy could not start (port in use, bad option); the message is one line."""


DEFAULT_PORTS = {"regular": 8080, "wireguard": 51820, "transparent": 8080}


def parse_listen(text: str | None, mode: str = "regular") -> tuple[str, int]:
    """HOST:PORT (or None: every interface, the mode's usual port)."""
    if text is None:
        return "0.0.0.0", DEFAULT_PORTS.get(mode, 8080)
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        raise CaptureError(f"--listen {text!r}: expected HOST:PORT, e.g. 0.0.0.0:8080")
    return host.strip("[]"), int(port)


def system_ca_name(pem: Path) -> str:
    """The file name Android's system store expects: OpenSSL's subject_hash_old + `.0`."""
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(pem.read_bytes())
    digest = hashlib.md5(cert.subject.public_bytes()).digest()  # OpenSSL's legacy name hash, not security
    return f"{int.from_bytes(digest[:4], 'little'):08x}.0"


class Banner:
    """Prints, once the servers listen, how to point a phone at them."""

    def __init__(self, bundle: Path, out: IO[str]) -> None:
        self.bundle, self.out = bundle, out

    def running(self) -> None:
        from mitmproxy import ctx
        from mitmproxy.net import local_ip

        say = lambda text="": print(text, file=self.out, flush=True)  # noqa: E731
        say(f"apptest capture: recording into {self.bundle} (Ctrl-C or SIGTERM stops and seals it)")
        proxyserver: Any = ctx.master.addons.get("proxyserver")
        for server in proxyserver.servers:
            for host, port, *_ in server.listen_addrs:
                shown = host if host not in ("", "0.0.0.0", "::") else (local_ip.get_local_ip() or host)
                say(f"  listening: {server.mode.full_spec} on {host or '*'}:{port}")
                if server.mode.type_name == "regular":
                    say(f"  phone: Wi-Fi > proxy manual {shown}:{port}, or `adb shell settings put global")
                    say(f"         http_proxy {shown}:{port}`; over USB: `adb reverse tcp:{port} tcp:{port}`")
                    say(f"         and proxy 127.0.0.1:{port}. Apps that ignore the proxy: use --mode wireguard.")
                conf = getattr(server, "client_conf", lambda: None)()
                if conf:
                    # mitmproxy writes the configured address; the phone needs a reachable one
                    conf = re.sub(r"(?m)^Endpoint = .*$", f"Endpoint = {shown}:{port}", conf)
                    say("  phone: import this into the WireGuard app (all traffic, proxy settings ignored):")
                    say(conf.strip())
                if shown in ("127.0.0.1", "::1", "localhost"):
                    say("  (listening on loopback: a phone reaches it only through `adb reverse`; use 0.0.0.0)")
        pem = Path(ctx.options.confdir).expanduser() / "mitmproxy-ca-cert.pem"
        say(f"  CA certificate: {pem} (DER: {pem.with_suffix('.cer')})")
        name = system_ca_name(pem) if pem.exists() else "<subject_hash_old>.0"
        say("  Apps targeting API 24+ trust only system CAs: installing this as a user CA is not enough.")
        say(f"  On a rooted phone or emulator copy it to /system/etc/security/cacerts/{name}")
        say(f"  (Android 14+: /apex/com.android.conscrypt/cacerts/{name}), or bypass pinning with hooks.")
        say("  Hosts the proxy cannot read are recorded as connects with inspected: false.")


async def _serve(
    bundle: Path, listen: tuple[str, int], mode: str, confdir: Path | None, addon_options: dict[str, Any], out: IO[str]
) -> dict[str, int]:
    from mitmproxy import addons, exceptions, master, options
    from mitmproxy.addons import errorcheck, termlog

    from apptest.traffic.addon import Apptest

    opts = options.Options(listen_host=listen[0], listen_port=listen[1], mode=[mode])
    if confdir is not None:
        opts.update(confdir=str(confdir))
    proxy = master.Master(opts)
    proxy.addons.add(termlog.TermLog(out))
    proxy.addons.add(*addons.default_addons())
    proxy.addons.add(errorcheck.ErrorCheck(repeat_errors_on_stderr=True))
    addon = Apptest()
    proxy.addons.add(addon, Banner(bundle, out))
    try:
        opts.update(termlog_verbosity="warn", **addon_options)
    except exceptions.OptionsError as exc:
        if isinstance(exc.__cause__, UnreadableInput):  # a broken profile or bundle: exit 3, as everywhere
            raise exc.__cause__ from None
        raise CaptureError(str(exc).removeprefix("apptest: ")) from exc
    stats = addon.session.stats if addon.session is not None else None
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, proxy.shutdown)
    try:
        await proxy.run()
    except SystemExit as exc:  # mitmproxy's errorcheck exits when a server cannot start
        raise CaptureError("the proxy could not start (see the messages above)") from exc
    return dict(stats or {})


def run_capture(
    bundle: Path,
    device: Path | None,
    listen: str | None = None,
    mode: str = "regular",
    sinkhole: bool = False,
    operator_domains: Sequence[str] = (),
    profiles: Sequence[Path] = (),
    confdir: Path | None = None,
    out: IO[str] = sys.stderr,
) -> dict[str, int]:
    """Capture until stopped; the bundle is sealed when the proxy stops. Returns counts."""
    if mode not in MODES:
        raise CaptureError(f"--mode {mode!r}: choose one of {', '.join(MODES)}")
    if device is not None and not Path(device).is_file():
        raise UnreadableInput(f"{device}: no such device profile")
    addon_options = {
        "apptest_bundle": str(bundle),
        "apptest_device": str(device) if device else None,
        "apptest_operator_domains": list(operator_domains),
        "apptest_profiles": [str(p) for p in profiles],
        "apptest_sinkhole": sinkhole,
    }
    stats = asyncio.run(_serve(Path(bundle), parse_listen(listen, mode), mode, confdir, addon_options, out))
    print(
        f"apptest capture: sealed {bundle}: {stats.get('messages', 0)} messages, "
        f"{stats.get('detections', 0)} detections, {stats.get('uninspected', 0)} uninspected host events",
        file=out,
    )
    return stats
