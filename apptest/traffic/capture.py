"""`apptest capture`: run mitmproxy in-process with the apptest addon until Ctrl-C/SIGTERM.

The proxy runs in this process (not a `mitmdump` child) so that stopping it is one
signal and the bundle is sealed by the same code that wrote it. It prints what a tester
needs to point a phone at it; the CA note matters most: apps targeting API 24+ trust only
the system CA store, so installing mitmproxy's certificate as a user CA is not enough
(the app's traffic then shows up as `connects` with `inspected: false`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from apptest.errors import UnreadableInput

MODES = ("regular", "wireguard", "transparent")


class CaptureError(Exception):
    """The proxy could not start (port in use, bad option); the message is one line."""


class CaptureFailed(UnreadableInput):
    """A run's proxy could not start (port in use) or stopped with an error: one line, exit 3."""


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
                if server.mode.type_name == "transparent":
                    say("  phone: route its traffic through this machine (this machine as its gateway: a hotspot,")
                    say("         or a static Wi-Fi gateway), then redirect web ports here, as root:")
                    say("         sysctl -w net.ipv4.ip_forward=1")
                    say("         iptables -t nat -A PREROUTING -i IFACE -p tcp -m multiport --dports 80,443 \\")
                    say(f"           -j REDIRECT --to-port {port}")
                    say("         (IFACE: the interface the phone is on; ip6tables the same for IPv6).")
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


def addon_options(
    bundle: Path,
    device: Path | None,
    operator_domains: Sequence[str] = (),
    profiles: Sequence[Path] = (),
    sinkhole: bool = False,
    seal: bool = True,
) -> dict[str, Any]:
    """The addon's mitmproxy options for a capture into `bundle`."""
    return {
        "apptest_bundle": str(bundle),
        "apptest_device": str(device) if device else None,
        "apptest_operator_domains": list(operator_domains),
        "apptest_profiles": [str(p) for p in profiles],
        "apptest_sinkhole": sinkhole,
        "apptest_seal": seal,
    }


def _proxy(listen: tuple[str, int], mode: str, confdir: Path | None, *first: Any) -> tuple[Any, Any]:
    """A mitmproxy master with the default addons and apptest's (options not yet applied)."""
    from mitmproxy import addons, master, options

    from apptest.traffic.addon import Apptest

    opts = options.Options(listen_host=listen[0], listen_port=listen[1], mode=[mode])
    if confdir is not None:
        opts.update(confdir=str(confdir))
    proxy = master.Master(opts)
    proxy.addons.add(*first, *addons.default_addons())
    addon = Apptest()
    proxy.addons.add(addon)
    return proxy, addon


async def _serve(
    bundle: Path, listen: tuple[str, int], mode: str, confdir: Path | None, addon_options: dict[str, Any], out: IO[str]
) -> dict[str, int]:
    from mitmproxy import exceptions
    from mitmproxy.addons import errorcheck, termlog

    proxy, addon = _proxy(listen, mode, confdir, termlog.TermLog(out))
    proxy.addons.add(errorcheck.ErrorCheck(repeat_errors_on_stderr=True), Banner(bundle, out))
    try:
        proxy.options.update(termlog_verbosity="warn", **addon_options)
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
    options = addon_options(bundle, device, operator_domains, profiles, sinkhole)
    stats = asyncio.run(_serve(Path(bundle), parse_listen(listen, mode), mode, confdir, options, out))
    print(
        f"apptest capture: sealed {bundle}: {stats.get('messages', 0)} messages, "
        f"{stats.get('detections', 0)} detections, {stats.get('uninspected', 0)} uninspected host events",
        file=out,
    )
    return stats


class CaptureThread:
    """mitmproxy with apptest's addon in a thread of this process, stopped by `stop()`.

    `apptest capture` owns the main thread and its signals; a run needs the proxy beside
    the scenario, so the same addon runs here on its own event loop. It does not seal:
    the conductor seals once every collector has stopped.
    """

    def __init__(
        self,
        bundle: Path,
        device_profile: Path | None,
        profiles: Sequence[Path] = (),
        operator_domains: Sequence[str] = (),
        sinkhole: bool = False,
        listen: tuple[str, int] = ("127.0.0.1", 8080),
        confdir: Path | None = None,
    ) -> None:
        self.addon_options = addon_options(bundle, device_profile, operator_domains, profiles, sinkhole, seal=False)
        self.listen = listen
        self.confdir = confdir
        self.port: int | None = None
        self.error: BaseException | None = None
        self.stats: dict[str, int] = {}
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="apptest-capture", daemon=True)
        self._loop: Any = None
        self._master: Any = None
        self._session_stats: Any = None

    def start(self, timeout: float = 30) -> int:
        self._thread.start()
        if not self._ready.wait(timeout) or self.port is None:
            with contextlib.suppress(CaptureFailed):
                self.stop()
            where = f"{self.listen[0]}:{self.listen[1]}"
            raise CaptureFailed(f"the proxy did not start on {where}: {self.error or 'timeout'}")
        return self.port

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # reported by start() / stop()
            self.error = exc
        finally:
            self._ready.set()

    async def _serve(self) -> None:
        proxy, addon = _proxy(self.listen, "regular", self.confdir)
        proxy.addons.add(_Listening(self))
        proxy.options.update(**self.addon_options)
        self._session_stats = addon.session.stats if addon.session is not None else None
        self._loop, self._master = asyncio.get_running_loop(), proxy
        self._loop.set_exception_handler(_quiet_on_shutdown)
        await proxy.run()

    def stop(self) -> dict[str, int]:
        if self._loop is not None and self._master is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._master.shutdown)
        if self._thread.is_alive():
            self._thread.join(30)
        self.stats = dict(self._session_stats or {})
        if self.error is not None and not isinstance(self.error, SystemExit):
            raise CaptureFailed(str(self.error))
        return self.stats


def _quiet_on_shutdown(loop: Any, context: dict[str, Any]) -> None:
    """Connections still open when the proxy stops end as cancelled tasks: not an error."""
    if isinstance(context.get("exception"), asyncio.CancelledError):
        return
    loop.default_exception_handler(context)


class _Listening:
    """Tells the run the proxy's real port once its servers listen (port 0 = any)."""

    def __init__(self, owner: CaptureThread) -> None:
        self.owner = owner

    def running(self) -> None:
        from mitmproxy import ctx

        proxyserver: Any = ctx.master.addons.get("proxyserver")
        ports = [addr[1] for server in proxyserver.servers for addr in server.listen_addrs]
        self.owner.port = ports[0] if ports else None
        if not ports:
            self.owner.error = CaptureFailed("no proxy server is listening (port in use?)")
        self.owner._ready.set()
