"""The `apptest` command: parse arguments, call one function per command, map exit codes.

Exit codes mean the same in every command: 0 done, 1 findings at or above --fail-on
(judging commands), 2 usage error, 3 unreadable input. Heavy libraries (androguard,
mitmproxy, frida) are imported inside the command that needs them, so `apptest --help`
and `apptest static` start fast and never load the proxy or the instrumentation.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from apptest.errors import UnreadableInput

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_UNREADABLE = 0, 1, 2, 3

app = typer.Typer(
    name="apptest",
    help=(
        "Test an Android app for personal-information compliance: what it asks for (static), "
        "what it touches (runtime hooks), what it sends (traffic), judged against the "
        "necessary-scope rules of its category."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

ProfilesOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--profiles",
        help="A lab's own profile folder that overrides or extends the built-in one.",
        show_default=False,
    ),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "-o", "--output", help="Folder for reports; without it JSON goes to stdout.", show_default=False
    ),
]


def fail(message: str, code: int = EXIT_UNREADABLE) -> NoReturn:
    """One line on stderr and the documented exit code; never a traceback."""
    typer.echo(f"apptest: error: {message}", err=True)
    raise typer.Exit(code)


def emit_json(obj: Any, output: Path | None, filename: str) -> None:
    text = json.dumps(obj, ensure_ascii=False, indent=2)
    if output is None:
        typer.echo(text)
        return
    output.mkdir(parents=True, exist_ok=True)
    (output / filename).write_text(text + "\n", encoding="utf-8")
    typer.echo(f"wrote {output / filename}", err=True)


def load_knowledge(profiles: list[Path] | None) -> Any:
    from apptest.knowledge import Knowledge

    return Knowledge.load(profiles or [])


@app.command()
def static(
    apk: Annotated[
        Path | None, typer.Argument(help="The .apk, .apks or .xapk to analyse.", show_default=False)
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="json or table.")] = "json",
    output: OutputOpt = None,
    bundle: Annotated[
        Path | None,
        typer.Option(
            "--bundle", help="Also write static.json into this evidence bundle.", show_default=False
        ),
    ] = None,
    sample: Annotated[
        bool, typer.Option("--sample", help="Analyse the sample APK shipped with apptest.")
    ] = False,
    profiles: ProfilesOpt = None,
) -> None:
    """List permissions, sensitive API call sites and who calls them, SDKs, auto-start
    components and packers, from the APK alone (presence evidence, not proof of use)."""
    from apptest.static.render import render_table
    from apptest.static.scan import sample_apk, scan_to_bundle

    if fmt not in ("json", "table"):
        fail(f"--format {fmt!r}: choose json or table", EXIT_USAGE)
    if sample:
        apk = sample_apk()
    if apk is None:
        fail("give an APK path, or --sample", EXIT_USAGE)
    knowledge = load_knowledge(profiles)
    result = scan_to_bundle(apk, knowledge, bundle, progress=sys.stderr.isatty())
    if fmt == "table":
        render_table(result)
    else:
        emit_json(result, output, "static.json")


@app.command()
def verify(
    bundle: Annotated[Path, typer.Argument(help="The evidence bundle folder to check.")],
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """Check a bundle's SHA256SUMS and the hash chain of every stream; an unsealed bundle
    (a killed run) is checked up to its last intact line. Exit 1 when anything is wrong."""
    from apptest.evidence import verify as verify_bundle

    report = verify_bundle(bundle)
    if fmt == "json":
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        state = "sealed" if report.sealed else "NOT sealed"
        typer.echo(f"{bundle}: {state}, {'OK' if report.ok else 'PROBLEMS FOUND'}")
        for name, info in report.streams.items():
            typer.echo(
                f"  {name}: {info['lines']} lines, chain intact for {info['intact_lines']}"
                + (f", first break at line {info['first_break']}" if info["first_break"] else "")
                + (f", {info['unreadable']} unreadable" if info["unreadable"] else "")
            )
        for problem in report.problems:
            typer.echo(f"  - {problem}")
    if not report.ok:
        raise typer.Exit(EXIT_FINDINGS)


def main() -> None:
    """Entry point: run the Typer app and turn unreadable input into exit 3 with one line."""
    from loguru import logger

    logger.disable("androguard")
    try:
        app()
    except UnreadableInput as exc:
        typer.echo(f"apptest: error: {exc}", err=True)
        sys.exit(EXIT_UNREADABLE)
    except KeyboardInterrupt:
        typer.echo("apptest: interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
