"""Plain policy text -> what it declares, sentence by sentence (pure: no files, no bundle).

Each declaration keeps the sentence it came from and where that sentence starts, because
a finding must quote the policy, and the polarity of the clause it sits in, because
"我们不会收集您的通讯录" mentions the address book without declaring it. Polarity is
read per clause (a sentence cut at ，；and table cells), with the cue words of the
lexicon: a condition cue makes it `conditional`, else a negation cue without an exception
(不限于, 未经您同意) makes it `negated`, else it is `affirmed`. The judge never treats a
negated, conditional or broad mention as a declaration it can rely on.

Who a data type is declared for matters too: the same "已安装应用列表" in the JPush row
of an SDK table says nothing about the app's own code reading the list. A data type
named in a sentence (or table row) that names an SDK is declared for that SDK
(`detail.sdks`); so is one right after it in a `label: value` line (收集信息：…), in a
continuation row of an SDK table, or in the same paragraph when the sentence speaks of
the SDK without naming it (该SDK会收集…). Anything else is the app's own declaration.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from apptest.policy.clauses import POLARITY_ORDER, Clauses
from apptest.policy.lexicon import STATEMENT_KINDS, Lexicon
from apptest.policy.matcher import Hit, TermMatcher, fold
from apptest.policy.sdkmatch import PACKAGE, URL, SdkName, SdkNames
from apptest.policy.text import PlainText, Sentence

KINDS = ("data_type", "sdk", "purpose", "contact", *STATEMENT_KINDS)


@dataclass(frozen=True)
class Declaration:
    """One thing a policy sentence declares (see `KINDS`)."""

    kind: str
    value: str
    sentence: str
    offset: int
    polarity: str
    detail: dict[str, Any] = field(default_factory=dict)

    def to_detail(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "value": self.value,
            "sentence": self.sentence,
            "offset": self.offset,
            "polarity": self.polarity,
            **self.detail,
        }


@dataclass(frozen=True)
class _Ignored:
    """Payload of an `ignore` phrase: consumes its span, declares nothing."""


@dataclass(frozen=True)
class _Term:
    types: tuple[str, ...]
    broad: str | None


class Extractor:
    """The lexicon and the SDK catalogue compiled into one matcher; `extract` is pure."""

    def __init__(self, lexicon: Lexicon, sdk_names: SdkNames) -> None:
        self.lexicon = lexicon
        self.sdk_names = sdk_names
        entries: dict[str, list[Any]] = {}
        for term, types in lexicon.specific.items():
            entries.setdefault(term, []).append(_Term(types, None))
        for term, (group, types) in lexicon.broad.items():
            entries.setdefault(term, []).append(_Term(types, group))
        for phrase in lexicon.ignore:
            entries.setdefault(phrase, []).append(_Ignored())
        for text, names in sdk_names.terms().items():
            entries.setdefault(text, []).extend(names)
        self.matcher = TermMatcher(entries, case_sensitive=sdk_names.case_sensitive())

    # --- one sentence -------------------------------------------------------------------
    def mask(self, folded: str) -> str:
        """Blank out URLs, e-mail addresses and package names before terms are matched: the
        "location" in a link or the "umeng" in com.umeng.commonsdk is no mention (packages and
        links are matched as such, and contact channels are read from the unmasked text)."""
        spans = [m.span() for m in URL.finditer(folded)]
        spans += [m.span() for m in self.lexicon.channels["email"].finditer(folded)]
        spans += [m.span() for m in PACKAGE.finditer(folded)]
        if not spans:
            return folded
        chars = list(folded)
        for start, end in spans:
            chars[start:end] = " " * (end - start)
        return "".join(chars)

    def _sdks(self, sentence: Sentence, folded: str, hits: Sequence[Hit]) -> dict[str, dict[str, Any]]:
        """SDK id -> {match, text, at, broad} for the SDKs a sentence names."""
        context = bool(self.lexicon.cues["sdk_context"].search(folded)) or bool(
            sentence.header and self.lexicon.cues["sdk_context"].search(fold(sentence.header))
        )
        found: dict[str, dict[str, Any]] = {}
        for hit in hits:
            for name in hit.payloads:
                if not isinstance(name, SdkName) or (name.ambiguous and not context):
                    continue
                entry = {"match": name.match, "text": hit.text, "at": hit.start, "broad": name.broad}
                if name.sdk not in found or (found[name.sdk]["broad"] and not name.broad):
                    found[name.sdk] = entry
        for how, hits_ in (
            ("package", self.sdk_names.by_package(folded)),
            ("policy_url", self.sdk_names.by_policy_url(folded)),
        ):
            for sdk_id, text, broad in hits_:
                if sdk_id not in found or (found[sdk_id]["broad"] and not broad):
                    found[sdk_id] = {"match": how, "text": text, "at": folded.find(text), "broad": broad}
        named = [s for s, e in found.items() if not e["broad"]]
        return {
            s: e for s, e in found.items() if not e["broad"] or not any(self.sdk_names.same_vendor(s, n) for n in named)
        }

    def _data_types(self, hits: Sequence[Hit], clauses: Clauses) -> dict[tuple[str, str | None], dict[str, Any]]:
        """(type, broad group or None) -> {polarity, terms, at}; broad terms narrowed away
        when the sentence also names one of their types specifically."""
        out: dict[tuple[str, str | None], dict[str, Any]] = {}
        for hit in hits:
            for term in hit.payloads:
                if not isinstance(term, _Term):
                    continue
                polarity = clauses.at(hit.start)
                for dt in term.types:
                    slot = out.setdefault((dt, term.broad), {"polarity": polarity, "terms": [], "at": hit.start})
                    if POLARITY_ORDER[polarity] < POLARITY_ORDER[slot["polarity"]]:
                        slot["polarity"] = polarity
                    if hit.text not in slot["terms"]:
                        slot["terms"].append(hit.text)
        specific = {dt for dt, group in out if group is None}
        groups: dict[str, set[str]] = {}
        for dt, group in out:
            if group is not None:
                groups.setdefault(group, set()).add(dt)
        dropped = {g for g, types in groups.items() if types & specific}
        return {k: v for k, v in out.items() if k[1] is None or (k[1] not in dropped and k[0] not in specific)}

    def _contacts(self, folded: str, clauses: Clauses) -> list[tuple[str, str, int]]:
        """(channel:value, polarity, position) of contact channels in a sentence; a contact
        cue without an address is `cue:<word>` (an in-app channel, or only a heading)."""
        channels = self.lexicon.channels
        cue = self.lexicon.cues["contact"].search(folded)
        out = [(f"email:{m.group(0)}", clauses.at(m.start()), m.start()) for m in channels["email"].finditer(folded)]
        if cue:
            for name in ("phone", "url"):
                for m in channels[name].finditer(folded):
                    if name == "url" and "@" in m.group(0):
                        continue
                    out.append((f"{name}:{m.group(0)}", clauses.at(m.start()), m.start()))
            if not out:
                at = folded.casefold().find(cue.casefold())
                out.append((f"cue:{cue}", clauses.at(max(at, 0)), max(at, 0)))
        return out

    # --- the whole text -----------------------------------------------------------------
    def extract(self, plain: PlainText) -> list[Declaration]:
        """Every declaration of a policy, in text order (deterministic)."""
        out: list[Declaration] = []
        context: list[str] = []  # SDKs the previous sentences were about (see module doc)
        context_para: int | None = None
        context_table: int | None = None
        for sentence in plain.sentences:
            folded = fold(sentence.text)
            hits = list(self.matcher.find(self.mask(folded)))
            clauses = Clauses.of(folded, self.lexicon.cues)
            sdks = self._sdks(sentence, folded, hits)
            own = sorted(sdks)
            label = self.lexicon.field_labels.starts(folded)
            if sentence.block == "heading":
                context, context_para, context_table = [], None, None
            if own:
                context, context_para, context_table = own, sentence.para, sentence.table
                owner = own
            elif context and (
                label
                or (sentence.para == context_para and self.lexicon.cues["sdk_context"].search(folded))
                or (sentence.table is not None and sentence.table == context_table and self._sdk_table(sentence))
            ):
                owner = context
            else:
                owner, context, context_para, context_table = [], [], None, None
            out.extend(self._sentence(sentence, folded, hits, clauses, sdks, owner, bool(own)))
        return out

    def _sdk_table(self, sentence: Sentence) -> bool:
        return bool(sentence.header and self.lexicon.cues["sdk_context"].search(fold(sentence.header)))

    def _sentence(
        self,
        sentence: Sentence,
        folded: str,
        hits: Sequence[Hit],
        clauses: Clauses,
        sdks: dict[str, dict[str, Any]],
        owner: list[str],
        named_here: bool,
    ) -> Iterator[Declaration]:
        purpose = self.lexicon.cues["purpose"].search(folded)

        def declare(kind: str, value: str, polarity: str, at: int, **detail: Any) -> Declaration:
            where = {"at": sentence.offset + max(at, 0), "block": sentence.block}
            return Declaration(kind, value, sentence.text, sentence.offset, polarity, {**where, **detail})

        for sdk_id, info in sorted(sdks.items()):
            yield declare(
                "sdk",
                sdk_id,
                clauses.at(info["at"]),
                info["at"],
                match=info["match"],
                text=info["text"],
                broad=info["broad"],
            )
        for (dt, group), info in sorted(
            self._data_types(hits, clauses).items(), key=lambda kv: (kv[1]["at"], kv[0][0])
        ):
            detail: dict[str, Any] = {"terms": info["terms"], "broad": group, "purpose": bool(purpose)}
            if owner:
                detail["sdks"] = list(owner)
                if not named_here:
                    detail["sdks_from"] = "previous sentence"
            yield declare("data_type", dt, info["polarity"], info["at"], **detail)
        if purpose:
            at = folded.casefold().find(purpose.casefold())
            yield declare("purpose", purpose, clauses.at(max(at, 0)), at)
        complaint = bool(self.lexicon.cues["complaint"].search(folded))
        for value, polarity, at in self._contacts(folded, clauses):
            channel = value.split(":", 1)[0]
            yield declare("contact", value, polarity, at, channel=channel, complaint=complaint)
        for kind in STATEMENT_KINDS:
            for pattern in self.lexicon.statements[kind]:
                found = pattern.search(folded)
                if found:
                    yield declare(kind, found.group(0), clauses.at(found.start()), found.start())
                    break


def summary(declarations: Iterable[Declaration]) -> dict[str, Any]:
    """Counts per kind and polarity, and the data types and SDKs affirmed (for the CLI)."""
    out: dict[str, Any] = {"declarations": 0, "by_kind": {}, "data_types": [], "sdks": []}
    types: set[str] = set()
    sdks: set[str] = set()
    for dec in declarations:
        out["declarations"] += 1
        out["by_kind"].setdefault(dec.kind, {}).setdefault(dec.polarity, 0)
        out["by_kind"][dec.kind][dec.polarity] += 1
        if dec.polarity == "affirmed" and not dec.detail.get("broad"):
            if dec.kind == "data_type":
                types.add(dec.value)
            elif dec.kind == "sdk":
                sdks.add(dec.value)
    out["data_types"], out["sdks"] = sorted(types), sorted(sdks)
    return out


def mentions_data_types(plain: PlainText, extractor: Extractor) -> int:
    """How many distinct data types a text mentions at all (to tell a policy from a page)."""
    found: set[str] = set()
    for sentence in plain.sentences:
        for hit in extractor.matcher.find(extractor.mask(fold(sentence.text))):
            for term in hit.payloads:
                if isinstance(term, _Term) and term.broad is None:
                    found.update(term.types)
    return len(found)
