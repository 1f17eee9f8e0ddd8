"""Validated patterns for personal data nobody seeded: ID numbers, bank cards, phones, IMEIs.

A pattern hit is weaker evidence than a known value (`confidence: pattern`): the rules
treat it as needs-review, never as a violation on its own. Even so, a bare check digit is
not enough — one random 15-digit number in ten passes Luhn, and order ids, trace ids and
timestamps are everywhere. Each detector therefore demands a second, independent sign:
a key hint (`imei=`, `"idno":`, `cardNo`), a valid region code and birth date, a card
BIN prefix. Each is one small class with a stable `data_type` and named static checks,
shaped like detect-secrets plugins, so each has its own must-flag / must-not-flag table.

`data_type` values are taxonomy ids: renaming one breaks every stored bundle's meaning.
"""

from __future__ import annotations

import datetime as dt
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import ClassVar, NamedTuple

from apptest.traffic.formats import latin
from apptest.traffic.match import Haystack, runs

_FOLD = bytes.maketrans(b"123456789", b"000000000")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}")
_PHONE_PREFIX = re.compile(r"(?:\+86|0086|\+?86[ -])[ -]?$")
# GB/T 2260 province-level codes (first two digits of a resident ID number)
_PROVINCES = frozenset(str(code) for code in (
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
    50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
))  # fmt: skip
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
WHOLE_FIELD = "(whole field)"  # context marker: the address is a field's entire value
_MOBILE = re.compile(r"1(?:3\d|4[5-9]|5[0-35-9]|6[2567]|7[0-8]|8\d|9[0-35-9])\d{8}")


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check digit of IMEIs and payment cards."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _hinted(context: str, hints: tuple[str, ...]) -> bool:
    lowered = context.lower()
    return any(hint in lowered for hint in hints)


class PatternDetector(ABC):
    """Base: `analyze` says whether a candidate (and the text before it) is this data type.

    `lengths` lets the scanner skip a detector (and building its context) for candidates
    that cannot be this type at all: most digit runs in traffic are timestamps.
    """

    data_type: ClassVar[str]
    hints: ClassVar[tuple[str, ...]] = ()
    lengths: ClassVar[frozenset[int]] = frozenset()

    def plausible(self, candidate: str) -> bool:
        return len(candidate) in self.lengths

    @abstractmethod
    def analyze(self, candidate: str, context: str) -> bool:
        """True when `candidate`, with `context` before it, is this data type."""


class ImeiDetector(PatternDetector):
    """15 digits, Luhn, not one repeated digit, and a key that says it is a device id."""

    data_type = "device.imei"
    hints = ("imei", "meid", "deviceid", "device_id", "devid", "device-id")
    lengths = frozenset({15})

    @staticmethod
    def is_formally_valid(candidate: str) -> bool:
        return len(candidate) == 15 and candidate.isdigit() and len(set(candidate)) > 2 and luhn_valid(candidate)

    def analyze(self, candidate: str, context: str) -> bool:
        return self.is_formally_valid(candidate) and _hinted(context, self.hints)


class ResidentIdDetector(PatternDetector):
    """China resident ID: province code, real birth date and the ISO 7064 MOD 11-2 check char."""

    data_type = "identity.id_number"
    lengths = frozenset({18})

    @staticmethod
    def check_char_valid(candidate: str) -> bool:
        if len(candidate) != 18 or not candidate[:17].isdigit():
            return False
        total = sum(int(d) * w for d, w in zip(candidate[:17], _ID_WEIGHTS, strict=True))
        return _ID_CHECK[total % 11] == candidate[17].upper()

    @staticmethod
    def region_valid(candidate: str) -> bool:
        return candidate[:2] in _PROVINCES

    @staticmethod
    def birth_date_valid(candidate: str, today: dt.date | None = None) -> bool:
        try:
            born = dt.date(int(candidate[6:10]), int(candidate[10:12]), int(candidate[12:14]))
        except ValueError:
            return False
        return dt.date(1900, 1, 1) <= born <= (today or dt.date.today())

    def analyze(self, candidate: str, context: str) -> bool:
        return self.check_char_valid(candidate) and self.region_valid(candidate) and self.birth_date_valid(candidate)


class BankCardDetector(PatternDetector):
    """16-19 digits, Luhn, a payment-network BIN prefix, and a key that says it is a card."""

    data_type = "finance.bank_card"
    lengths = frozenset(range(16, 20))
    hints = ("card", "bank", "acct", "account", "pan", latin("卡号"), latin("银行"))
    _BIN = re.compile(r"62|4|5[1-5]|2[2-7]|3[47]|35|6011|65")

    @classmethod
    def bin_valid(cls, candidate: str) -> bool:
        return cls._BIN.match(candidate) is not None

    def analyze(self, candidate: str, context: str) -> bool:
        return (
            16 <= len(candidate) <= 19
            and candidate.isdigit()
            and luhn_valid(candidate)
            and self.bin_valid(candidate)
            and _hinted(context, self.hints)
        )


class ChineseMobileDetector(PatternDetector):
    """11 digits on a real mobile prefix, with a +86/0086 prefix or a phone-like key."""

    data_type = "phone_number"
    hints = ("phone", "mobile", "tel", "msisdn", "cell", latin("手机"), latin("电话"))
    lengths = frozenset({11, 13, 15})

    def plausible(self, candidate: str) -> bool:
        size = len(candidate)  # 13-digit millisecond timestamps are everywhere: 86 prefix only
        return size == 11 or (size == 13 and candidate[:2] == "86") or (size == 15 and candidate[:4] == "0086")

    @staticmethod
    def prefix_valid(candidate: str) -> bool:
        return _MOBILE.fullmatch(candidate) is not None

    def analyze(self, candidate: str, context: str) -> bool:
        international = False
        for prefix in ("0086", "86"):
            if len(candidate) == 11 + len(prefix) and candidate.startswith(prefix):
                candidate, international = candidate[len(prefix) :], True
        if not self.prefix_valid(candidate):
            return False
        return international or _PHONE_PREFIX.search(context) is not None or _hinted(context, self.hints)


class EmailDetector(PatternDetector):
    """An address in a field named like one (mail, account, user, login), or a whole field.

    An address inside free text (a support address in a help page) is not flagged.
    """

    data_type = "contact.email"
    hints = ("mail", "account", "user", "login", "contact", "(whole field)")

    def analyze(self, candidate: str, context: str) -> bool:
        return _EMAIL.fullmatch(candidate) is not None and _hinted(context, self.hints)


DIGIT_DETECTORS: tuple[PatternDetector, ...] = (
    ImeiDetector(),
    ResidentIdDetector(),
    BankCardDetector(),
    ChineseMobileDetector(),
)
EMAIL_DETECTORS: tuple[PatternDetector, ...] = (EmailDetector(),)


class PatternHit(NamedTuple):
    start: int
    end: int
    leaf: int
    data_type: str
    candidate: str


def digit_runs(text: str, shortest: int = 11, longest: int = 19) -> Iterator[tuple[int, int]]:
    """(start, end) of each maximal run of ASCII digits of `shortest`..`longest` characters."""
    return runs(text.encode("latin-1", "replace").translate(_FOLD), shortest, longest)


def scan(hay: Haystack) -> Iterator[PatternHit]:
    """Candidate runs of digits (and addresses), each offered to every detector."""
    text = hay.text
    for start, end in runs(hay.data.translate(_FOLD), 11, 19):
        if end < len(text) and text[end] in "Xx":
            end += 1
        candidate = text[start:end]
        leaf, context = -1, ""
        for detector in DIGIT_DETECTORS:
            if not detector.plausible(candidate):
                continue
            if leaf < 0:
                leaf = hay.leaf_of(start)
                context = hay.leaves[leaf].key + " " + hay.context(start)
            if detector.analyze(candidate, context):
                yield PatternHit(start, end, leaf, detector.data_type, candidate)
    if "@" in text:
        for found in _EMAIL.finditer(text):
            start, end = found.span()
            leaf = hay.leaf_of(start)
            context = hay.leaves[leaf].key + " " + hay.context(start)
            if hay.leaves[leaf].text == found.group(0):
                context += " " + WHOLE_FIELD
            for detector in EMAIL_DETECTORS:
                if detector.analyze(found.group(0), context):
                    yield PatternHit(start, end, leaf, detector.data_type, found.group(0))
