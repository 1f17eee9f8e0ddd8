"""The JVM stand-in of an Android app, compiled once per session, and the means to drive it.

Frida's Java bridge works on HotSpot, so the real agent runs against Java classes named
and shaped like the android.* ones (tests/runtime/java), with callers in SDK packages and
in the app's. The program waits for a line on stdin before it does anything, so a test
attaches first and then says "go".

HotSpot needs two flags for frida to replace methods safely: `-Xshare:off` (methods of
classes from the shared archive are not replaced) and no JIT-compiled code
(`CompileCommand=exclude,*.*`: deoptimising compiled callers of a hooked JDK method hangs
the VM; `-Xint` would do too, but without compiler threads frida cannot unhook).
"""

from __future__ import annotations

import contextlib
import http.server
import queue
import shutil
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from apptest.evidence import Bundle
from apptest.knowledge import Knowledge
from apptest.runtime.config import HOOKABLE_JVM_FLAGS, HookOptions, agent_config
from apptest.runtime.events import EventMapper
from apptest.runtime.recorder import Recorder
from apptest.runtime.session import Tracer, manifest_facts

HERE = Path(__file__).resolve().parent
JVM_FLAGS = HOOKABLE_JVM_FLAGS
OKHTTP = (Path("/usr/share/java/okhttp.jar"), Path("/usr/share/java/okio.jar"))
PACKAGE = "com.example.rental"


@dataclass(frozen=True)
class JavaBuild:
    classes: Path
    late_jar: Path

    @property
    def classpath(self) -> str:
        return ":".join([str(self.classes), *map(str, OKHTTP)])


@pytest.fixture(scope="session")
def java_build(tmp_path_factory: pytest.TempPathFactory) -> JavaBuild:
    """javac the stand-ins and the app; the late SDK goes into a jar of its own."""
    javac, jar = shutil.which("javac"), shutil.which("jar")
    if javac is None or jar is None:
        pytest.skip("needs a JDK (javac, jar)")
    missing = [str(p) for p in OKHTTP if not p.exists()]
    if missing:
        pytest.skip(f"needs Debian's libokhttp-java ({', '.join(missing)})")
    root = tmp_path_factory.mktemp("java")
    classes, late = root / "classes", root / "late"
    main_sources = sorted(str(p) for p in (HERE / "java").rglob("*.java"))
    late_sources = sorted(str(p) for p in (HERE / "java_late").rglob("*.java"))
    cp = ":".join(map(str, OKHTTP))
    subprocess.run([javac, "-nowarn", "-d", str(classes), "-cp", cp, *main_sources], check=True)
    subprocess.run([javac, "-nowarn", "-d", str(late), "-cp", str(classes), *late_sources], check=True)
    late_jar = root / "late-sdk.jar"
    subprocess.run([jar, "cf", str(late_jar), "-C", str(late), "."], check=True)
    return JavaBuild(classes, late_jar)


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return Knowledge.load()


class StandIn:
    """A JVM running one of the stand-in programs, its stdout read line by line."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        ready = self.expect("ready ", timeout=30)
        self.pid = int(ready.split()[1])

    @classmethod
    def start(
        cls, build: JavaBuild, main: str, args: Sequence[str] = (), props: dict[str, str] | None = None
    ) -> StandIn:
        java = shutil.which("java")
        assert java is not None
        command = [java, *JVM_FLAGS, "-cp", build.classpath]
        command += [f"-D{key}={value}" for key, value in (props or {}).items()]
        command += [main, *args]
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        return cls(process)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def say(self, text: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()

    def expect(self, prefix: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no line starting {prefix!r} within {timeout}s; got {self.output}") from None
            if line is None:
                raise AssertionError(f"stand-in ended before {prefix!r}; got {self.output}")
            self.output.append(line)
            if line.startswith(prefix):
                return line

    def close(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(BrokenPipeError, OSError):
                self.say("exit")
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@dataclass
class Traced:
    bundle: Bundle
    recorder: Recorder
    tracer: Tracer
    started: datetime
    said: list[str]


@contextlib.contextmanager
def traced(
    root: Path,
    knowledge: Knowledge,
    options: HookOptions | None = None,
    runtime_hooks: Sequence[dict[str, Any]] | None = None,
) -> Iterator[Traced]:
    """A recorder and a tracer on the local frida device, into a new bundle sealed at the end;
    `runtime_hooks` replaces the profile's permission-result and bypass targets."""
    import frida

    options = options or HookOptions()
    facts = manifest_facts(str(frida.__version__), options)
    bundle = Bundle.create(root, {"apk": {"package": PACKAGE, "sha256": "unknown"}, **facts})
    recorder = Recorder(bundle, EventMapper.from_knowledge(knowledge, PACKAGE))
    said: list[str] = []
    hooks = knowledge.runtime_hooks if runtime_hooks is None else runtime_hooks
    config = agent_config(knowledge.apis, options, hooks)
    tracer = Tracer(frida.get_local_device(), recorder, config, None, said.append)
    run = Traced(bundle, recorder, tracer, datetime.now(UTC) - timedelta(milliseconds=5), said)
    try:
        yield run
    finally:
        tracer.stop()
        recorder.close()
        bundle.update_manifest({"runtime": recorder.summary()})
        bundle.seal()


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


@dataclass(frozen=True)
class Server:
    port: int
    cert: Path | None = None


@pytest.fixture(scope="session")
def http_server() -> Iterator[Server]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield Server(server.server_address[1])
    server.shutdown()


@pytest.fixture(scope="session")
def https_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A local HTTPS server with a self-signed certificate for 127.0.0.1."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "server.pem", folder / "server.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield Server(server.server_address[1], cert_path)
    server.shutdown()
