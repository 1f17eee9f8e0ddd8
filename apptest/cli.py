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
    rich_markup_mode="markdown",
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
    bundle: Annotated[Path, typer.Argument(help="The evidence bundle folder or bundle .zip to check.")],
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    public_key: Annotated[
        Path | None,
        typer.Option(
            "--public-key",
            help="The lab's Ed25519 public key (PEM): also check SHA256SUMS.sig against it.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check a bundle's SHA256SUMS, its signature (with --public-key) and the hash chain of
    every stream; an unsealed bundle (a killed run) is checked up to its last intact line.
    Exit 1 when anything is wrong, 3 when the bundle or key cannot be read."""
    from apptest.evidence import verify as verify_bundle

    if fmt not in ("table", "json"):
        fail(f"--format {fmt!r}: choose table or json", EXIT_USAGE)
    report = verify_bundle(bundle, public_key)
    if fmt == "json":
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        state = "sealed" if report.sealed else "NOT sealed"
        typer.echo(f"{bundle}: {state}, {'OK' if report.ok else 'PROBLEMS FOUND'}")
        if report.sums_sha256:
            typer.echo(f"  SHA256SUMS digest: {report.sums_sha256}")
        sig = report.signature
        if sig.get("checked"):
            typer.echo(f"  signature: {'valid' if sig.get('valid') else 'INVALID'} (key {sig.get('key')})")
        elif sig.get("present"):
            typer.echo("  signature: present, not checked (give --public-key)")
        for name, info in report.streams.items():
            typer.echo(
                f"  {name}: {info['lines']} lines, chain intact for {info['intact_lines']}"
                + (f" (until {info['intact_until']})" if info.get("intact_until") else "")
                + (f", first break at line {info['first_break']}" if info["first_break"] else "")
                + (f", {info['unreadable']} unreadable" if info["unreadable"] else "")
            )
        for problem in report.problems:
            typer.echo(f"  - {problem}")
    if not report.ok:
        raise typer.Exit(EXIT_FINDINGS)


# --- judging: analyze, scan, profiles ---------------------------------------------------
CategoryOpt = Annotated[
    str,
    typer.Option(
        "--category",
        help="Category slug or Chinese name (apptest profiles list); A,B for an app that is both.",
    ),
]
FailOnOpt = Annotated[
    str,
    typer.Option(
        "--fail-on",
        help="Exit 1 when a finding at or above this severity remains: high, medium, low, info, none.",
    ),
]
JudgeFormatOpt = Annotated[
    str,
    typer.Option(
        "--format",
        help="json, html, md, sarif, xlsx (several: html,md). Without -o, json prints the judgement itself; "
        "with -o, report.json is the report document that every other format renders from.",
    ),
]
SuppressOpt = Annotated[
    Path | None,
    typer.Option(
        "--suppress",
        help="Suppression file: waive findings by fingerprint, with a justification.",
        show_default=False,
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", help="Judging settings: rule thresholds, traffic join window.", show_default=False),
]
JUDGE_SEVERITIES = ("high", "medium", "low", "info", "none")


def _check_judge_options(fmt: str, fail_on: str, output: Path | None) -> None:
    from apptest.report.write import parse_formats

    if fail_on not in JUDGE_SEVERITIES:
        fail(f"--fail-on {fail_on!r}: choose one of {', '.join(JUDGE_SEVERITIES)}", EXIT_USAGE)
    try:
        formats = parse_formats(fmt)
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)
    if output is None and (len(formats) > 1 or "xlsx" in formats):
        fail(f"--format {fmt}: several formats, or xlsx, need -o DIR", EXIT_USAGE)


def _emit_judgement(
    judgement: dict[str, Any], bundle: Path, knowledge: Any, fmt: str, output: Path | None, fail_on: str
) -> None:
    """Print or write the judgement: JSON to stdout, or report files through `apptest.report`."""
    from apptest.report import render, write_reports
    from apptest.rules.judge import at_or_above

    if output is not None:
        for path in write_reports(judgement, bundle, fmt, output, knowledge=knowledge):
            typer.echo(f"wrote {path}", err=True)
    elif fmt == "json":
        typer.echo(json.dumps(judgement, ensure_ascii=False, indent=2))
    else:
        rendered = render(judgement, fmt, bundle=bundle, knowledge=knowledge)
        typer.echo(rendered if isinstance(rendered, str) else rendered.decode("utf-8"))
    if at_or_above(judgement["findings"], fail_on):
        raise typer.Exit(EXIT_FINDINGS)


@app.command()
def analyze(
    bundle: Annotated[Path, typer.Argument(help="The evidence bundle folder to judge.")],
    category: CategoryOpt,
    fmt: JudgeFormatOpt = "json",
    output: OutputOpt = None,
    fail_on: FailOnOpt = "high",
    suppress: SuppressOpt = None,
    manual: Annotated[
        Path | None,
        typer.Option(
            "--manual",
            help="Manual results (item, verdict, tester, note, evidence files copied into the bundle).",
            show_default=False,
        ),
    ] = None,
    policy: Annotated[
        list[Path] | None,
        typer.Option(
            "--policy",
            help="The app's privacy policy (HTML, Markdown or text): collected into the bundle first "
            "(as `apptest policy FILE --bundle BUNDLE` does; under derived/policy/ for a sealed bundle, "
            "whose seal stays as it was), then judged from there.",
            show_default=False,
        ),
    ] = None,
    config: ConfigOpt = None,
    profiles: ProfilesOpt = None,
) -> None:
    """Judge an evidence bundle against a category: findings with evidence and citations, a
    verdict (passed / failed / unchecked) for every rule, and the coverage of the
    identification method. Any bundle that follows the documented contract is accepted."""
    from apptest.rules.analyze import analyze_bundle

    _check_judge_options(fmt, fail_on, output)
    knowledge = load_knowledge(profiles)
    if policy:
        from apptest.policy.command import collect

        collect(bundle, policy, knowledge)
    judgement = analyze_bundle(
        bundle, knowledge, category, config_path=config, suppress_path=suppress, manual_path=manual
    )
    _emit_judgement(judgement, bundle, knowledge, fmt, output, fail_on)


@app.command()
def scan(
    apk: Annotated[Path, typer.Argument(help="The .apk, .apks or .xapk to judge from its contents alone.")],
    category: CategoryOpt,
    bundle: Annotated[
        Path | None,
        typer.Option(
            "--bundle",
            help="Write the evidence bundle here (default: OUTPUT/bundle with -o, else a temporary folder).",
            show_default=False,
        ),
    ] = None,
    fmt: JudgeFormatOpt = "json",
    output: OutputOpt = None,
    fail_on: FailOnOpt = "high",
    suppress: SuppressOpt = None,
    config: ConfigOpt = None,
    profiles: ProfilesOpt = None,
) -> None:
    """Static-only judgement: scan the APK into an evidence bundle, collect the privacy policy
    the APK ships (its policy assets), then judge it. Rules that need runtime or traffic
    evidence say unchecked, never passed."""
    import tempfile

    from apptest.rules.analyze import analyze_bundle
    from apptest.rules.judge import resolve_categories
    from apptest.static.scan import scan_to_bundle

    _check_judge_options(fmt, fail_on, output)
    knowledge = load_knowledge(profiles)
    resolve_categories(knowledge, category)  # an unknown category fails before the long scan
    with tempfile.TemporaryDirectory(prefix="apptest-scan-") as scratch:
        target = bundle or (output / "bundle" if output else Path(scratch) / "bundle")
        scan_to_bundle(apk, knowledge, target, progress=sys.stderr.isatty())
        _collect_shipped_policy(target, apk, knowledge)
        judgement = analyze_bundle(target, knowledge, category, config_path=config, suppress_path=suppress)
        _emit_judgement(judgement, target, knowledge, fmt, output, fail_on)


def _collect_shipped_policy(bundle: Path, apk: Path, knowledge: Any) -> None:
    """The policy the APK ships, into the still-open bundle before judging, so the policy
    rules compare the APK's own text with its code instead of saying unchecked.

    Only the APK's assets: a scan has no traffic to take captured pages from. Notes go to
    stderr, since stdout may be the judgement's JSON; an unreadable asset is a note, not a
    failure, as in a live run (the judge then says what it lacked).
    """
    from apptest.policy.command import collect

    result = collect(bundle, [], knowledge, captured=False, apk=apk)
    for c in result["collected"] + result["passed_over"]:
        if c.get("skipped"):
            typer.echo(f"[policy] {c['file']}: {c['skipped']}", err=True)
        else:
            found = c.get("summary") or {}
            typer.echo(
                f"[policy] {c['file']}: shipped in the APK, {len(found.get('data_types') or [])} data types, "
                f"{len(found.get('sdks') or [])} SDKs declared",
                err=True,
            )
    for error in result["errors"]:
        typer.echo(f"[policy] {error}", err=True)
    if not result["collected"]:
        typer.echo("[policy] none collected: no privacy policy read from the APK", err=True)


profiles_cli = typer.Typer(
    help="List, show and validate the knowledge profiles (categories, rules, citations).",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
app.add_typer(profiles_cli, name="profiles")
PROFILE_KINDS = ("categories", "rules", "citations", "coverage")


@profiles_cli.command("list")
def profiles_list(
    kind: Annotated[str, typer.Option("--kind", help="categories, rules, citations or coverage.")] = "categories",
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    profiles: ProfilesOpt = None,
) -> None:
    """List the categories (default), rules, citations or coverage items."""
    from apptest.rules.catalog import profile_rows

    if kind not in PROFILE_KINDS:
        fail(f"--kind {kind!r}: choose one of {', '.join(PROFILE_KINDS)}", EXIT_USAGE)
    rows = profile_rows(load_knowledge(profiles), kind)
    if fmt == "json":
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        typer.echo("  ".join(str(v) for v in row.values()))


@profiles_cli.command("show")
def profiles_show(
    item_id: Annotated[str, typer.Argument(help="A category (slug or Chinese name), rule, citation or data type id.")],
    profiles: ProfilesOpt = None,
) -> None:
    """Print one profile item as YAML."""
    import yaml

    from apptest.rules.catalog import find_item

    kind, item = find_item(load_knowledge(profiles), item_id)
    typer.echo(f"# {kind}: {item_id}")
    typer.echo(yaml.safe_dump(item, allow_unicode=True, sort_keys=False, width=100).rstrip())


@profiles_cli.command("validate")
def profiles_validate(
    path: Annotated[
        Path | None,
        typer.Argument(help="A lab's profile folder to check on top of the built-in one.", show_default=False),
    ] = None,
) -> None:
    """Load and check every profile (schemas, cross-references, rule conditions, coverage,
    policy lexicon, device profiles, scenarios); the first problem is one line naming the
    file and the key, exit 3."""
    from apptest.rules.catalog import validate_profiles

    knowledge = load_knowledge([path] if path else None)
    counts = {**validate_profiles(knowledge), **_validate_stage_profiles(knowledge)}
    typer.echo("profiles OK: " + ", ".join(f"{n} {part}" for part, n in counts.items()))


def _validate_stage_profiles(knowledge: Any) -> dict[str, int]:
    """The profile files a stage reads with its own loader, loaded by that same loader, so a
    file that passes here cannot fail later in a capture, a policy check or a run."""
    from apptest.device.settings import load_settings
    from apptest.policy import lexicon
    from apptest.scenario.loader import load_scenario
    from apptest.traffic.config import DeviceConfig

    policy_lexicon = lexicon.load(knowledge)
    for device_path in knowledge.device_paths.values():
        DeviceConfig.load(knowledge, device_path)
        load_settings(knowledge, device_path)
    for scenario_id in knowledge.scenarios:
        load_scenario(knowledge, scenario_id)
    return {
        "policy lexicon terms": len(policy_lexicon.specific) + len(policy_lexicon.broad),
        "device profiles": len(knowledge.device_paths),
        "scenarios": len(knowledge.scenarios),
        "sdks": len(knowledge.sdks),
        "phase marks": len(knowledge.phases),
        "packer signatures": len(knowledge.apk_signals["packers"]),
    }


DeviceOpt = Annotated[
    Path | None,
    typer.Option("--device", help="Device profile YAML with the known values to search for.", show_default=False),
]
OperatorOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--operator-domain",
        help="A domain of the app operator (party: first); repeat for several.",
        show_default=False,
    ),
]


@app.command()
def capture(
    bundle: Annotated[Path, typer.Option("--bundle", help="The evidence bundle to create or extend.")],
    device: DeviceOpt = None,
    listen: Annotated[
        str | None,
        typer.Option(
            "--listen", help="HOST:PORT to listen on (default 0.0.0.0:8080, wireguard 51820).", show_default=False
        ),
    ] = None,
    sinkhole: Annotated[
        bool, typer.Option("--sinkhole", help="Answer every request locally; never contact the real servers.")
    ] = False,
    mode: Annotated[str, typer.Option("--mode", help="regular, wireguard or transparent.")] = "regular",
    operator_domain: OperatorOpt = None,
    confdir: Annotated[
        Path | None,
        typer.Option("--confdir", help="mitmproxy folder with the CA (default ~/.mitmproxy).", show_default=False),
    ] = None,
    profiles: ProfilesOpt = None,
) -> None:
    """Record the app's traffic into a bundle (mitmproxy in-process) until Ctrl-C or SIGTERM,
    then seal it. Personal data found is recorded as it is sent."""
    from apptest.traffic.capture import CaptureError, run_capture

    try:
        run_capture(bundle, device, listen, mode, sinkhole, operator_domain or [], profiles or [], confdir)
    except CaptureError as exc:
        fail(str(exc), EXIT_USAGE)


@app.command()
def phase(
    name: Annotated[str, typer.Argument(help="A mark from profiles/phases.yaml, e.g. consent_given or step:login.")],
    bundle: Annotated[Path, typer.Option("--bundle", help="The bundle being captured.")],
    profiles: ProfilesOpt = None,
) -> None:
    """Append a phase mark (consent_given, permission_denied:<perm> …) to a bundle, e.g. from
    another terminal while `apptest capture` runs."""
    from apptest.traffic.marks import MarkError, append_mark

    try:
        record = append_mark(bundle, name, load_knowledge(profiles))
    except MarkError as exc:
        fail(str(exc), EXIT_USAGE)
    typer.echo(f"{record['ts']} {record['mark']}")


@app.command()
def traffic(
    inputs: Annotated[
        list[Path], typer.Argument(help="mitmproxy flow files, HAR files or bundle folders.", show_default=False)
    ],
    device: DeviceOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="json or table.")] = "json",
    operator_domain: OperatorOpt = None,
    output: OutputOpt = None,
    profiles: ProfilesOpt = None,
) -> None:
    """Find personal data in saved traffic (flow files, HAR from Charles, Fiddler, Chrome,
    HTTP Toolkit, Burp). What could not be read is listed under `errors`."""
    from apptest.traffic.offline import analyze_inputs, render_table

    if fmt not in ("json", "table"):
        fail(f"--format {fmt!r}: choose json or table", EXIT_USAGE)
    result = analyze_inputs(inputs, load_knowledge(profiles), device, operator_domain or [])
    if fmt == "table":
        render_table(result)
    else:
        emit_json(result, output, "traffic.json")


# --- reports, retests, sealing and signing ---------------------------------------------
LangOpt = Annotated[str, typer.Option("--lang", help="Report language: zh (default) or en.")]
RETEST_FAIL_ON = ("high", "medium", "low", "info", "none")


def _check_lang(lang: str) -> None:
    if lang not in ("zh", "en"):
        fail(f"--lang {lang!r}: choose zh or en", EXIT_USAGE)


def _formats(spec: str) -> list[str]:
    from apptest.report.write import parse_formats

    try:
        return parse_formats(spec)
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)


def _is_bundle(path: Path) -> bool:
    from apptest.bundlezip import is_zip

    return path.is_dir() or is_zip(path)


def _judged_input(
    path: Path,
    category: str | None,
    knowledge: Any,
    *,
    config: Path | None = None,
    suppress: Path | None = None,
    manual: Path | None = None,
) -> tuple[dict[str, Any], Path | None]:
    """A report/judgement JSON as read, or a bundle judged now: (data, bundle or None)."""
    from apptest.report.document import judgement_of, read_json

    if not path.exists():
        fail(f"{path}: no such file or folder")
    if _is_bundle(path):
        if not category:
            fail(f"{path} is a bundle: give --category to judge it", EXIT_USAGE)
        from apptest.rules.analyze import analyze_bundle

        judgement = analyze_bundle(
            path, knowledge, category, config_path=config, suppress_path=suppress, manual_path=manual
        )
        return judgement, path
    data = read_json(path)
    judgement_of(data)  # refuses anything that is neither a report nor a judgement
    return data, None


@app.command()
def report(
    source: Annotated[
        Path, typer.Argument(help="An evidence bundle (folder or .zip), a report.json, or a judgement JSON.")
    ],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="Comma-separated: html, json, md, sarif, xlsx (default html,json with -o, json without).",
            show_default=False,
        ),
    ] = None,
    output: OutputOpt = None,
    lang: LangOpt = "zh",
    meta: Annotated[
        Path | None,
        typer.Option(
            "--meta",
            help="YAML/JSON with the lab's details: lab, tester, report_number, app_name, store, download_source.",
            show_default=False,
        ),
    ] = None,
    source_root: Annotated[
        Path | None,
        typer.Option(
            "--source-root",
            help="The app's source tree (repository root): SARIF results point at its files.",
            show_default=False,
        ),
    ] = None,
    bundle: Annotated[
        Path | None,
        typer.Option("--bundle", help="The bundle a judgement JSON was made from (for excerpts).", show_default=False),
    ] = None,
    category: Annotated[
        str | None, typer.Option("--category", help="Category, when SOURCE is a bundle to judge.", show_default=False)
    ] = None,
    public_key: Annotated[
        Path | None,
        typer.Option("--public-key", help="The lab's public key: check the bundle's signature.", show_default=False),
    ] = None,
    suppress: SuppressOpt = None,
    config: ConfigOpt = None,
    profiles: ProfilesOpt = None,
) -> None:
    """Write the report of a bundle, a judgement or a saved report.json: report.json (the
    canonical document) plus HTML (Chinese by default), Markdown, SARIF 2.1.0 or XLSX.
    Without -o a single text format goes to stdout. Exit 0 done, 2 usage, 3 unreadable."""
    from apptest.report.document import load_meta
    from apptest.report.write import prepare_document, render_document, write_reports

    _check_lang(lang)
    wanted = _formats(fmt or ("html,json" if output else "json"))
    if output is None and (len(wanted) != 1 or wanted[0] == "xlsx"):
        fail("give -o DIR for several formats or for xlsx (only one text format can go to stdout)", EXIT_USAGE)
    if source_root is not None and not source_root.is_dir():
        fail(f"--source-root {source_root}: not a folder", EXIT_USAGE)
    knowledge = load_knowledge(profiles)
    data, judged_bundle = _judged_input(source, category, knowledge, config=config, suppress=suppress)
    lab = load_meta(meta) if meta else None
    if output is None:
        doc = prepare_document(data, bundle or judged_bundle, lab, knowledge=knowledge, public_key=public_key)
        content = render_document(doc, wanted[0], lang, source_root)
        typer.echo(content if isinstance(content, str) else content.decode("utf-8"), nl=False)
        return
    written = write_reports(
        data,
        bundle or judged_bundle,
        wanted,
        output,
        lang,
        lab,
        source_root=source_root,
        knowledge=knowledge,
        public_key=public_key,
    )
    for path in written:
        typer.echo(f"wrote {path}", err=True)


@app.command()
def retest(
    old: Annotated[Path, typer.Argument(help="The earlier test: report.json, judgement JSON or bundle.")],
    new: Annotated[Path, typer.Argument(help="The retest: report.json, judgement JSON or bundle.")],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", help="Comma-separated: json, html, md (default json,html with -o, json without).",
            show_default=False,
        ),
    ] = None,
    output: OutputOpt = None,
    lang: LangOpt = "zh",
    fail_on: Annotated[
        str,
        typer.Option(
            "--fail-on", help="Exit 1 when a finding at or above this remains: high, medium, low, info, none."
        ),
    ] = "high",
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline",
            help="Another lab's problem list (CSV keyed by item, e.g. M3.1 or N337-1): "
            "fixed / still present / not checked.",
            show_default=False,
        ),
    ] = None,
    category: Annotated[
        str | None,
        typer.Option("--category", help="Category for inputs that are bundles (default: the other report's).",
                     show_default=False),
    ] = None,
    profiles: ProfilesOpt = None,
) -> None:
    """Compare two tests of an app per finding, by fingerprint: fixed, still present, new,
    or not rechecked (the rule lacked evidence in the retest). Exit 0 only when nothing at
    or above --fail-on remains (and no baseline item is still present); 1 otherwise."""
    from apptest.report.baseline import match_baseline, read_baseline
    from apptest.report.document import judgement_of, read_json
    from apptest.report.retest import compare, with_baseline
    from apptest.report.write import write_retest

    _check_lang(lang)
    if fail_on not in RETEST_FAIL_ON:
        fail(f"--fail-on {fail_on!r}: choose one of {', '.join(RETEST_FAIL_ON)}", EXIT_USAGE)
    wanted = _formats(fmt or ("json,html" if output else "json"))
    if output is None and wanted not in (["json"], ["md"]):
        fail("give -o DIR for html or several formats (json or md alone can go to stdout)", EXIT_USAGE)
    for path in (old, new):
        if not path.exists():
            fail(f"{path}: no such file or folder")
    knowledge = load_knowledge(profiles)
    reports = {p: read_json(p) for p in (old, new) if not _is_bundle(p)}
    if category is None:
        for data in reports.values():
            cats = [c["id"] for c in judgement_of(data).get("categories") or []]
            if cats:
                category = ",".join(cats)
                break
    sides = []
    for path in (old, new):
        if path in reports:
            sides.append(reports[path])
            continue
        from apptest.report.write import prepare_document

        judgement, judged = _judged_input(path, category, knowledge)
        sides.append(prepare_document(judgement, judged, knowledge=knowledge))
    result = compare(sides[0], sides[1], fail_on)
    if baseline is not None:
        result = with_baseline(result, match_baseline(read_baseline(baseline), judgement_of(sides[1])))
    if output is None:
        if wanted == ["md"]:
            from apptest.report.markdown import render_retest_markdown

            typer.echo(render_retest_markdown(result, lang), nl=False)
        else:
            typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        for path in write_retest(result, wanted, output, lang):
            typer.echo(f"wrote {path}", err=True)
    summary = result["summary"]
    typer.echo(
        f"retest: {summary['fixed']} fixed, {summary['still_present']} still present, {summary['new']} new, "
        f"{summary['not_rechecked']} not rechecked; "
        f"{'PASSED' if summary['passed'] else 'FAILED'} (--fail-on {fail_on})",
        err=True,
    )
    if not summary["passed"]:
        raise typer.Exit(EXIT_FINDINGS)


@app.command()
def seal(
    bundle: Annotated[Path, typer.Argument(help="The evidence bundle folder to seal (and sign).")],
    key: Annotated[
        Path | None,
        typer.Option("--key", help="The lab's Ed25519 private key (PEM): sign SHA256SUMS.", show_default=False),
    ] = None,
    zip_to: Annotated[
        Path | None, typer.Option("--zip", help="Also write the sealed bundle as this .zip.", show_default=False)
    ] = None,
) -> None:
    """Seal a bundle (write SHA256SUMS over its evidence; a sealed bundle takes no more
    evidence), optionally sign it with the lab's key and zip it for hand-over. Sealing an
    already sealed bundle only signs or zips it."""
    from apptest.bundlezip import zip_bundle
    from apptest.evidence import Bundle

    if not bundle.is_dir():
        fail(f"{bundle}: not a bundle folder")
    opened = Bundle.open(bundle)
    if not opened.sealed:
        opened.seal()
        typer.echo(f"sealed {bundle}", err=True)
    if key is not None:
        typer.echo(f"signed: {opened.sign(key)}", err=True)
    if zip_to is not None:
        typer.echo(f"wrote {zip_bundle(bundle, zip_to)}", err=True)
    typer.echo(f"SHA256SUMS digest: {opened.sums_digest()}")


@app.command()
def keygen(
    private: Annotated[Path, typer.Argument(help="Where to write the private key (PEM, mode 0600).")],
    public: Annotated[Path, typer.Argument(help="Where to write the public key (PEM) to hand to readers.")],
) -> None:
    """Make a lab's Ed25519 key pair for signing bundles (never overwrites a key)."""
    from apptest.signing import generate_keypair

    fingerprint = generate_keypair(private, public)
    typer.echo(f"wrote {private} and {public}; key {fingerprint}")


# --- live runs: run, demo ----------------------------------------------------------------
def _say(text: str) -> None:
    typer.echo(text, err=True)


def _parse_port(listen: str) -> tuple[str, int]:
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        fail(f"--listen {listen!r}: expected HOST:PORT, e.g. 127.0.0.1:8080", EXIT_USAGE)
    return host.strip("[]") or "127.0.0.1", int(port)


def _finish_run(result: Any, output: Path | None, fail_on: str) -> None:
    """Exit codes of a live run: 130 interrupted (bundle sealed), 1 findings, 0 done."""
    from apptest.rules.judge import at_or_above

    if result.interrupted:
        typer.echo(f"apptest: interrupted; bundle sealed: {result.bundle} (judge it with `apptest analyze`)", err=True)
        raise typer.Exit(130)
    if result.judgement is None:
        fail("the run produced no judgement")
    if output is None:
        typer.echo(json.dumps(result.judgement, ensure_ascii=False, indent=2))
    if at_or_above(result.judgement["findings"], fail_on):
        raise typer.Exit(EXIT_FINDINGS)


@app.command()
def run(
    apk: Annotated[Path, typer.Argument(help="The .apk to install and test.")],
    category: CategoryOpt,
    bundle: Annotated[Path, typer.Option("--bundle", help="The evidence bundle to write (a new folder).")],
    scenario: Annotated[
        str, typer.Option("--scenario", help="Scenario id (profiles/scenarios) or a scenario YAML file.")
    ] = "standard",
    device: Annotated[
        Path | None,
        typer.Option(
            "--device",
            help="Device profile YAML: serial, known identifier values, `control:` (proxy, root, CA, UI).",
            show_default=False,
        ),
    ] = None,
    serial: Annotated[
        str | None, typer.Option("--serial", help="adb serial (overrides the profile's).", show_default=False)
    ] = None,
    output: OutputOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="Report formats: html, json, md, sarif, xlsx.")] = "html,json",
    lang: Annotated[str, typer.Option("--lang", help="Report language: zh or en.")] = "zh",
    fail_on: FailOnOpt = "high",
    listen: Annotated[str, typer.Option("--listen", help="Proxy address (the phone is pointed at it).")] = (
        "127.0.0.1:8080"
    ),
    confdir: Annotated[
        Path | None, typer.Option("--confdir", help="mitmproxy's folder (its CA).", show_default=False)
    ] = None,
    hooks: Annotated[bool, typer.Option("--hooks/--no-hooks", help="Runtime hooks with frida.")] = True,
    operator_domain: OperatorOpt = None,
    profiles: ProfilesOpt = None,
) -> None:
    """Test an app on a phone in one go: static scan, capture (the phone's proxy is set and
    restored), frida hooks and the scenario together into one bundle, then judge and report.
    Ctrl-C stops the run, seals the bundle and restores the phone (exit 130)."""
    from apptest.conductor import RunOptions, run_on_phone

    if fail_on not in JUDGE_SEVERITIES:
        fail(f"--fail-on {fail_on!r}: choose one of {', '.join(JUDGE_SEVERITIES)}", EXIT_USAGE)
    if not apk.is_file():
        fail(f"{apk}: no such APK")
    if (bundle / "manifest.json").exists():
        fail(f"--bundle {bundle}: already holds a bundle; a run writes a new one", EXIT_USAGE)
    options = RunOptions(
        apk=apk,
        category=category,
        scenario=scenario,
        bundle=bundle,
        output=output,
        device_profile=device,
        profiles=profiles or [],
        formats=[f.strip() for f in fmt.split(",") if f.strip()],
        lang=lang,
        listen=_parse_port(listen),
        confdir=confdir,
        hooks=hooks,
        operator_domains=operator_domain or [],
    )
    result = run_on_phone(options, serial, load_knowledge(profiles), _say)
    _finish_run(result, output, fail_on)


@app.command()
def demo(
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder for the reports and the bundle.")] = Path(
        "reports/demo"
    ),
    hooks: Annotated[bool, typer.Option("--hooks/--no-hooks", help="Runtime hooks with frida.")] = True,
) -> None:
    """The whole pipeline with no phone: a stand-in rental app on the local JVM (needs a
    JDK), real capture, real frida hooks, the standard scenario, the rules and the reports.
    The report says plainly that the target was the stand-in."""
    from apptest.demo.run import run_demo

    result = run_demo(output, load_knowledge(None), _say, hooks=hooks)
    if result.interrupted:
        typer.echo(f"apptest: interrupted; bundle sealed: {result.bundle}", err=True)
        raise typer.Exit(130)
    seconds = sum(result.timings.values())
    typer.echo(f"apptest demo: done in {seconds:.0f} s; report: {output / 'report.html'}", err=True)


@app.command("policy")
def policy_command(
    bundle: Annotated[
        Path,
        typer.Option(
            "--bundle",
            help="The evidence bundle folder to write into (created when missing). A sealed bundle keeps its "
            "seal: the policy goes under derived/policy/, marked as added after sealing.",
        ),
    ],
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Privacy-policy files: HTML, Markdown or text, Chinese or English. Without one, only the "
            "policy the scanned APK ships (its policy assets) and the policy pages captured in the bundle's "
            "traffic are collected.",
            show_default=False,
        ),
    ] = None,
    read_as: Annotated[
        str | None,
        typer.Option("--as", help="Read the files as html, markdown or text (default: from name and content).",
                     show_default=False),
    ] = None,
    captured: Annotated[
        bool,
        typer.Option("--captured/--no-captured", help="Also collect first-party policy pages captured in flows.mitm."),
    ] = True,
    profiles: ProfilesOpt = None,
) -> None:
    """Collect the app's privacy policy into a bundle: the file as received, its plain text,
    and one `declares` observation per data type, SDK, purpose, contact channel and deletion
    or correction way it states, each with its sentence, offset and polarity (affirmed,
    negated, conditional). The judge then compares them with what the app does."""
    from apptest.policy.command import collect
    from apptest.policy.text import FORMATS

    if read_as is not None and read_as not in FORMATS:
        fail(f"--as {read_as!r}: choose {', '.join(FORMATS)}", EXIT_USAGE)
    for path in files or []:
        if not path.is_file():
            fail(f"{path}: no such file")
    result = collect(bundle, files or [], load_knowledge(profiles), captured=captured, fmt=read_as)
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    if not result["collected"]:
        typer.echo("apptest: no privacy policy given, and none shipped in the APK or found in the bundle's traffic",
                   err=True)


@app.command()
def batch(
    inputs: Annotated[
        list[Path],
        typer.Argument(help="APK files, folders of them, or CSVs with `path` or `package` and `category` columns."),
    ],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Folder for each app's bundle and report, and the summary.")
    ],
    categories: Annotated[
        Path | None,
        typer.Option(
            "--categories",
            help="CSV giving apps their category by `path` or `package` (slug or Chinese name); "
            "an app with none is judged on the category-independent rules only.",
            show_default=False,
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", help="Local worker processes (default: every core).", show_default=False),
    ] = None,
    cluster: Annotated[
        str | None,
        typer.Option(
            "--cluster",
            help="Run on this Dask scheduler (tcp://host:8786) instead of local processes; workers need the "
            "same apptest and profiles and must see INPUTS and -o at the same paths.",
            show_default=False,
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds one app may take; then it is killed and recorded as failed.")
    ] = 300.0,
    memory: Annotated[
        int,
        typer.Option("--memory", help="MB one app may allocate on top of its worker's own memory; 0: no limit."),
    ] = 4096,
    fmt: Annotated[
        str, typer.Option("--format", help="Report formats per app: json, html, md, sarif, xlsx (json always).")
    ] = "json",
    lang: LangOpt = "zh",
    fail_on: FailOnOpt = "high",
    suppress: SuppressOpt = None,
    config: ConfigOpt = None,
    profiles: ProfilesOpt = None,
) -> None:
    """Many apps at once: each APK is scanned and judged statically (as `apptest scan`) in its own
    process with a time and memory limit, on every core or on a Dask cluster. Writes
    OUTPUT/apps/NAME-HASH/ (bundle, report.json) per app and summary.json, summary.csv, summary.html.
    Rerunning the same command reuses apps already judged with the same APK, profiles and
    options; Ctrl-C keeps every finished app (exit 130). Exit 1 when an app has a finding at or
    above --fail-on, 3 when no app could be judged at all."""
    from apptest.batch import BatchOptions, EngineError, run_batch
    from apptest.batch import OutputBusy as BatchBusy
    from apptest.batch_summary import apps_at_or_above

    _check_lang(lang)
    formats = _formats(fmt)
    if fail_on not in JUDGE_SEVERITIES:
        fail(f"--fail-on {fail_on!r}: choose one of {', '.join(JUDGE_SEVERITIES)}", EXIT_USAGE)
    if workers is not None and workers < 1:
        fail("--workers: give 1 or more", EXIT_USAGE)
    if timeout <= 0 or memory < 0:
        fail("--timeout must be above 0 and --memory 0 or more", EXIT_USAGE)
    if workers is not None and cluster:
        typer.echo("apptest batch: --workers is ignored with --cluster (the cluster has its own)", err=True)
    options = BatchOptions(
        inputs=list(inputs),
        output=output,
        categories=categories,
        workers=workers,
        cluster=cluster,
        timeout=timeout,
        memory_mb=memory,
        formats=tuple(dict.fromkeys(["json", *formats])),
        lang=lang,
        config=config,
        suppress=suppress,
        profiles=list(profiles or []),
        argv=list(sys.argv),
    )
    try:
        result = run_batch(options, load_knowledge(profiles), _say)
    except (EngineError, BatchBusy) as exc:
        fail(str(exc), EXIT_USAGE)
    counts = result.summary["counts"]
    typer.echo(
        f"apptest batch: {counts['apps']} apps: {counts['judged']} judged ({counts['reused']} reused), "
        f"{counts['failed']} failed" + (f", {counts['not_run']} not run" if counts["not_run"] else "")
        + f"; summary: {output / 'summary.html'}",
        err=True,
    )
    if result.interrupted:
        typer.echo("apptest: interrupted; finished apps are kept, rerun the same command to go on", err=True)
        raise typer.Exit(130)
    if counts["apps"] and not counts["judged"]:
        raise typer.Exit(EXIT_UNREADABLE)
    if apps_at_or_above(result.summary, fail_on):
        raise typer.Exit(EXIT_FINDINGS)


@app.command()
def hook(
    bundle: Annotated[Path, typer.Option("--bundle", help="The evidence bundle to create or extend.")],
    pid: Annotated[
        int | None,
        typer.Option("--pid", help="A local process to attach to (e.g. a JVM stand-in).", show_default=False),
    ] = None,
    device: Annotated[
        Path | None,
        typer.Option("--device", help="Device profile YAML (adb serial, known values).", show_default=False),
    ] = None,
    serial: Annotated[
        str | None,
        typer.Option(
            "--serial", help="Overrides the profile's serial; HOST:PORT for a remote frida-server.", show_default=False
        ),
    ] = None,
    package: Annotated[
        str | None,
        typer.Option("--package", help="The app's package name (spawned unless --attach).", show_default=False),
    ] = None,
    attach: Annotated[
        bool, typer.Option("--attach", help="Attach to the running app instead of spawning it (misses its start).")
    ] = False,
    duration: Annotated[
        float | None, typer.Option("--duration", help="Stop after S seconds (default: until Ctrl-C or the app exits).")
    ] = None,
    bypass_pinning: Annotated[
        bool,
        typer.Option("--bypass-pinning", help="Neutralise certificate pinning so traffic can be captured (recorded)."),
    ] = False,
    native_tls: Annotated[
        bool, typer.Option("--native-tls", help="Also record TLS plaintext at SSL_write/SSL_read (backstop).")
    ] = False,
    seal: Annotated[bool, typer.Option("--seal/--no-seal", help="Seal the bundle at the end.")] = True,
    profiles: ProfilesOpt = None,
) -> None:
    """Hook the sensitive APIs of profiles/taxonomy.yaml in a running app and record each
    call (who called, what it returned, the Java stack) into a bundle, following the app's
    other processes, until the app exits, --duration, Ctrl-C or SIGTERM; then seal it."""
    if pid is None and (device is None or package is None):
        fail("give --pid PID, or --device DEVICE.yaml --package PKG", EXIT_USAGE)
    if pid is not None and (device is not None or attach or serial is not None):
        fail("--pid is a local process: --device, --serial and --attach do not apply", EXIT_USAGE)
    if duration is not None and duration <= 0:
        fail("--duration must be positive", EXIT_USAGE)
    from apptest.runtime.config import HookOptions
    from apptest.runtime.hook import HookRequest
    from apptest.runtime.hook import run as run_hook

    request = HookRequest(
        bundle=bundle,
        pid=pid,
        device_profile=device,
        serial=serial,
        package=package,
        attach=attach,
        duration=duration,
        options=HookOptions(bypass_pinning=bypass_pinning, native_tls=native_tls),
        profiles=profiles or [],
        seal=seal,
        command_line=sys.argv,
    )
    result = run_hook(request, load_knowledge(profiles), lambda text: typer.echo(text, err=True))
    hooks = result.summary.get("hooks", {})
    counts = result.summary.get("counts", {})
    typer.echo(
        f"apptest hook: {counts.get('event:call', 0)} calls, {counts.get('observations', 0)} observations, "
        f"{counts.get('canaries', 0)} learned values; {len(hooks.get('hooked', []))} APIs hooked, "
        f"{len(hooks.get('never_loaded', []))} never loaded; stopped by {result.stopped_by}"
        + ("; bundle sealed" if result.sealed else ""),
        err=True,
    )
    for problem in result.problems:
        typer.echo(f"  - {problem}", err=True)


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
