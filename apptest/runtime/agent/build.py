"""Build `_agent.js`, the agent bundle apptest ships, from `src/` with frida's own compiler.

Frida 17 no longer carries the Java bridge inside its runtime, so the agent is bundled with
`frida-java-bridge` (pinned in package.json / package-lock.json). npm is needed only here,
to fetch the bridge (`npm ci --ignore-scripts`: the `frida` npm packages download binaries
at install, which fails offline); the compiler is the one in the `frida` Python package.
Users never need Node.js: `_agent.js` and `_agent.meta.json` are committed package data.

`_agent.meta.json` records the SHA-256 of the sources the bundle was built from and of the
bundle itself; `tests/runtime/test_agent_bundle.py` fails when they no longer match, so a
source change without a rebuild cannot be committed unnoticed.

    python3 apptest/runtime/agent/build.py          # rebuild
    python3 apptest/runtime/agent/build.py --check  # exit 1 if the committed bundle is stale
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUNDLE = HERE / "_agent.js"
META = HERE / "_agent.meta.json"
ENTRY = HERE / "src" / "index.ts"
SOURCE_FILES = ("package.json", "package-lock.json", "tsconfig.json")


def source_files() -> list[Path]:
    """Everything the bundle is built from, in a fixed order."""
    return sorted(HERE.glob("src/**/*.ts")) + [HERE / name for name in SOURCE_FILES]


def source_sha256() -> str:
    digest = hashlib.sha256()
    for path in source_files():
        digest.update(path.relative_to(HERE).as_posix().encode() + b"\0")
        digest.update(path.read_bytes().replace(b"\r\n", b"\n") + b"\0")
    return digest.hexdigest()


def bridge_version() -> str:
    lock = json.loads((HERE / "package-lock.json").read_text("utf-8"))
    return str(lock["packages"]["node_modules/frida-java-bridge"]["version"])


def ensure_bridge() -> None:
    if (HERE / "node_modules" / "frida-java-bridge" / "package.json").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is needed once to fetch frida-java-bridge (node_modules/ is not committed)")
    subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=HERE, check=True)


def compile_bundle() -> str:
    import frida

    ensure_bridge()
    compiler = frida.Compiler()
    problems: list[str] = []
    compiler.on("diagnostics", lambda diagnostics: problems.extend(str(d) for d in diagnostics))
    try:
        bundle: str = compiler.build(
            str(ENTRY.relative_to(HERE)),
            project_root=str(HERE),
            source_maps="omitted",
            compression="none",
            type_check="full",
        )
    except frida.InvalidArgumentError as exc:
        raise SystemExit("agent does not compile:\n" + "\n".join(problems or [str(exc)])) from exc
    if problems:
        raise SystemExit("agent does not type-check:\n" + "\n".join(problems))
    return bundle


def meta_for(bundle: str) -> dict[str, str]:
    import frida

    return {
        "source_sha256": source_sha256(),
        "bundle_sha256": hashlib.sha256(bundle.encode("utf-8")).hexdigest(),
        "frida_java_bridge": bridge_version(),
        "built_with_frida": str(frida.__version__),
    }


def build() -> dict[str, str]:
    bundle = compile_bundle()
    BUNDLE.write_text(bundle, encoding="utf-8", newline="\n")
    meta = meta_for(bundle)
    META.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the bundle matches the sources")
    args = parser.parse_args(argv)
    if args.check:
        meta = json.loads(META.read_text("utf-8"))
        stale = meta.get("source_sha256") != source_sha256()
        changed = meta.get("bundle_sha256") != hashlib.sha256(BUNDLE.read_bytes()).hexdigest()
        if stale or changed:
            print("agent bundle is stale: run python3 apptest/runtime/agent/build.py", file=sys.stderr)
            return 1
        return 0
    meta = build()
    print(f"wrote {BUNDLE.name} ({meta['bundle_sha256'][:12]}) from sources {meta['source_sha256'][:12]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
