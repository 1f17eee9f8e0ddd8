"""What a rule condition can look at: one item (an observation seen through one data type
or one permission, with its state) and the facts shared by the whole judgement.

Field paths are a closed set of roots, checked when a rule is loaded, so a misspelt path
in a rule YAML fails at start instead of silently matching nothing:

* observation fields: `id`, `ts`, `source`, `action`, `data_types`, `confidence`, `pid`,
  `actor.*`, `destination.*`, `detail.*`;
* `data_type` / `permission`: the one the item stands for (rules say `each:`);
* `sender.*`: who sent a transmission (`actor`, `proof`: stack|domain|none), after the
  traffic/runtime join;
* `state.*`: consent, app, screen, denied, separate, launch (computed from phases);
* `after.*`: the refusal mark a scenario `usable`/`blocks` observation refers to
  (`after.mark`, `after.param`, `after.raw`);
* `static.*`: static.json; `bundle.*`: counts and facts about the whole bundle
  (`bundle.policy.*`: the privacy policy's documents and statements);
* `policy.*`: what the privacy policy says about the item (`policy.status`,
  `policy.quotes`: the sentences, firm ones first; `policy.sdk.*` for the actor's SDK).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from apptest.model import Observation
from apptest.rules.join import Sender
from apptest.rules.policy import PolicyIndex, item_view
from apptest.rules.scope import Scope
from apptest.rules.state import State, Timeline, split_mark

OBSERVATION_FIELDS = ("id", "ts", "source", "action", "data_types", "confidence", "pid")
ROOTS = (
    *OBSERVATION_FIELDS,
    "actor",
    "destination",
    "detail",
    "data_type",
    "permission",
    "sender",
    "state",
    "after",
    "static",
    "bundle",
    "policy",
)
MISSING = object()


@dataclass(frozen=True)
class Facts:
    """Everything shared by all rules of one judgement (read-only)."""

    scope: Scope
    timeline: Timeline
    static: Mapping[str, Any] = field(default_factory=dict)
    data_types: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    permissions: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    observations: tuple[Observation, ...] = ()
    senders: Mapping[str, Sender] = field(default_factory=dict)
    bundle: Mapping[str, Any] = field(default_factory=dict)
    moments: Mapping[str, datetime] = field(default_factory=dict)
    by_id: Mapping[str, Observation] = field(default_factory=dict)
    states: Mapping[str, State] = field(default_factory=dict)
    by_kind: Mapping[tuple[str, str], tuple[Observation, ...]] = field(default_factory=dict)
    levels: Mapping[str, list[tuple[str, Observation]]] = field(default_factory=dict)
    policy: PolicyIndex = field(default_factory=PolicyIndex)


@dataclass(frozen=True)
class Item:
    """One thing a rule judges: an observation through one data type or permission.

    A bundle-scope rule (target SDK, packer) judges one item with no observation.
    """

    obs: Observation | None = None
    at: datetime | None = None
    state: State | None = None
    data_type: str | None = None
    permission: str | None = None


def _dig(value: Any, parts: list[str]) -> Any:
    for part in parts:
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        else:
            return MISSING
    return value


def _attr(record: Any, parts: list[str]) -> Any:
    """A field of a small model dataclass (Actor, Destination); None counts as missing."""
    if len(parts) != 1:
        return MISSING
    value = getattr(record, parts[0], MISSING)
    return MISSING if value is None else value


def resolve(item: Item, facts: Facts, path: str) -> Any:
    """The value of a field path for an item; `MISSING` when it has none."""
    root, *rest = path.split(".")
    obs = item.obs
    if root in ("data_type", "permission"):
        return getattr(item, root)
    if root == "static":
        return _dig(facts.static, rest)
    if root == "bundle":
        return _dig(facts.bundle, rest)
    if root == "policy":
        return _dig(item_view(facts.policy, item.data_type, item.obs.actor if item.obs else None), rest)
    if root == "state":
        return MISSING if item.state is None else _dig(item.state.to_dict(), rest)
    if obs is None:
        return MISSING
    if root in OBSERVATION_FIELDS:
        value = getattr(obs, root)
        return list(value) if isinstance(value, tuple) else value
    if root == "actor":
        return _attr(obs.actor, rest)
    if root == "destination":
        return MISSING if obs.destination is None else _attr(obs.destination, rest)
    if root == "detail":
        return _dig(obs.detail, rest)
    if root == "sender":
        sender = facts.senders.get(obs.id)
        actor, proof = (sender.actor, sender.proof) if sender else (obs.actor, obs.actor.proof)
        if rest == ["proof"]:
            return proof
        return _attr(actor, rest[1:]) if rest[:1] == ["actor"] else MISSING
    if root == "after":
        raw = obs.detail.get("after")
        if not isinstance(raw, str):
            return MISSING
        name, param = split_mark(raw)
        return _dig({"raw": raw, "mark": name, "param": param}, rest)
    raise KeyError(path)


def check_path(path: str) -> str | None:
    """Why `path` is not a field path (None when it is one)."""
    root = path.split(".")[0]
    if root not in ROOTS:
        return f"unknown field {path!r}: a field starts with one of {', '.join(ROOTS)}"
    if root in (*OBSERVATION_FIELDS, "data_type", "permission") and "." in path:
        return f"field {path!r}: {root} has no sub-fields"
    return None
