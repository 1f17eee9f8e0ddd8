"""Search every leaf of a message for every known-value variant at once (Aho-Corasick).

A loop of one regex per value costs values x forms x bytes; an automaton costs bytes once,
whatever the number of values (50 seeded values make ~3,000 variants). All leaves are
joined with NUL into one haystack so the whole message is scanned in one C-level pass.

Case: the haystack and the patterns are lower-cased, so `AA:BB..`/`aa:bb..` and upper-
or lower-case hex digests match alike; base64 forms, where case is meaning, are then
confirmed against the original text.

Boundaries: a hit must not be the middle of a longer token (an IMEI inside a longer digit
run, an ANDROID_ID inside a SHA-256 digest). Each variant names the characters that may
not touch it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from typing import NamedTuple

import ahocorasick

from apptest.traffic.knownvalues import Variant
from apptest.traffic.layers import Leaf

SEP = "\x00"
_CLASSES = {
    "digit": re.compile(r"[0-9]"),
    "hex": re.compile(r"[0-9A-Fa-f]"),
    "b64": re.compile(r"[A-Za-z0-9+/_-]"),
    "ident": re.compile(r"[A-Za-z0-9_.]"),
    "word": re.compile(r"[A-Za-z0-9]"),
}


class Haystack:
    """All leaves of one message as one string, with a map back to the leaf of a position."""

    def __init__(self, leaves: Sequence[Leaf]) -> None:
        self.leaves = leaves
        self.starts: list[int] = []
        pos = 0
        for leaf in leaves:
            self.starts.append(pos)
            pos += len(leaf.text) + 1
        self.text = SEP.join(leaf.text for leaf in leaves)
        self._lower: str | None = None
        self._data: bytes | None = None

    @property
    def lower(self) -> str:
        if self._lower is None:
            self._lower = self.text.lower()
        return self._lower

    @property
    def data(self) -> bytes:
        """The text as bytes (1:1 positions): byte-level scans are several times faster."""
        if self._data is None:
            self._data = self.text.encode("latin-1", "replace")
        return self._data

    def leaf_of(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos) - 1

    def context(self, start: int, width: int = 24) -> str:
        """Up to `width` characters before `start`, within the same leaf."""
        leaf_start = self.starts[self.leaf_of(start)]
        return self.text[max(leaf_start, start - width) : start]


def runs(folded: bytes, shortest: int, longest: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each maximal run of b"0" in `folded`, `shortest`..`longest` long.

    Callers fold a character class to "0" with bytes.translate first (digits, hex digits):
    the scan is then a substring search in C, several times faster than a regex with a
    character class over the large JSON bodies SDKs send.
    """
    probe = b"0" * shortest
    zero = ord("0")
    pos = folded.find(probe)
    while pos >= 0:
        end = pos + shortest
        while end < len(folded) and folded[end] == zero:
            end += 1
        if end - pos <= longest and (pos == 0 or folded[pos - 1] != zero):
            yield pos, end
        pos = folded.find(probe, end)


_HEX_FOLD = bytes.maketrans(b"123456789abcdefABCDEF0", b"0" * 22)
_DIGEST_SIZES = frozenset({32, 40, 64})  # MD5, SHA-1, SHA-256 in hex


class Hit(NamedTuple):
    start: int
    end: int  # exclusive
    leaf: int
    variant: Variant


def bounded(text: str, start: int, end: int, kind: str) -> bool:
    """True when nothing of the forbidden class touches text[start:end] on either side."""
    cls = _CLASSES.get(kind)
    if cls is None:
        return True
    if kind == "word":
        first, last = text[start], text[end - 1]
        before = start > 0 and first.isalnum() and cls.match(text[start - 1]) is not None
        after = end < len(text) and last.isalnum() and cls.match(text[end]) is not None
        return not (before or after)
    if start > 0 and cls.match(text[start - 1]):
        return False
    return not (end < len(text) and cls.match(text[end]))


class KnownMatcher:
    """One automaton over all variants but digests; `find` returns confirmed, bounded hits.

    Hex digests (MD5/SHA-1/SHA-256 of every form and case) are most of the variants and
    would make the automaton ten times larger and slower; a digest is always a whole hex
    run of 32, 40 or 64 characters, so those are found by run and looked up in a dict.
    """

    def __init__(self, variants: Sequence[Variant]) -> None:
        self.variants = list(variants)
        self._automaton: ahocorasick.Automaton | None = None
        self._digests: dict[str, list[int]] = {}
        groups: dict[str, list[int]] = {}
        for number, variant in enumerate(self.variants):
            digest = variant.boundary == "hex" and len(variant.pattern) in _DIGEST_SIZES
            (self._digests if digest else groups).setdefault(variant.pattern, []).append(number)
        if groups:
            automaton = ahocorasick.Automaton()
            for pattern, numbers in groups.items():
                automaton.add_word(pattern, (len(pattern), tuple(numbers)))
            automaton.make_automaton()
            self._automaton = automaton

    def find(self, hay: Haystack) -> list[Hit]:
        if not hay.text:
            return []
        hits: list[Hit] = []
        if self._digests:
            for start, end in runs(hay.data.translate(_HEX_FOLD), 32, 64):
                if end - start in _DIGEST_SIZES:
                    for number in self._digests.get(hay.text[start:end].lower(), ()):
                        hits.append(Hit(start, end, hay.leaf_of(start), self.variants[number]))
        if self._automaton is None:
            return hits
        text = hay.text
        for last, (size, numbers) in self._automaton.iter(hay.lower):
            start, end = last - size + 1, last + 1
            for number in numbers:
                variant = self.variants[number]
                if variant.exact is not None and text[start:end] != variant.exact:
                    continue
                if bounded(text, start, end, variant.boundary):
                    hits.append(Hit(start, end, hay.leaf_of(start), variant))
        return hits
