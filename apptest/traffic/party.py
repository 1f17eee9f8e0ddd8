"""Who received it: the operator (`first`), a known SDK (`third`), or nobody we can name.

`first` is a claim about who had the right to the data, so it is never guessed: only the
operator's own domains, as declared in the device/app profile or the run options, are
`first`. A host that matches an SDK's domains (via the shared `SdkIndex`, so traffic names
SDKs exactly as the static scan and the runtime hooks do) is `third`. Anything else is
`unknown` — never silently `first`.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

from apptest.attribution import SdkIndex, registrable_suffixes
from apptest.model import Actor, Destination, Party


class Attribution(NamedTuple):
    party: Party
    sdk: str | None
    sdk_name: str | None


class PartyResolver:
    def __init__(
        self, operator_domains: Iterable[str] = (), sdks: SdkIndex | None = None, app_id: str | None = None
    ) -> None:
        self.operator = frozenset(d.strip().lower().lstrip("*.").rstrip(".") for d in operator_domains if d.strip())
        self.sdks = sdks
        self.app_id = app_id
        self.resolve = lru_cache(maxsize=4096)(self._resolve)

    def _resolve(self, host: str) -> Attribution:
        host = host.lower().rstrip(".")
        if any(suffix in self.operator for suffix in registrable_suffixes(host)):
            return Attribution("first", None, None)
        sdk_id = self.sdks.by_host(host) if self.sdks is not None and host else None
        if sdk_id is not None and self.sdks is not None:
            return Attribution("third", sdk_id, self.sdks.ref(sdk_id).name)
        return Attribution("unknown", None, None)

    def destination(self, host: str) -> Destination:
        who = self.resolve(host)
        return Destination(host=host, party=who.party, sdk=who.sdk)

    def actor(self, host: str) -> Actor:
        """The sender as the destination proves it: the SDK whose server it is, or the app."""
        who = self.resolve(host)
        if who.sdk is not None:
            return Actor(kind="sdk", id=who.sdk, name=who.sdk_name, proof="domain")
        if who.party == "first":
            return Actor(kind="app", id=self.app_id, name=self.app_id, proof="domain")
        return Actor(kind="unknown", proof="none")
