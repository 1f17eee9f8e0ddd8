"""What the bundle's privacy policy declares, indexed for the judge (pure).

The policy collector records sentences (`declares` observations with `source: policy`);
this module reads only those, so the judge stays free of any collector. It answers three
questions the policy rules and the declared-vs-observed matrix ask, with one set of
statuses so that a finding and the matrix can never disagree:

* a data type collected by an actor: `declared`, `unclear` (only negated, conditional or
  broad mentions for that party), `other_party` (declared, but for someone else: the
  JPush row of an SDK list does not cover the app's own code), or `undeclared`;
* an SDK: `listed`, `unclear` (named only in a negated or conditional clause, or only by
  its vendor), `unlisted`, or `library` (a plain library is not a third party);
* a statement (contact channel, deletion, correction, cancellation, purpose): `stated`,
  `unclear`, `absent`.

Party rules, and why. The app's own code needs a first-party mention (one in a sentence
naming no SDK). An SDK that the policy lists needs a mention in its own entry. An SDK the
policy does not list at all is judged by any mention: its omission is already a finding
of its own (`policy_sdk_unlisted`), and one omission should not be counted twice. Actors
the evidence could not name (`unknown`, `system`) are judged by any mention.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from apptest.model import Actor, Observation

STATEMENTS = ("contact", "deletion", "correction", "cancellation", "purpose")
MAX_QUOTES = 5


@dataclass(frozen=True)
class Mention:
    """One `declares` observation of the policy, reduced to what judging needs."""

    observation: str
    value: str
    polarity: str
    broad: bool
    sdks: tuple[str, ...]
    sentence: str
    offset: int
    file: str | None
    complaint: bool = False

    @property
    def firm(self) -> bool:
        """Affirmed and specific: the only kind of mention a verdict may rely on."""
        return self.polarity == "affirmed" and not self.broad

    def quote(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "observation": self.observation,
            "polarity": self.polarity,
            "sentence": self.sentence,
            "offset": self.offset,
            "file": self.file,
        }
        if self.broad:
            out["broad"] = True
        if self.sdks:
            out["sdks"] = list(self.sdks)
        return out


def _mention(obs: Observation) -> Mention:
    detail = obs.detail
    broad = bool(detail.get("broad"))
    if detail.get("kind") == "contact" and detail.get("channel") == "cue" and detail.get("block") == "heading":
        broad = True  # a "联系我们" heading with no address under it is no channel
    return Mention(
        observation=obs.id,
        value=str(detail.get("value", "")),
        polarity=str(detail.get("polarity", "affirmed")),
        broad=broad,
        sdks=tuple(str(s) for s in detail.get("sdks") or ()),
        sentence=str(detail.get("sentence", "")),
        offset=int(detail.get("offset", 0) or 0),
        file=detail.get("file"),
        complaint=bool(detail.get("complaint")),
    )


@dataclass(frozen=True)
class PolicyIndex:
    documents: tuple[Observation, ...] = ()
    data_types: Mapping[str, tuple[Mention, ...]] = field(default_factory=dict)
    sdks: Mapping[str, tuple[Mention, ...]] = field(default_factory=dict)
    statements: Mapping[str, tuple[Mention, ...]] = field(default_factory=dict)
    libraries: frozenset[str] = frozenset()

    @classmethod
    def build(cls, observations: Iterable[Observation], sdk_catalogue: Sequence[Mapping[str, Any]] = ()) -> PolicyIndex:
        documents: list[Observation] = []
        tables: dict[str, dict[str, list[Mention]]] = {"data_type": {}, "sdk": {}, "statement": {}}
        for obs in observations:
            if obs.source != "policy" or obs.action != "declares":
                continue
            kind = obs.detail.get("kind")
            if kind == "document":
                documents.append(obs)
            elif kind in ("data_type", "sdk"):
                mention = _mention(obs)
                tables[str(kind)].setdefault(mention.value, []).append(mention)
            elif kind in STATEMENTS:
                tables["statement"].setdefault(str(kind), []).append(_mention(obs))
        libraries = frozenset(str(s["id"]) for s in sdk_catalogue if s.get("kind") == "library")

        def frozen(table: dict[str, list[Mention]]) -> dict[str, tuple[Mention, ...]]:
            return {
                k: tuple(sorted(v, key=lambda m: (m.file or "", m.offset, m.observation))) for k, v in table.items()
            }

        return cls(
            documents=tuple(documents),
            data_types=frozen(tables["data_type"]),
            sdks=frozen(tables["sdk"]),
            statements=frozen(tables["statement"]),
            libraries=libraries,
        )

    @property
    def found(self) -> bool:
        return bool(self.documents)

    # --- statuses -----------------------------------------------------------------------
    def sdk_status(self, sdk_id: str | None) -> str:
        if not sdk_id:
            return "unlisted"
        if sdk_id in self.libraries:
            return "library"
        mentions = self.sdks.get(sdk_id, ())
        if any(m.firm for m in mentions):
            return "listed"
        return "unclear" if mentions else "unlisted"

    def relevant(self, mention: Mention, actor: Actor) -> bool:
        """Does a data-type mention speak for this actor? (see the module doc)"""
        if actor.kind == "sdk" and actor.id and self.sdk_status(actor.id) in ("listed", "unclear"):
            return actor.id in mention.sdks
        if actor.kind == "app":
            return not mention.sdks
        return True

    def data_type_status(self, data_type: str, actor: Actor) -> str:
        mentions = self.data_types.get(data_type, ())
        mine = [m for m in mentions if self.relevant(m, actor)]
        if any(m.firm for m in mine):
            return "declared"
        if mine:
            return "unclear"
        if any(m.firm for m in mentions):
            return "other_party"
        return "undeclared"

    def statement_status(self, kind: str) -> str:
        mentions = self.statements.get(kind, ())
        if any(m.firm for m in mentions):
            return "stated"
        return "unclear" if mentions else "absent"

    # --- quotes -------------------------------------------------------------------------
    def quotes(self, mentions: Iterable[Mention]) -> list[dict[str, Any]]:
        """The sentences a verdict rests on, firm ones first (at most MAX_QUOTES)."""
        ordered = sorted(mentions, key=lambda m: (not m.firm, m.file or "", m.offset))
        seen: set[tuple[str | None, int]] = set()
        out = []
        for mention in ordered:
            if (mention.file, mention.offset) in seen:
                continue
            seen.add((mention.file, mention.offset))
            out.append(mention.quote())
            if len(out) == MAX_QUOTES:
                break
        return out

    def summary(self) -> dict[str, Any]:
        """What `bundle.policy.*` shows a rule: documents, files and each statement's status."""
        out: dict[str, Any] = {
            "documents": len(self.documents),
            "files": sorted({str(d.detail.get("file")) for d in self.documents if d.detail.get("file")}),
        }
        for kind in STATEMENTS:
            out[kind] = self.statement_status(kind)
        contacts = self.statements.get("contact", ())
        out["complaint"] = "stated" if any(m.firm and m.complaint for m in contacts) else "absent"
        out["data_types_declared"] = sorted(k for k, v in self.data_types.items() if any(m.firm for m in v))
        out["sdks_listed"] = sorted(k for k in self.sdks if self.sdk_status(k) == "listed")
        return out


def item_view(index: PolicyIndex, data_type: str | None, actor: Actor | None) -> dict[str, Any]:
    """`policy.*` of a rule item: the status and the quotes for its data type (or, without
    one, for its actor's SDK), and `sdk.*` for the actor's SDK."""
    actor = actor or Actor()
    sdk_id = actor.id if actor.kind == "sdk" else None
    sdk_view = {
        "id": sdk_id,
        "status": index.sdk_status(sdk_id),
        "quotes": index.quotes(index.sdks.get(sdk_id or "", ())),
    }
    if data_type is None:
        return {"status": sdk_view["status"], "quotes": sdk_view["quotes"], "sdk": sdk_view}
    mentions = index.data_types.get(data_type, ())
    return {
        "status": index.data_type_status(data_type, actor),
        "quotes": index.quotes(mentions),
        "sdk": sdk_view,
    }
