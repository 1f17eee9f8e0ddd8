"""Scenario YAML -> a flat, checked list of steps, with `extends:` and `${vars}` resolved.

Labs run one protocol on many apps, so an app's scenario is the standard one plus the
app's own button texts and extra steps. Everything that can be wrong in a scenario is
found here, before the phone is touched: an unknown parent, a step id an `insert` names
but the parent lacks, a var nobody set, a phase mark outside profiles/phases.yaml or with
a malformed parameter. A broken scenario discovered halfway through a run would leave a
half-tested app and a bundle whose phases mean nothing.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apptest.knowledge import ProfileError, check_schema, file_digest, load_yaml

ACTIONS = (
    "launch",
    "relaunch",
    "kill",
    "wait",
    "wait_for",
    "tap",
    "input",
    "swipe",
    "back",
    "home",
    "background",
    "screen_off",
    "grant",
    "revoke",
    "deny",
    "allow",
    "phase",
    "screenshot",
    "check_usable",
)
STEP_KEYS = ("id", "name", "mark", "optional", "settle")
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
DEFAULT_SETTINGS: dict[str, Any] = {
    "settle_seconds": 1.5,
    "refusal_check_seconds": 3.0,
    "wait_for_seconds": 10.0,
    "on_failure": "continue",
    "screenshots": True,
}


@dataclass(frozen=True)
class Step:
    """One resolved step: an action, its arguments (vars substituted) and its marks."""

    index: int
    action: str
    args: Any
    name: str
    id: str | None = None
    marks: tuple[str, ...] = ()
    optional: bool = False
    settle: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index, "action": self.action, "name": self.name, "args": self.args}
        if self.id:
            out["id"] = self.id
        if self.marks:
            out["marks"] = list(self.marks)
        if self.optional:
            out["optional"] = True
        return out


@dataclass(frozen=True)
class Scenario:
    """A resolved scenario. `chain` is the scenario's id, then its parents' ids."""

    id: str
    version: str
    title: dict[str, str]
    chain: tuple[str, ...]
    steps: tuple[Step, ...]
    settings: dict[str, Any] = field(default_factory=dict)
    vars: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def manifest_entry(self) -> dict[str, Any]:
        """What the bundle manifest records: which scenario, which files (by SHA-256)."""
        return {"id": self.id, "version": self.version, "chain": list(self.chain), "sha256": dict(self.sources)}


def substitute(value: Any, variables: Mapping[str, Any], where: str) -> Any:
    """`${name}` as a whole value becomes the var's value (any type); inside text, its text."""
    if isinstance(value, str):
        whole = _VAR.fullmatch(value)
        if whole:
            return copy.deepcopy(_lookup(variables, whole.group(1), where))
        return _VAR.sub(lambda m: str(_lookup(variables, m.group(1), where)), value)
    if isinstance(value, list):
        return [substitute(v, variables, where) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, variables, where) for k, v in value.items()}
    return value


def _lookup(variables: Mapping[str, Any], name: str, where: str) -> Any:
    if name not in variables:
        raise KeyError(f"{where}: ${{{name}}} is not set in vars")
    return variables[name]


def _index_of(steps: list[dict[str, Any]], step_id: str) -> int:
    for number, step in enumerate(steps):
        if step.get("id") == step_id:
            return number
    raise KeyError(step_id)


def apply_inserts(steps: list[dict[str, Any]], insert: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A child's `insert: {before|after|replace: {step_id: [steps]}}` applied to the parent's steps."""
    out = list(steps)
    for how in ("replace", "before", "after"):
        for step_id, extra in (insert.get(how) or {}).items():
            try:
                at = _index_of(out, step_id)
            except KeyError:
                raise KeyError(f"insert.{how}.{step_id}: no step with id {step_id!r} to insert at") from None
            if how == "replace":
                out[at : at + 1] = list(extra)
            elif how == "before":
                out[at:at] = list(extra)
            else:
                out[at + 1 : at + 1] = list(extra)
    return out


def check_mark(raw: str, phases: Mapping[str, Mapping[str, Any]]) -> str | None:
    """Why `raw` is not a valid mark of profiles/phases.yaml (None when it is)."""
    name, sep, param = raw.partition(":")
    definition = phases.get(name)
    if definition is None:
        return f"unknown phase mark {name!r} (see profiles/phases.yaml)"
    parameter = definition.get("parameter")
    if parameter is None:
        return f"mark {name!r} takes no parameter" if sep else None
    if not sep:
        return f"mark {name!r} needs a parameter ({parameter['kind']}): {name}:<value>"
    if not re.fullmatch(parameter["pattern"], param):
        return f"mark {raw!r}: parameter does not match {parameter['pattern']}"
    return None


def _default_name(action: str, args: Any) -> str:
    if args in (None, {}, []):
        return action
    if isinstance(args, str | int | float):
        return f"{action} {args}"
    if isinstance(args, dict):
        if args.get("text"):
            text = args["text"]
            return f"{action} {'|'.join(text) if isinstance(text, list) else text}"
        for key in ("resource_id", "permission", "mark", "seconds", "xpath"):
            if args.get(key) is not None:
                return f"{action} {args[key]}"
    return action


def build_steps(raw_steps: list[dict[str, Any]], variables: Mapping[str, Any], phases: Mapping[str, Any]) -> list[Step]:
    steps: list[Step] = []
    for number, raw in enumerate(raw_steps):
        where = f"steps.{number}" + (f" ({raw['id']})" if raw.get("id") else "")
        raw = substitute(raw, variables, where)
        actions = [k for k in raw if k in ACTIONS]
        if len(actions) != 1:
            raise KeyError(f"{where}: a step has exactly one action ({', '.join(ACTIONS)})")
        action = actions[0]
        marks = raw.get("mark") or []
        marks = (marks,) if isinstance(marks, str) else tuple(marks)
        if action == "phase":
            arg = raw["phase"]
            marks = (arg if isinstance(arg, str) else arg["mark"], *marks)
        for mark in marks:
            problem = check_mark(mark, phases)
            if problem:
                raise KeyError(f"{where}.mark: {problem}")
        name = str(raw.get("name") or _default_name(action, raw[action])).strip() or action
        settle = raw.get("settle")
        steps.append(
            Step(
                index=number,
                action=action,
                args=raw[action],
                name=name,
                id=raw.get("id"),
                marks=marks if action != "phase" else marks[1:],
                optional=bool(raw.get("optional", False)),
                settle=float(settle) if settle is not None else None,
            )
        )
    return steps


def resolve(
    docs: Mapping[str, tuple[Path, dict[str, Any]]],
    scenario_id: str,
    phases: Mapping[str, Mapping[str, Any]],
) -> Scenario:
    """Resolve `scenario_id` among `docs` ({id: (path, data)}); ProfileError names the file."""
    if scenario_id not in docs:
        known = ", ".join(sorted(docs)) or "none"
        raise ProfileError(scenario_id, "(scenario)", f"unknown scenario (known: {known})")
    chain: list[str] = []
    current: str | None = scenario_id
    while current is not None:
        if current in chain:
            raise ProfileError(docs[chain[-1]][0], "extends", f"cycle: {' -> '.join([*chain, current])}")
        if current not in docs:
            raise ProfileError(docs[chain[-1]][0], "extends", f"unknown parent scenario {current!r}")
        chain.append(current)
        current = docs[current][1].get("extends")
    settings: dict[str, Any] = dict(DEFAULT_SETTINGS)
    variables: dict[str, Any] = {}
    steps: list[dict[str, Any]] = []
    for sid in reversed(chain):
        path, data = docs[sid]
        settings.update(data.get("settings") or {})
        variables.update(data.get("vars") or {})
        if "steps" in data:
            steps = [dict(s) for s in data["steps"]]
        try:
            steps = apply_inserts(steps, data.get("insert") or {})
        except KeyError as exc:
            raise ProfileError(path, "insert", str(exc.args[0])) from None
    leaf_path, leaf = docs[scenario_id]
    if not steps:
        raise ProfileError(leaf_path, "steps", "the scenario has no steps")
    try:
        resolved = [substitute(step, variables, f"steps.{n}") for n, step in enumerate(steps)]
    except KeyError as exc:
        raise ProfileError(leaf_path, "steps", str(exc.args[0])) from None
    check_schema(
        leaf_path, "scenario", {"id": scenario_id, "version": "0.0.0", "title": leaf["title"], "steps": resolved}
    )
    try:
        built = build_steps(resolved, {}, phases)
    except KeyError as exc:
        raise ProfileError(leaf_path, "steps", str(exc.args[0])) from None
    _check_types(leaf_path, built)
    return Scenario(
        id=scenario_id,
        version=str(leaf["version"]),
        title=dict(leaf["title"]),
        chain=tuple(chain),
        steps=tuple(built),
        settings=settings,
        vars=variables,
        sources={sid: file_digest(docs[sid][0]) for sid in chain if docs[sid][0].is_file()},
    )


def _check_types(path: Path, steps: list[Step]) -> None:
    """What the schema allows but a step cannot use: a target var that resolved to null."""
    for step in steps:
        if step.action in ("tap", "wait_for") and step.args is None:
            raise ProfileError(path, f"steps.{step.index}.{step.action}", "needs a target (a var resolved to null?)")


def _docs(knowledge: Any) -> dict[str, tuple[Path, dict[str, Any]]]:
    """Every scenario of the profile folders; a lab's folder overrides by id."""
    docs: dict[str, tuple[Path, dict[str, Any]]] = {}
    scenarios = knowledge.scenarios  # validates every file against the schema
    for folder in knowledge.dirs:
        for path in sorted((Path(folder) / "scenarios").glob("*.yaml")):
            if path.stem in scenarios:
                docs[path.stem] = (path, scenarios[path.stem])
    return docs


def load_scenario(knowledge: Any, spec: str | Path) -> Scenario:
    """A scenario by id (profiles/scenarios/ID.yaml) or by file path (its parents by id)."""
    docs = _docs(knowledge)
    path = Path(spec)
    if path.suffix in (".yaml", ".yml") or path.is_file():
        data = load_yaml(path)
        check_schema(path, "scenario", data)
        if data["id"] != path.stem:
            raise ProfileError(path, "id", f"{data['id']!r} differs from the file name {path.stem!r}")
        docs[path.stem] = (path, data)
        parent = data.get("extends")
        while parent and parent not in docs and (path.parent / f"{parent}.yaml").is_file():
            sibling = path.parent / f"{parent}.yaml"
            sib = load_yaml(sibling)
            check_schema(sibling, "scenario", sib)
            docs[parent] = (sibling, sib)
            parent = sib.get("extends")
        return resolve(docs, path.stem, knowledge.phases)
    return resolve(docs, str(spec), knowledge.phases)
