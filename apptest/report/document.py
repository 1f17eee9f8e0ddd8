"""report.json: the canonical report document every other format renders from.

One document holds the judgement as the judge returned it, the evidence a reader needs to
check it (bundle facts, integrity, phases, masked observations), the profile texts it
cites (glossary) and the lab's details (meta). HTML, Markdown, SARIF, XLSX and retests
read this document alone, so they can never disagree with each other, and a report
written today can be re-rendered from report.json in a year without the bundle or the
profiles of the day. The schema is `apptest/schemas/report.schema.json`; a change to the
document's shape bumps FORMAT_VERSION.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from apptest import __version__
from apptest.errors import UnreadableInput
from apptest.evidence import validate
from apptest.model import iso_ts

FORMAT = "apptest-report"
FORMAT_VERSION = 1
JUDGEMENT_FORMAT = "apptest-judgement"

# Lab details a report prints on its first page (`--meta FILE`); other keys are kept and
# printed under their own name.
META_KEYS = (
    "lab",
    "report_number",
    "app_name",
    "app_version",
    "developer",
    "store",
    "download_source",
    "download_date",
    "client",
    "tester",
    "reviewer",
    "approver",
    "test_date",
    "contact",
)


class ReportInputError(UnreadableInput):
    """A report.json, judgement or meta file that cannot be used (exit 3)."""


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object from a file; anything else is a ReportInputError naming the file."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except OSError as exc:
        raise ReportInputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise ReportInputError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise ReportInputError(f"{path}: not a JSON object")
    return data


def load_meta(path: Path) -> dict[str, Any]:
    """The lab's details from a YAML or JSON file: flat keys, text or {zh, en} values."""
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text("utf-8"))
    except OSError as exc:
        raise ReportInputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ReportInputError(f"{path}: not YAML or JSON ({exc})") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ReportInputError(f"{path}: expected keys such as {', '.join(META_KEYS[:4])}")
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping) and set(value) <= {"zh", "en"}:
            out[str(key)] = {k: str(v) for k, v in value.items()}
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            out[str(key)] = str(value)
        elif hasattr(value, "isoformat"):
            out[str(key)] = value.isoformat()
        else:
            raise ReportInputError(f"{path}: {key}: give text, or {{zh: …, en: …}}")
    return out


def is_document(data: Mapping[str, Any]) -> bool:
    return data.get("format") == FORMAT


def is_judgement(data: Mapping[str, Any]) -> bool:
    return data.get("format") == JUDGEMENT_FORMAT or (
        "findings" in data and "rule_results" in data and "format" not in data
    )


def judgement_of(data: Mapping[str, Any]) -> dict[str, Any]:
    """The judgement inside a report document, or the judgement itself."""
    if is_document(data):
        return dict(data["judgement"])
    if is_judgement(data):
        return dict(data)
    raise ReportInputError("not an apptest report or judgement (no format / findings)")


def build_document(
    judgement: Mapping[str, Any],
    evidence: Mapping[str, Any] | None = None,
    meta: Mapping[str, Any] | None = None,
    glossary: Mapping[str, Any] | None = None,
    generated: str | None = None,
) -> dict[str, Any]:
    """Assemble the canonical document; raises ReportInputError when it breaks the schema."""
    doc = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "generated": generated or iso_ts(),
        "tool": {"name": "apptest", "version": __version__},
        "meta": dict(meta or {}),
        "judgement": dict(judgement),
        "evidence": dict(evidence) if evidence is not None else None,
        "glossary": dict(glossary or {}),
    }
    problems = validate_document(doc)
    if problems:
        raise ReportInputError(f"report document: {problems[0]}")
    return doc


def validate_document(doc: Mapping[str, Any]) -> list[str]:
    """Problems of a report document against report.schema.json (empty when valid)."""
    return validate("report", doc)


def load_document(path: Path) -> dict[str, Any]:
    """A saved report.json, checked against the schema before anything renders from it."""
    data = read_json(path)
    if not is_document(data):
        raise ReportInputError(f"{path}: not an apptest report (format {data.get('format')!r})")
    if data.get("format_version") != FORMAT_VERSION:
        raise ReportInputError(f"{path}: report format_version {data.get('format_version')!r} is not supported")
    problems = validate_document(data)
    if problems:
        raise ReportInputError(f"{path}: {problems[0]}")
    return data
