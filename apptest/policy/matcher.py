"""Find many literal terms in a text in one pass, longest first, without moving offsets.

Data-type terms, phrases to ignore and SDK names are matched together on purpose: in
"AMap Location SDK" the SDK alias must win over the data-type term "location", and in
"SIM卡序列号" the ICCID term over "序列号" (serial number). One alternation sorted by
length gives exactly that: at each position the longest term wins, and a matched span is
never matched again.

Text is folded per character with NFKC (full-width ＩＭＥＩ -> IMEI, ： -> :, （ -> ( ) so that
offsets in the folded text are offsets in the original.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

_ASCII_WORD = re.compile(r"[A-Za-z0-9]")


def fold(text: str) -> str:
    """NFKC per character, keeping length: a character whose folding is longer stays as is."""
    out = []
    for char in text:
        folded = unicodedata.normalize("NFKC", char)
        out.append(folded if len(folded) == 1 else char)
    return "".join(out)


def key(term: str) -> str:
    """The lookup key of a term or a matched span: folded, case-folded, spaces collapsed."""
    return re.sub(r"\s+", " ", fold(term).strip()).casefold()


def _pattern(term: str, case_sensitive: bool) -> str:
    body = r"\s+".join(re.escape(part) for part in term.split())
    if case_sensitive:
        body = f"(?-i:{body})"
    if _ASCII_WORD.match(term[0]):
        body = r"(?<![A-Za-z0-9_])" + body
    if _ASCII_WORD.match(term[-1]):
        body += r"(?![A-Za-z0-9_])"
    return body


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    text: str
    payloads: tuple[Any, ...]


class TermMatcher:
    """Literal terms -> payloads; Latin terms match whole words, case-insensitively unless
    listed in `case_sensitive` (short upper-case SDK names such as GA or TIM)."""

    def __init__(self, entries: Mapping[str, Iterable[Any]], case_sensitive: Iterable[str] = ()) -> None:
        exact = {fold(t).strip() for t in case_sensitive}
        self._payloads: dict[str, list[Any]] = {}
        self._exact: dict[str, list[Any]] = {}
        terms: dict[str, bool] = {}
        for term, payloads in entries.items():
            folded = re.sub(r"\s+", " ", fold(term).strip())
            if not folded:
                continue
            sensitive = folded in exact
            table = self._exact if sensitive else self._payloads
            table.setdefault(folded if sensitive else folded.casefold(), []).extend(payloads)
            terms[folded] = terms.get(folded, False) or sensitive
        ordered = sorted(terms, key=lambda t: (-len(t), t))
        self._regex = re.compile("|".join(_pattern(t, terms[t]) for t in ordered), re.IGNORECASE) if ordered else None

    def find(self, folded_text: str) -> Iterator[Hit]:
        """Every match in a text already passed through `fold`, left to right."""
        if self._regex is None:
            return
        for match in self._regex.finditer(folded_text):
            text = match.group(0)
            norm = re.sub(r"\s+", " ", text)
            payloads = [*self._exact.get(norm, ()), *self._payloads.get(norm.casefold(), ())]
            if payloads:
                yield Hit(match.start(), match.end(), text, tuple(payloads))


class CueMatcher:
    """Does a piece of text contain one of a list of cue words (same matching rules)?"""

    def __init__(self, cues: Iterable[str]) -> None:
        words = sorted({re.sub(r"\s+", " ", fold(c).strip()) for c in cues if c.strip()}, key=lambda t: (-len(t), t))
        self._regex = re.compile("|".join(_pattern(w, False) for w in words), re.IGNORECASE) if words else None

    def search(self, folded_text: str) -> str | None:
        if self._regex is None:
            return None
        found = self._regex.search(folded_text)
        return found.group(0) if found else None

    def starts(self, folded_text: str) -> str | None:
        """The cue the text starts with (after a bullet or number), followed by a colon."""
        if self._regex is None:
            return None
        head = re.match(r"^\s*(?:[-*•·]|\(?\d{1,3}[.)、]|[(（]?[一二三四五六七八九十]+[)）、.])?\s*", folded_text)
        rest = folded_text[head.end() if head else 0 :]
        found = self._regex.match(rest)
        if found and rest[found.end() :].lstrip()[:1] in (":", "："):
            return found.group(0)
        return None
