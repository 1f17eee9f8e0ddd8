"""Which SDK of `sdks.yaml` a policy names: by name, alias, vendor, package or policy link.

A third-party SDK list says "友盟+ SDK", "Umeng", "com.umeng.commonsdk", a vendor
("深圳市腾讯计算机系统有限公司") or just links the SDK's own privacy policy. All of
these come from the SDK catalogue, so a policy names SDKs exactly as the static scan,
the hooks and the traffic do. How much a mention proves differs, and is kept:

* `name` / `alias`: the SDK's own name, or an alias only that SDK has — it is listed;
* `package` (whole-segment prefix via `SdkIndex`) and `policy_url` — it is listed;
* `vendor`: a company name, or an alias several SDKs share. It names the third party
  but not which of its products: kept as a *broad* mention, so "Tencent" in the list
  never silently covers every Tencent SDK in the APK. A vendor mention is dropped when
  the same sentence names one of that vendor's SDKs outright.

Aliases that are ordinary words (Adjust, Branch, GA …) count only in a sentence or table
about third parties, and aliases that name a data type (GAID) never count; both lists
are in the policy lexicon.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from apptest.attribution import SdkIndex
from apptest.policy.matcher import key

PACKAGE = re.compile(r"(?<![A-Za-z0-9_.])[a-z][a-z0-9_]*(?:\.[A-Za-z0-9_]+){1,8}(?![A-Za-z0-9_])")
URL = re.compile(r"https?://[^\s)）\"'<>，。；|]+", re.IGNORECASE)


@dataclass(frozen=True)
class SdkName:
    """What a matched span says about one SDK."""

    sdk: str
    match: str  # name | alias | vendor
    ambiguous: bool = False

    @property
    def broad(self) -> bool:
        return self.match == "vendor"


def _label(value: Any) -> list[str]:
    if isinstance(value, Mapping):
        return [str(v) for v in value.values() if v]
    return [str(value)] if value else []


def _url_key(url: str) -> str:
    url = url.lower().split("#", 1)[0]
    url = re.sub(r"^https?://", "", url)
    url = url.removeprefix("www.")
    return url.rstrip("/")


class SdkNames:
    """The SDK side of the policy matcher: span texts -> `SdkName`s, plus package and URL lookups."""

    def __init__(self, sdks: Sequence[Mapping[str, Any]], ambiguous: Iterable[str] = (), ignored: Iterable[str] = ()):
        self.sdks = {s["id"]: s for s in sdks}
        self.index = SdkIndex([dict(s) for s in sdks])
        ignored_keys = set(ignored)
        ambiguous_keys = set(ambiguous)
        owners: dict[str, set[str]] = {}
        kinds: dict[str, dict[str, str]] = {}
        for sdk in sdks:
            for name in _label(sdk.get("name")):
                owners.setdefault(key(name), set()).add(sdk["id"])
                kinds.setdefault(key(name), {})[sdk["id"]] = "name"
            for alias in sdk.get("aliases") or []:
                owners.setdefault(key(alias), set()).add(sdk["id"])
                kinds.setdefault(key(alias), {}).setdefault(sdk["id"], "alias")
        self.vendor_of = {s["id"]: {key(v) for v in _label(s.get("vendor"))} for s in sdks}
        for sdk in sdks:
            for vendor in _label(sdk.get("vendor")):
                k = key(vendor)
                if k not in owners:
                    owners[k] = set()
                    kinds[k] = {}
                kinds[k].setdefault(sdk["id"], "vendor")
                owners[k].add(sdk["id"])
        self.entries: dict[str, list[SdkName]] = {}
        self.texts: dict[str, str] = {}
        for k, ids in owners.items():
            if k in ignored_keys:
                continue
            shared = len(ids) > 1
            self.entries[k] = [
                SdkName(
                    sdk_id,
                    "vendor" if shared or kinds[k][sdk_id] == "vendor" else kinds[k][sdk_id],
                    k in ambiguous_keys,
                )
                for sdk_id in sorted(ids)
            ]
        for sdk in sdks:
            for text in [*_label(sdk.get("name")), *(sdk.get("aliases") or []), *_label(sdk.get("vendor"))]:
                if key(text) in self.entries:
                    self.texts.setdefault(key(text), text)
        self.policy_urls: dict[str, list[str]] = {}
        for sdk in sdks:
            if sdk.get("policy_url"):
                self.policy_urls.setdefault(_url_key(str(sdk["policy_url"])), []).append(sdk["id"])

    def terms(self) -> dict[str, list[SdkName]]:
        """Span text -> SDK names, for the shared `TermMatcher`."""
        return {self.texts[k]: v for k, v in self.entries.items()}

    def case_sensitive(self) -> list[str]:
        """Short all-capital aliases (GA, TIM, MTA) must match as written."""
        return [t for t in self.texts.values() if len(t) <= 4 and t.isascii() and t.isupper()]

    def by_package(self, text: str) -> list[tuple[str, str, bool]]:
        """(SDK id, package, broad=False) for Java package names in a text (whole-segment prefix match)."""
        out = []
        for match in PACKAGE.finditer(text):
            token = match.group(0).rstrip(".")
            hit = self.index.match_class(token + ".X")
            if hit is not None:
                out.append((hit[0], token, False))
        return out

    def by_policy_url(self, text: str) -> list[tuple[str, str, bool]]:
        """(SDK id, URL, broad) for links to an SDK's privacy policy (as listed in sdks.yaml);
        a vendor's one policy for several of its SDKs names the vendor only (broad)."""
        out: list[tuple[str, str, bool]] = []
        for match in URL.finditer(text):
            url = _url_key(match.group(0))
            for known, ids in self.policy_urls.items():
                if url == known or url.startswith(known + "/") or url.startswith(known + "?"):
                    out.extend((sdk_id, match.group(0), len(ids) > 1) for sdk_id in ids)
        return out

    def same_vendor(self, a: str, b: str) -> bool:
        return bool(self.vendor_of.get(a, set()) & self.vendor_of.get(b, set()))
