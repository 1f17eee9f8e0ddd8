"""Known values -> every form an app might send them in (the variant table).

Labs seed the test phone with values they know (IMEI, MAC, phone number, contacts,
location …) and the runtime hooks add what they saw the app read (`canaries.jsonl`).
A value found in traffic is the strongest evidence there is (`confidence: known`), but
only if we look for it the way SDKs actually send it: lower or upper case, with or
without separators (MAC `:`/`-`/none, phone with +86/0086/spaces), hashed (MD5, SHA-1,
SHA-256 hex) or base64'd. This module lists those forms; `match.py` searches all of them
at once.

Raw values never leave the bundle: a variant carries a `value_id` (`device.imei`,
`contacts[2]`) that observations may name, never the value.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from apptest.traffic.formats import latin

MIN_VALUE = 6  # bytes: shorter values would match by chance
LOCATION_TYPES = ("location.precise", "location.coarse")
MAC_TYPES = frozenset({"device.mac", "network.wifi_bssid"})
PHONE_TYPES = frozenset({"phone_number", "contact.phone", "finance.bank_reserved_phone"})
LIST_TYPES = frozenset({"apps.installed", "apps.running"})
_HEXCHARS = re.compile(r"[0-9a-f]+")
_MAC = re.compile(r"^[0-9A-Fa-f]{2}([:-]?[0-9A-Fa-f]{2}){5}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")
_PHONE = re.compile(r"^\+?[\d\s()-]{11,20}$")


class Variant(NamedTuple):
    """One searchable form of one known value."""

    pattern: str  # lower-cased, latin-1 domain: what the automaton looks for
    exact: str | None  # case-sensitive form to confirm (base64), None when case does not matter
    data_type: str
    value_id: str
    transform: str  # "" (as sent), md5, sha1, sha256, base64
    boundary: str  # digit | hex | b64 | ident | word | none


@dataclass(frozen=True)
class Coordinate:
    data_type: str
    value_id: str
    lat: float
    lng: float


@dataclass
class KnownValues:
    """Everything the detectors look for, built once per device profile + canaries."""

    variants: list[Variant] = field(default_factory=list)
    coordinates: list[Coordinate] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    list_sizes: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(cls, identifiers: Mapping[str, Any], canaries: Iterable[Mapping[str, Any]] = ()) -> KnownValues:
        out = cls()
        seen: set[tuple[str, str]] = set()
        for data_type, value in identifiers.items():
            out._add(data_type, data_type, value, seen)
        for number, record in enumerate(canaries):
            kind, value = record.get("data_type"), record.get("value")
            if isinstance(kind, str) and value is not None:
                out._add(kind, f"canary[{number}]", value, seen)
        return out

    def _add(self, data_type: str, value_id: str, value: Any, seen: set[tuple[str, str]]) -> None:
        if data_type in LOCATION_TYPES or (isinstance(value, Mapping) and {"lat", "lng"} <= set(value)):
            self._coordinate(data_type, value_id, value)
            return
        if isinstance(value, list | tuple):
            if data_type in LIST_TYPES:
                self.list_sizes[data_type] = self.list_sizes.get(data_type, 0) + len(value)
            for number, item in enumerate(value):
                self._add(data_type, f"{value_id}[{number}]", item, seen)
            return
        if isinstance(value, Mapping):  # a contact: {name, phone, email}
            for key, item in value.items():
                self._add(data_type, f"{value_id}.{key}", item, seen)
            return
        text = str(value).strip()
        if (data_type, text) in seen:
            return
        seen.add((data_type, text))
        if len(latin(text)) < MIN_VALUE:
            self.skipped.append(f"{value_id}: shorter than {MIN_VALUE} bytes, not searched")
            return
        self.variants.extend(variants_of(data_type, value_id, text))

    def _coordinate(self, data_type: str, value_id: str, value: Any) -> None:
        try:
            lat, lng = float(value["lat"]), float(value["lng"])
        except (KeyError, TypeError, ValueError):
            self.skipped.append(f"{value_id}: a location needs numeric lat and lng")
            return
        self.coordinates.append(Coordinate(data_type, value_id, lat, lng))


def plain_forms(data_type: str, text: str) -> list[str]:
    """How the value itself may be written (before any hashing)."""
    if data_type in MAC_TYPES or _MAC.match(text):
        pairs = re.findall(r"[0-9A-Fa-f]{2}", text)
        if len(pairs) == 6:
            flat = "".join(pairs)
            return [":".join(pairs), "-".join(pairs), flat, ".".join((flat[0:4], flat[4:8], flat[8:12]))]
    if (data_type in PHONE_TYPES or (data_type == "contacts" and _PHONE.match(text))) and _PHONE.match(text):
        return phone_forms(text)
    if _UUID.match(text):
        return [text, text.replace("-", "")]
    return [text]


def phone_forms(text: str) -> list[str]:
    """A Chinese mobile number as apps write it: bare, 86, +86, 0086, spaced, dashed."""
    digits = re.sub(r"\D", "", text)
    for prefix in ("0086", "86"):
        if len(digits) == 11 + len(prefix) and digits.startswith(prefix):
            digits = digits[len(prefix) :]
    if len(digits) != 11:
        return [text, digits] if digits != text else [text]
    spaced = f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    return [
        digits,
        f"86{digits}",
        f"+86{digits}",
        f"0086{digits}",
        f"+86 {digits}",
        f"+86-{digits}",
        spaced,
        f"+86 {spaced}",
        f"{digits[:3]}-{digits[3:7]}-{digits[7:]}",
    ]


def _boundary(form: str, data_type: str) -> str:
    if data_type in LIST_TYPES:
        return "ident"
    if form.isdigit():
        return "digit"
    if _HEXCHARS.fullmatch(form.lower()):
        return "hex"
    return "word" if form.isascii() else "none"


def _encodings(form: str) -> list[str]:
    """The byte strings (latin-1 domain) a text is sent as: UTF-8, and GBK for Chinese."""
    out = [latin(form)]
    if not form.isascii():
        with contextlib.suppress(UnicodeEncodeError):
            out.append(form.encode("gbk").decode("latin-1"))
        out.append(form.encode("unicode_escape").decode("ascii"))  # JSON \uXXXX escapes
    return out


def variants_of(data_type: str, value_id: str, text: str) -> list[Variant]:
    """All searchable forms of one value: plain forms, their hashes and their base64."""
    out: dict[tuple[str, str | None], Variant] = {}
    for form in plain_forms(data_type, text):
        if len(latin(form)) < MIN_VALUE:
            continue
        for raw in _encodings(form):
            key = (raw.lower(), None)
            out.setdefault(key, Variant(raw.lower(), None, data_type, value_id, "", _boundary(raw, data_type)))
        for cased in dict.fromkeys((form, form.lower(), form.upper())):
            data = cased.encode("utf-8")
            for algo in ("md5", "sha1", "sha256"):
                digest = hashlib.new(algo, data).hexdigest()
                out.setdefault((digest, None), Variant(digest, None, data_type, value_id, algo, "hex"))
            for encoded in _base64_forms(data):
                out.setdefault(
                    (encoded.lower(), encoded),
                    Variant(encoded.lower(), encoded, data_type, value_id, "base64", "b64"),
                )
    return list(out.values())


def _base64_forms(data: bytes) -> list[str]:
    std = base64.b64encode(data).decode("ascii")
    url = base64.urlsafe_b64encode(data).decode("ascii")
    return list(dict.fromkeys((std, std.rstrip("="), url, url.rstrip("="))))
