"""Loads the knowledge in `profiles/` and refuses to start on a broken file.

Data types, permissions, sensitive APIs, SDK signatures, the 39 categories, rules and
legal citations are YAML so that a lab adds an SDK or a rule without touching Python.
The price of data is that a typo must be caught at load, not mid-test: every file is
validated against its JSON schema, and the error names the file, the key and the problem
in one line. Unlike checkov's loader, which skips a malformed policy, this one stops: a
silently missing rule reads as "passed".

A lab's own folder (`--profiles DIR`) overrides or extends the built-in one, item by item
(an SDK, a category or a rule with the same id replaces the built-in one).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from apptest.errors import UnreadableInput

# (file or folder, schema name, list key whose items carry ids, id key)
SINGLE_FILES: dict[str, tuple[str, str, str]] = {
    "taxonomy.yaml": ("taxonomy", "data_types", "id"),
    "sdks.yaml": ("sdks", "sdks", "id"),
    "citations.yaml": ("citations", "citations", "id"),
    "phases.yaml": ("phases", "phases", "name"),
    "apk_signals.yaml": ("apk_signals", "packers", "id"),
    "runtime_hooks.yaml": ("runtime_hooks", "targets", "id"),
}
FOLDERS: dict[str, str] = {
    "categories": "category",
    "rules": "rule",
    "devices": "device",
    "scenarios": "scenario",
}
# what `validate_all` loads, in dependency order (taxonomy first: the others refer to it)
PARTS = (
    "taxonomy",
    "sdks",
    "citations",
    "phases",
    "apk_signals",
    "runtime_hooks",
    "categories",
    "rules",
    "devices",
    "scenarios",
)


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ProfileError(UnreadableInput):
    """A profile file is broken; the message is the one line a user sees."""

    def __init__(self, path: Path | str, key: str, problem: str) -> None:
        self.path, self.key, self.problem = str(path), key, problem
        super().__init__(f"{path}: {key}: {problem}")


def builtin_profiles() -> Path:
    """The shipped profiles: inside the installed package, or beside it in a checkout."""
    installed = Path(str(resources.files("apptest"))) / "profiles"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / "profiles"


def load_yaml(path: Path) -> Any:
    """Parse one YAML file; a syntax error is a ProfileError naming the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProfileError(path, "(file)", exc.strerror or str(exc)) from exc
    except UnicodeDecodeError as exc:
        raise ProfileError(path, "(file)", "not UTF-8 text") from exc
    try:
        return yaml.load(text, Loader=_LOADER)  # a safe loader, C-accelerated when libyaml is present
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(file)"
        raise ProfileError(path, where, f"YAML syntax: {getattr(exc, 'problem', None) or exc}") from exc


def check_schema(path: Path, schema_name: str, data: Any, at: str = "") -> None:
    """Validate against apptest/schemas/<name>.schema.json; raise on the first problem.
    `at` is the key of `data` within its file, when it is a section checked on its own."""
    from jsonschema import Draft202012Validator

    text = resources.files("apptest.schemas").joinpath(f"{schema_name}.schema.json").read_text("utf-8")
    validator = Draft202012Validator(json.loads(text))
    errors = sorted(
        validator.iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path)))
    )
    if errors:
        err = errors[0]
        key = ".".join([*([at] if at else []), *(str(p) for p in err.absolute_path)]) or "(top level)"
        raise ProfileError(path, key, err.message)


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Knowledge:
    """All profiles, loaded lazily part by part (`apptest static` never reads the rules)."""

    dirs: list[Path] = field(default_factory=lambda: [builtin_profiles()])
    _versions: dict[str, dict[str, Any]] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def load(cls, extra: Iterable[Path] = ()) -> Knowledge:
        dirs = [builtin_profiles()]
        for folder in extra:
            folder = Path(folder)
            if not folder.is_dir():
                raise ProfileError(folder, "(folder)", "profile folder does not exist")
            dirs.append(folder)
        return cls(dirs=dirs)

    # --- generic loading ----------------------------------------------------------------
    def _single(self, name: str) -> dict[str, Any]:
        schema_name, list_key, id_key = SINGLE_FILES[name]
        merged: dict[str, Any] = {}
        for folder in self.dirs:
            path = folder / name
            if not path.exists():
                continue
            data = load_yaml(path)
            check_schema(path, schema_name, data)
            _check_unique(path, data, list_key, id_key)
            merged = _merge_lists(merged, data, id_key) if merged else data
        if not merged:
            raise ProfileError(self.dirs[0] / name, "(file)", "missing")
        return merged

    def _folder(self, name: str) -> dict[str, tuple[Path, dict[str, Any]]]:
        schema_name = FOLDERS[name]
        items: dict[str, tuple[Path, dict[str, Any]]] = {}
        for folder in self.dirs:
            sub = folder / name
            if not sub.is_dir():
                continue
            for path in sorted(sub.glob("*.yaml")):
                data = load_yaml(path)
                check_schema(path, schema_name, data)
                item_id = data.get("id") or path.stem
                if item_id != path.stem:
                    raise ProfileError(path, "id", f"{item_id!r} differs from the file name {path.stem!r}")
                items[item_id] = (path, data)
        return items

    def versions(self) -> dict[str, dict[str, Any]]:
        """Version and SHA-256 of every profile file, for the bundle manifest (read once)."""
        if self._versions is None:
            self._versions = self._read_versions()
        return self._versions

    def _read_versions(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for folder in self.dirs:
            for path in sorted(folder.rglob("*.yaml")):
                rel = path.relative_to(folder).as_posix()
                key = rel if folder == self.dirs[0] else f"{folder}/{rel}"
                try:
                    version = (load_yaml(path) or {}).get("version")
                except (ProfileError, AttributeError):
                    version = None
                out[key] = {"version": version, "sha256": file_digest(path)}
        return out

    # --- parts --------------------------------------------------------------------------
    @cached_property
    def taxonomy(self) -> dict[str, Any]:
        data = self._single("taxonomy.yaml")
        known = {d["id"] for d in data["data_types"]}
        path = self.dirs[0] / "taxonomy.yaml"
        for number, item in enumerate(data["data_types"]):
            for dt in item.get("counts_as") or []:
                if dt not in known or dt == item["id"]:
                    problem = "a type cannot count as itself" if dt == item["id"] else f"unknown data type {dt!r}"
                    raise ProfileError(path, f"data_types.{number}.counts_as ({item['id']})", problem)
        for section, key in (("permissions", "name"), ("apis", "method"), ("content_uris", "name")):
            for number, item in enumerate(data.get(section) or []):
                for dt in _data_types_of(item):
                    if dt not in known:
                        ref = item.get(key) or item.get("field") or number
                        raise ProfileError(path, f"{section}.{number} ({ref})", f"unknown data type {dt!r}")
        return data

    @cached_property
    def data_types(self) -> dict[str, dict[str, Any]]:
        return {d["id"]: d for d in self.taxonomy["data_types"]}

    @cached_property
    def permissions(self) -> dict[str, dict[str, Any]]:
        return {p["name"]: p for p in self.taxonomy.get("permissions") or []}

    @cached_property
    def apis(self) -> list[dict[str, Any]]:
        return list(self.taxonomy.get("apis") or [])

    @cached_property
    def content_uris(self) -> list[dict[str, Any]]:
        return list(self.taxonomy.get("content_uris") or [])

    @cached_property
    def sdks(self) -> list[dict[str, Any]]:
        data = self._single("sdks.yaml")
        known = set(self.data_types)
        for number, sdk in enumerate(data["sdks"]):
            for dt in sdk.get("collects") or []:
                if dt not in known:
                    raise ProfileError(
                        self.dirs[0] / "sdks.yaml", f"sdks.{number}.collects", f"unknown data type {dt!r}"
                    )
        return list(data["sdks"])

    @cached_property
    def citations(self) -> dict[str, dict[str, Any]]:
        return {c["id"]: c for c in self._single("citations.yaml")["citations"]}

    @cached_property
    def documents(self) -> dict[str, dict[str, Any]]:
        return {d["id"]: d for d in self._single("citations.yaml").get("documents") or []}

    @cached_property
    def phases(self) -> dict[str, dict[str, Any]]:
        return {p["name"]: p for p in self._single("phases.yaml")["phases"]}

    @cached_property
    def apk_signals(self) -> dict[str, Any]:
        return self._single("apk_signals.yaml")

    @cached_property
    def runtime_hooks(self) -> list[dict[str, Any]]:
        """Hook targets that are no personal-data API (permission-result callbacks, the pinning
        bypass): data like the taxonomy's, so a lab adds a trust manager without a new agent."""
        return list(self._single("runtime_hooks.yaml")["targets"])

    @cached_property
    def categories(self) -> dict[str, dict[str, Any]]:
        items = self._folder("categories")
        known = set(self.data_types)
        for cat_id, (path, data) in items.items():
            for section in ("necessary", "service_data"):
                for number, item in enumerate(data.get(section) or []):
                    for dt in _data_types_of(item):
                        if dt not in known:
                            raise ProfileError(path, f"{section}.{number}", f"unknown data type {dt!r}")
            cite = data.get("citation")
            if cite and cite not in self.citations:
                raise ProfileError(path, "citation", f"unknown citation {cite!r}")
            del cat_id
        return {cid: data for cid, (_, data) in items.items()}

    def category(self, name: str) -> dict[str, Any]:
        """Find a category by slug or by its Chinese name (with or without 类)."""
        cats = self.categories
        if name in cats:
            return cats[name]
        wanted = name.strip()
        for cat in cats.values():
            zh = cat["name"]["zh"]
            if wanted in (zh, zh.removesuffix("类")) or wanted.lower() == cat["name"]["en"].lower():
                return cat
        raise KeyError(name)

    @cached_property
    def _rule_files(self) -> dict[str, tuple[Path, dict[str, Any]]]:
        items = self._folder("rules")
        for _rule_id, (path, data) in items.items():
            for cite in data.get("citations") or []:
                if cite not in self.citations:
                    raise ProfileError(path, "citations", f"unknown citation {cite!r}")
        return items

    @cached_property
    def rules(self) -> dict[str, dict[str, Any]]:
        return {rid: data for rid, (_, data) in self._rule_files.items()}

    @cached_property
    def rule_paths(self) -> dict[str, Path]:
        """The file each rule came from (a lab folder's file when it overrides a built-in rule),
        so an error found after loading (an operator argument, a field path) names that file."""
        return {rid: path for rid, (path, _) in self._rule_files.items()}

    def device_profile(self, path: Path) -> dict[str, Any]:
        """A device profile YAML given on the command line, validated like any profile."""
        data = load_yaml(Path(path))
        check_schema(Path(path), "device", data)
        self._check_identifiers(Path(path), data)
        return dict(data)

    def _check_identifiers(self, path: Path, data: dict[str, Any]) -> None:
        for dt in data.get("identifiers") or {}:
            if dt not in self.data_types:
                raise ProfileError(path, f"identifiers.{dt}", "unknown data type (see profiles/taxonomy.yaml)")

    @cached_property
    def _device_files(self) -> dict[str, tuple[Path, dict[str, Any]]]:
        items = self._folder("devices")
        for path, data in items.values():
            self._check_identifiers(path, data)
        return items

    @cached_property
    def devices(self) -> dict[str, dict[str, Any]]:
        """The device profiles in `devices/` of every profile folder, checked as `--device FILE`
        would be, so a lab learns of a typo in its phone's profile before the phone is in use."""
        return {did: dict(data) for did, (_, data) in self._device_files.items()}

    @cached_property
    def device_paths(self) -> dict[str, Path]:
        """The file each device profile came from (a lab's file when it replaces a shipped one)."""
        return {did: path for did, (path, _) in self._device_files.items()}

    @cached_property
    def scenarios(self) -> dict[str, dict[str, Any]]:
        return {sid: data for sid, (_, data) in self._folder("scenarios").items()}

    def validate_all(self) -> list[str]:
        """Load every part this module owns; returns the names of the parts checked (raises on
        the first error). The files a stage reads itself (coverage, policy lexicon, a scenario's
        `extends` chain, a device's `control:`) are checked by `apptest profiles validate`."""
        checked = []
        for part in PARTS:
            getattr(self, part)
            checked.append(part)
        return checked


def _data_types_of(item: dict[str, Any]) -> list[str]:
    out = list(item.get("data_types") or [])
    if item.get("data_type"):
        out.append(item["data_type"])
    out.extend(item.get("any_of") or [])
    for types in (item.get("narrow") or {}).get("values", {}).values():
        out.extend(types)
    return out


def _check_unique(path: Path, data: dict[str, Any], list_key: str, id_key: str) -> None:
    seen: set[str] = set()
    for number, item in enumerate(data.get(list_key) or []):
        item_id = item.get(id_key)
        if item_id in seen:
            raise ProfileError(path, f"{list_key}.{number}.{id_key}", f"duplicate id {item_id!r}")
        seen.add(item_id)


def _merge_lists(base: dict[str, Any], extra: dict[str, Any], id_key: str) -> dict[str, Any]:
    """Lab file over built-in file: list items replace by id (or name), others are added."""
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, list) and isinstance(out.get(key), list):

            def ident(item: Any) -> Any:
                return item.get(id_key) or item.get("name") if isinstance(item, dict) else item

            index = {ident(item): n for n, item in enumerate(out[key])}
            merged = list(out[key])
            for item in value:
                if ident(item) in index:
                    merged[index[ident(item)]] = item
                else:
                    merged.append(item)
            out[key] = merged
        else:
            out[key] = value
    return out
