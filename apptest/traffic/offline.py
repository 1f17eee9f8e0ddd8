"""`apptest traffic`: find personal data in saved traffic (flow files, HAR, bundles).

Labs often already have captures from their own tools. Every input is read as far as it
can be; what could not be read is listed under `errors` (the result is partial, not
void), and only when nothing at all could be read is the input "unreadable" (exit 3).
A bundle folder is read like its flows.mitm, plus its canaries, operator domains and the
device profile stored in it (unless --device names another).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from apptest.errors import UnreadableInput
from apptest.evidence import Bundle
from apptest.traffic.analyze import Analyzer
from apptest.traffic.config import DeviceConfig, make_analyzer, sdk_index
from apptest.traffic.flowfile import read_flow_file
from apptest.traffic.har import read_har
from apptest.traffic.message import Message, messages_of_flow


class TrafficInputError(UnreadableInput):
    """No input could be read at all."""


def _is_har(path: Path) -> bool:
    with open(path, "rb") as handle:
        head = handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{")


def read_input(path: Path) -> tuple[list[list[Message]], list[str]]:
    """Messages per flow, and errors, from one flow file, HAR file or bundle folder."""
    if path.is_dir():
        path = path / "flows.mitm"
        if not path.exists():
            return [], [f"{path.parent}: a folder, but no flows.mitm in it"]
    if not path.is_file():
        return [], [f"{path}: no such file"]
    if _is_har(path):
        return read_har(path)
    read = read_flow_file(path)
    return [messages_of_flow(f) for f in read.flows], read.errors


def _bundle_context(path: Path) -> tuple[list[dict[str, Any]], list[str], str | None, Path | None]:
    """Canaries, operator domains, package and device profile of a bundle folder."""
    if not (path.is_dir() and (path / "manifest.json").exists()):
        return [], [], None, None
    bundle = Bundle.open(path)
    manifest = bundle.manifest()
    canaries = bundle.read_stream("canaries.jsonl").records
    device = path / "device.yaml"
    package = (manifest.get("apk") or {}).get("package")
    return (
        canaries,
        list(manifest.get("operator_domains") or []),
        package if package != "unknown" else None,
        device if device.is_file() else None,
    )


def analyze_inputs(
    paths: Sequence[Path], knowledge: Any, device: Path | None = None, operator_domains: Iterable[str] = ()
) -> dict[str, Any]:
    """The `apptest traffic` JSON: flow count, detections in time order, limits, errors."""
    given = DeviceConfig.load(knowledge, device)
    sdks = sdk_index(knowledge)
    domains = list(operator_domains)
    flows = 0
    detections: list[dict[str, Any]] = []
    limits: list[dict[str, Any]] = []
    errors: list[str] = []
    for path in paths:
        canaries, bundle_domains, app_id, stored = _bundle_context(Path(path))
        config = DeviceConfig.load(knowledge, stored) if device is None and stored else given
        analyzer: Analyzer = make_analyzer(config, sdks, canaries, [*domains, *bundle_domains], app_id)
        grouped, problems = read_input(Path(path))
        errors.extend(problems)
        flows += len(grouped)
        for messages in grouped:
            for msg in messages:
                result = analyzer.analyze(msg)
                detections.extend(d.to_dict() for d in result.detections)
                limits.extend({"flow_id": msg.flow_id, "direction": msg.direction, "limit": x} for x in result.limits)
    if flows == 0 and errors:
        raise TrafficInputError(errors[0] if len(errors) == 1 else f"{errors[0]} (and {len(errors) - 1} more)")
    detections.sort(key=lambda d: (d["ts"], d["flow_id"]))
    out: dict[str, Any] = {"flows": flows, "detections": detections}
    if limits:
        out["limits"] = limits
    if errors:
        out["errors"] = errors
    return out


def render_table(result: dict[str, Any]) -> None:
    """A terminal table of detections (no raw values: the excerpts are already masked)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{result['flows']} flows, {len(result['detections'])} detections")
    for column in ("time", "method", "host", "data type", "conf.", "encoding", "where", "party", "excerpt"):
        table.add_column(column, overflow="fold")
    for d in result["detections"]:
        party = d["party"] + (f" ({d['sdk']})" if d.get("sdk") else "")
        table.add_row(
            d["ts"][11:23], d["method"], d["host"], d["data_type"], d["confidence"], d["encoding"],
            f"{d['direction']}/{d['location']}", party, d["excerpt"],
        )  # fmt: skip
    console = Console()
    if not console.is_terminal:
        console = Console(width=220)  # piped into a file or pager: do not wrap at 80 columns
    console.print(table)
    for item in result.get("limits", []):
        console.print(f"[yellow]partly inspected[/yellow] {item['flow_id']} {item['direction']}: {item['limit']}")
    for error in result.get("errors", []):
        console.print(f"[red]unreadable[/red] {error}")
