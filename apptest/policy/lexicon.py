"""The policy lexicon (`profiles/policy_lexicon.yaml`): which words declare what.

Knowledge, not code: a lab that meets a new synonym (一台手机的"设备串号") adds it to its
own `policy_lexicon.yaml` (`--profiles DIR`), and data-type or broad entries with the
same id replace the built-in ones while cue lists are extended. Like every profile, the
file is checked against its schema at load and refused with one line naming the file and
the key; a data-type id must exist in the taxonomy, and every pattern must compile, so a
typo never turns into "declared" or "not declared" in the middle of a judgement.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from apptest.knowledge import ProfileError, check_schema, file_digest, load_yaml
from apptest.policy.matcher import CueMatcher, key

FILE = "policy_lexicon.yaml"
CUE_KINDS = ("negation", "negation_exceptions", "condition", "purpose", "contact", "complaint", "sdk_context")
STATEMENT_KINDS = ("deletion", "correction", "cancellation")


@dataclass(frozen=True)
class Lexicon:
    """The compiled lexicon; terms are keyed by `matcher.key` (folded, case-folded)."""

    version: str
    specific: Mapping[str, tuple[str, ...]]
    broad: Mapping[str, tuple[str, tuple[str, ...]]]
    ignore: tuple[str, ...]
    cues: Mapping[str, CueMatcher]
    field_labels: CueMatcher
    statements: Mapping[str, tuple[re.Pattern[str], ...]]
    channels: Mapping[str, re.Pattern[str]]
    ambiguous_aliases: frozenset[str]
    ignored_aliases: frozenset[str]
    policy_titles: CueMatcher
    min_data_types: int
    sources: tuple[dict[str, str], ...] = field(default_factory=tuple)


def _both(entry: Mapping[str, Any] | None) -> list[str]:
    entry = entry or {}
    return [*(entry.get("zh") or []), *(entry.get("en") or [])]


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """A lab file over the built-in one: entries with the same id replace, lists extend."""
    out = dict(base)
    for section in ("data_types", "broad"):
        by_id = {e["id"]: e for e in base.get(section) or []}
        for entry in extra.get(section) or []:
            by_id[entry["id"]] = entry
        out[section] = list(by_id.values())
    for section in ("ignore", "policy_page"):
        if section in extra:
            merged = dict(base.get(section) or {})
            for lang, values in extra[section].items():
                merged[lang] = [*(merged.get(lang) or []), *values] if isinstance(values, list) else values
            out[section] = merged
    for section in ("cues", "statements"):
        if section in extra:
            merged = {k: dict(v) for k, v in (base.get(section) or {}).items()}
            for kind, langs in extra[section].items():
                for lang, values in langs.items():
                    merged.setdefault(kind, {})[lang] = [*merged.get(kind, {}).get(lang, []), *values]
            out[section] = merged
    if "sdk_aliases" in extra:
        out["sdk_aliases"] = {
            k: [*(base.get("sdk_aliases") or {}).get(k, []), *v] for k, v in extra["sdk_aliases"].items()
        }
    if "channels" in extra:
        out["channels"] = {**(base.get("channels") or {}), **extra["channels"]}
    return out


def _compile(path: Path, where: str, pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ProfileError(path, where, f"not a valid regular expression ({exc})") from exc


def build(data: Mapping[str, Any], data_types: Mapping[str, Mapping[str, Any]], path: Path = Path(FILE)) -> Lexicon:
    """Compile validated lexicon data against the taxonomy (`Knowledge.data_types`)."""
    specific: dict[str, list[str]] = {}
    for number, entry in enumerate(data["data_types"]):
        if entry["id"] not in data_types:
            raise ProfileError(
                path, f"data_types.{number}.id", f"unknown data type {entry['id']!r} (see taxonomy.yaml)"
            )
        for term in _both(entry):
            specific.setdefault(key(term), []).append(entry["id"])
    broad: dict[str, tuple[str, tuple[str, ...]]] = {}
    for number, entry in enumerate(data["broad"]):
        for n, dt in enumerate(entry["data_types"]):
            if dt not in data_types:
                raise ProfileError(path, f"broad.{number}.data_types.{n}", f"unknown data type {dt!r}")
        for term in _both(entry):
            if key(term) in specific:
                raise ProfileError(path, f"broad.{number}", f"term {term!r} is also a specific term of a data type")
            broad[key(term)] = (entry["id"], tuple(entry["data_types"]))
    for dt_id, info in data_types.items():  # the taxonomy's own names are terms too
        for name in (info.get("name") or {}).values():
            if key(name) not in broad:
                types = specific.setdefault(key(name), [])
                if dt_id not in types:
                    types.append(dt_id)
    cues = data["cues"]
    statements = {
        kind: tuple(
            _compile(path, f"statements.{kind}.{lang}.{n}", p)
            for lang in ("zh", "en")
            for n, p in enumerate(data["statements"][kind].get(lang) or [])
        )
        for kind in STATEMENT_KINDS
    }
    channels = {name: _compile(path, f"channels.{name}", p) for name, p in data["channels"].items()}
    return Lexicon(
        version=str(data["version"]),
        specific={k: tuple(dict.fromkeys(v)) for k, v in specific.items()},
        broad=broad,
        ignore=tuple(_both(data["ignore"])),
        cues={kind: CueMatcher(_both(cues[kind])) for kind in CUE_KINDS},
        field_labels=CueMatcher(_both(cues["sdk_field_labels"])),
        statements=statements,
        channels=channels,
        ambiguous_aliases=frozenset(key(a) for a in data["sdk_aliases"]["ambiguous"]),
        ignored_aliases=frozenset(key(a) for a in data["sdk_aliases"]["ignored"]),
        policy_titles=CueMatcher(_both(data["policy_page"]["titles"])),
        min_data_types=int(data["policy_page"]["min_data_types"]),
    )


def load(knowledge: Any, extra: Iterable[Path] = ()) -> Lexicon:
    """The built-in lexicon, extended by each profile folder that has one (in order)."""
    merged: dict[str, Any] = {}
    sources = []
    last = Path(FILE)
    for folder in [*knowledge.dirs, *extra]:
        path = Path(folder) / FILE
        if not path.exists():
            continue
        data = load_yaml(path)
        if merged:
            _check_part(path, data)
        else:
            check_schema(path, "policy_lexicon", data)
        _check_file(path, data, knowledge.data_types)
        merged = _merge(merged, data) if merged else dict(data)
        sources.append({"path": str(path), "sha256": file_digest(path)})
        last = path
    if not merged:
        raise ProfileError(Path(knowledge.dirs[0]) / FILE, "(file)", "missing")
    return replace(build(merged, knowledge.data_types, last), sources=tuple(sources))


def _check_file(path: Path, data: Mapping[str, Any], data_types: Mapping[str, Any]) -> None:
    """Ids and patterns of one file, with keys that point into that file (not the merge)."""
    for number, entry in enumerate(data.get("data_types") or []):
        if entry["id"] not in data_types:
            raise ProfileError(
                path, f"data_types.{number}.id", f"unknown data type {entry['id']!r} (see taxonomy.yaml)"
            )
    for number, entry in enumerate(data.get("broad") or []):
        for n, dt in enumerate(entry["data_types"]):
            if dt not in data_types:
                raise ProfileError(path, f"broad.{number}.data_types.{n}", f"unknown data type {dt!r}")
    for kind, langs in (data.get("statements") or {}).items():
        for lang, patterns in langs.items():
            for n, pattern in enumerate(patterns):
                _compile(path, f"statements.{kind}.{lang}.{n}", pattern)
    for name, pattern in (data.get("channels") or {}).items():
        _compile(path, f"channels.{name}", pattern)


def _check_part(path: Path, data: Any) -> None:
    """A lab's lexicon may give only the sections it changes; each must still be valid."""
    if not isinstance(data, dict):
        raise ProfileError(path, "(top level)", "expected a mapping of lexicon sections")
    from jsonschema import Draft202012Validator

    from apptest.evidence import schema

    full = schema("policy_lexicon")
    for section, value in data.items():
        if section not in full["properties"]:
            raise ProfileError(path, section, "unknown section of policy_lexicon.yaml")
        # a lab gives only the parts of a section it changes: nothing in it is required
        sub = {"$defs": full["$defs"], **{k: v for k, v in full["properties"][section].items() if k != "required"}}
        errors = sorted(Draft202012Validator(sub).iter_errors(value), key=lambda e: list(map(str, e.absolute_path)))
        if errors:
            where = ".".join([section, *map(str, errors[0].absolute_path)])
            raise ProfileError(path, where, errors[0].message)
