"""One agent event -> one hook record, at most one observation, and learned values.

Pure: no frida, no bundle. `recorder.py` writes what this returns.

* Every event becomes a record in hooks.jsonl (raw evidence, whole stack, full values).
* A call becomes an observation unless it is telemetry (connectivity checks: raw only,
  flagged `telemetry: true`), nested in a call of the same group on the same thread (one
  call, not two), or a read whose data type cannot be named (a content URI the taxonomy
  does not list). A call that threw is still an observation: `detail.outcome: exception`
  is an *attempt* (on Android 10+ `getDeviceId` throws for normal apps).
* Confidence is `known` when the data type is determined (the API reads exactly one type,
  or an argument / the URI narrowed it), `name` when only the API's name says it.
* The actor comes from the stack through `SdkIndex.actor_from_stack`, the one attribution
  function shared with static analysis and traffic.
* Identifier values an app read (and locations it got) are returned as canaries, so the
  traffic analysis finds them in flows without the lab typing them in.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from apptest.attribution import SdkIndex, registrable_suffixes
from apptest.model import Actor, Confidence, Destination, EvidenceRef, Observation, Party, iso_ts, new_id
from apptest.runtime.clock import corrected_ts
from apptest.runtime.config import hookable

STACK_IN_OBSERVATION = 8
ARG_CLIP = 256
PERMISSION_GRANTED = 0
_URL = re.compile(r"\b((?:https?|wss?)://[^\s\"'<>,{}|\\^`]+)", re.IGNORECASE)
_SOCKET = re.compile(r"^(?P<name>[^/\s]*)/(?P<ip>[0-9a-fA-F:.]+|<unresolved>):(?P<port>\d+)$")
_COORDS = re.compile(r"(-?\d{1,3}\.\d+),\s*(-?\d{1,3}\.\d+)")
_PLACEHOLDER = re.compile(r"^[0:\-.\s]*$")
PLACEHOLDERS = frozenset({"unknown", "null", "02:00:00:00:00:00"})


@dataclass
class Mapped:
    """What one event yields: the raw record, its observation (if any), learned values."""

    hook: dict[str, Any]
    observations: list[Observation] = field(default_factory=list)
    canaries: list[tuple[str, Any]] = field(default_factory=list)


def strings_in(value: Any) -> Iterable[str]:
    """Every string inside an agent summary (plain strings, object `$str`, lists)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)
    elif isinstance(value, dict) and isinstance(value.get("$str"), str):
        yield value["$str"]


def destination_of(values: Iterable[Any]) -> tuple[str | None, str | None, int | None]:
    """(url, host, port) from the first URL, or else the first socket address, found.

    Works on toString() forms, identical on Android and the JVM: a URL or HttpUrl prints
    itself, an OkHttp Request prints `Request{method=GET, url=https://…}`, a URLConnection
    `ClassName:https://…`, an InetSocketAddress `host/1.2.3.4:443`.
    """
    texts = [text for value in values for text in strings_in(value)]
    for text in texts:
        match = _URL.search(text)
        if match:
            url = match.group(1)
            parts = urlsplit(url)
            if parts.hostname:
                return url, parts.hostname, parts.port
    for text in texts:
        match = _SOCKET.match(text.strip())
        if match:
            host = match.group("name") or match.group("ip")
            if host and host != "<unresolved>":
                return None, host, int(match.group("port"))
    return None, None, None


def party_of(host: str, operator_domains: frozenset[str], sdk: str | None) -> Party:
    """`first` only for the operator's declared domains; a known SDK's host is `third`."""
    if any(suffix in operator_domains for suffix in registrable_suffixes(host)):
        return "first"
    return "third" if sdk is not None else "unknown"


def string_list(value: Any) -> list[str] | None:
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def int_list(value: Any) -> list[int] | None:
    if isinstance(value, list) and value and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return list(value)
    return None


def clip_summary(value: Any) -> Any:
    """An argument as an observation shows it: strings clipped, objects by their string form."""
    if isinstance(value, str):
        return value if len(value) <= ARG_CLIP else value[:ARG_CLIP] + "…"
    if isinstance(value, list):
        return [clip_summary(v) for v in value[:16]]
    if isinstance(value, dict):
        out = {k: v for k, v in value.items() if k in ("$class", "$size", "$len")}
        if "$str" in value:
            out["$str"] = clip_summary(value["$str"])
        return out
    return value


def mac_from_hex(text: str) -> str | None:
    if len(text) != 12:
        return None
    return ":".join(text[i : i + 2] for i in range(0, 12, 2))


def learned_value(ret: Any, data_type: str) -> Any:
    """The value worth searching traffic for, from a summarised return value (or None)."""
    if isinstance(ret, str):
        value: Any = ret.strip()
    elif isinstance(ret, dict) and ret.get("$class") == "[B" and isinstance(ret.get("$hex"), str):
        value = mac_from_hex(ret["$hex"])
    elif data_type.startswith("location.") and isinstance(ret, dict) and isinstance(ret.get("$str"), str):
        match = _COORDS.search(ret["$str"])
        return {"lat": float(match.group(1)), "lng": float(match.group(2))} if match else None
    else:
        return None
    if not value or value.lower() in PLACEHOLDERS or _PLACEHOLDER.match(value):
        return None
    return value


class EventMapper:
    """Maps the events of one run; holds the knowledge it needs, and what it already learned."""

    def __init__(
        self,
        apis: Sequence[dict[str, Any]],
        content_uris: Sequence[dict[str, Any]],
        permissions: Mapping[str, dict[str, Any]],
        data_types: Mapping[str, dict[str, Any]],
        sdk_index: SdkIndex,
        app_package: str | None,
        operator_domains: Iterable[str] = (),
    ) -> None:
        self.apis = hookable(apis)
        self.uris = sorted(
            ((prefix, tuple(entry.get("data_types") or ())) for entry in content_uris for prefix in entry["prefixes"]),
            key=lambda item: -len(item[0]),
        )
        self.permissions = permissions
        self.data_types = data_types
        self.sdks = sdk_index
        self.app_package = app_package
        self.operator = frozenset(d.strip().lower().lstrip("*.").rstrip(".") for d in operator_domains if d.strip())
        self._learned: set[tuple[str, str]] = set()

    @classmethod
    def from_knowledge(
        cls, knowledge: Any, app_package: str | None, operator_domains: Iterable[str] = ()
    ) -> EventMapper:
        return cls(
            knowledge.apis,
            knowledge.content_uris,
            knowledge.permissions,
            knowledge.data_types,
            SdkIndex(knowledge.sdks),
            app_package,
            operator_domains,
        )

    # --- the one entry point ------------------------------------------------------------
    def map(self, event: Mapping[str, Any], offset_ms: float, data: bytes | None = None) -> Mapped:
        hook = self.hook_record(event, offset_ms, data)
        if event.get("type") != "call" or event.get("nested_in") is not None:
            return Mapped(hook)
        if event.get("kind") == "result":
            return Mapped(hook, self._observations(self.permission_result(event, hook)))
        entry = self.entry(event)
        if entry is None or hook.get("telemetry"):
            return Mapped(hook)
        category = entry.get("category")
        if category == "permission":
            return Mapped(hook, self._observations(self.permission_request(event, hook)))
        if category == "network_send":
            return Mapped(hook, self._observations(self.connection(event, hook)))
        observation = self.read(event, hook, entry)
        if observation is None:
            return Mapped(hook)
        return Mapped(hook, [observation], self.canaries(event, entry, observation))

    @staticmethod
    def _observations(observation: Observation | None) -> list[Observation]:
        return [observation] if observation is not None else []

    # --- records --------------------------------------------------------------------------
    def entry(self, event: Mapping[str, Any]) -> dict[str, Any] | None:
        number = event.get("entry")
        if isinstance(number, int) and 0 <= number < len(self.apis):
            entry = self.apis[number]
            if f"{entry['class']}.{entry['method']}" == event.get("api"):
                return entry
        return None

    def hook_record(self, event: Mapping[str, Any], offset_ms: float, data: bytes | None) -> dict[str, Any]:
        record: dict[str, Any] = {"id": new_id("hook"), "ts": iso_ts(), "type": str(event.get("type") or "unknown")}
        if isinstance(event.get("ts_ms"), int | float):  # stamped by the agent (host-side records are not)
            record["ts"] = corrected_ts(float(event["ts_ms"]), offset_ms)
            record["device_ts"] = corrected_ts(float(event["ts_ms"]), 0)
        for key, value in event.items():
            if key not in ("type", "ts_ms") and key not in record:
                record[key] = value
        entry = self.entry(event) if record["type"] == "call" else None
        if entry is not None and (entry.get("telemetry") or entry.get("category") == "telemetry"):
            record["telemetry"] = True
        elif record["type"] == "call":
            record["telemetry"] = False
        if data is not None:
            record["data_b64"] = base64.b64encode(data).decode("ascii")
        return record

    def _base(self, event: Mapping[str, Any], hook: Mapping[str, Any]) -> dict[str, Any]:
        stack = list(event.get("stack") or [])
        detail: dict[str, Any] = {
            "api": event.get("api"),
            "outcome": event.get("outcome"),
            "thread": event.get("thread"),
            "stack": stack[:STACK_IN_OBSERVATION],
            "args_summary": [clip_summary(a) for a in event.get("args") or []],
        }
        api_class = str(event.get("api") or "").rsplit(".", 1)[0]
        if event.get("class") and event.get("class") != api_class:
            detail["class"] = event.get("class")
        if event.get("exception"):
            detail["exception"] = event["exception"]
        return {
            "source": "runtime",
            "ts": hook["ts"],
            "actor": self.sdks.actor_from_stack(stack, self.app_package) if stack else Actor(),
            "pid": event.get("pid"),
            "evidence": EvidenceRef("hooks.jsonl", hook["id"]),
            "detail": detail,
        }

    # --- what a call means -----------------------------------------------------------------
    def narrowed(
        self, event: Mapping[str, Any], entry: Mapping[str, Any]
    ) -> tuple[tuple[str, ...], Confidence, str | None]:
        """(data types, confidence, uri) of a read, per the taxonomy's narrow/uri_arg rules."""
        args = list(event.get("args") or [])
        base = tuple(entry.get("data_types") or ())
        if entry.get("uri_arg") is not None:
            index = int(entry["uri_arg"])
            uri = next(iter(strings_in(args[index])), None) if index < len(args) else None
            if uri is None:
                return (), "name", None
            for prefix, types in self.uris:
                if uri.startswith(prefix):
                    return types, "known", uri
            return base, "name", uri
        narrow = entry.get("narrow")
        if narrow:
            index = int(narrow["arg"])
            value = args[index] if index < len(args) else None
            if isinstance(value, str):
                # the argument is known at run time: another setting is no personal data (as in static/)
                return tuple(narrow["values"].get(value, ())), "known", None
            return base, "name", None
        return base, ("known" if len(base) == 1 else "name"), None

    def read(self, event: Mapping[str, Any], hook: Mapping[str, Any], entry: Mapping[str, Any]) -> Observation | None:
        data_types, confidence, uri = self.narrowed(event, entry)
        if not data_types:
            return None
        base = self._base(event, hook)
        if uri is not None:
            base["detail"]["uri"] = uri
        return Observation(action="reads", data_types=data_types, confidence=confidence, **base)

    def permission_request(self, event: Mapping[str, Any], hook: Mapping[str, Any]) -> Observation | None:
        permissions = next((p for p in map(string_list, event.get("args") or []) if p), None)
        if permissions is None:
            return None
        base = self._base(event, hook)
        base["detail"]["permissions"] = permissions
        return Observation(
            action="requests_permission",
            data_types=self._permission_types(permissions),
            confidence="known",
            **base,
        )

    def permission_result(self, event: Mapping[str, Any], hook: Mapping[str, Any]) -> Observation | None:
        args = list(event.get("args") or [])
        permissions = next((p for p in map(string_list, args) if p), None)
        grants = next((g for g in map(int_list, args[1:]) if g), None)
        if permissions is None or grants is None or len(grants) != len(permissions):
            return None
        results = {
            p: ("granted" if g == PERMISSION_GRANTED else "denied") for p, g in zip(permissions, grants, strict=True)
        }
        base = self._base(event, hook)
        base["detail"].update(
            {
                "permissions": permissions,
                "results": results,
                "granted": [p for p, r in results.items() if r == "granted"],
                "denied": [p for p, r in results.items() if r == "denied"],
            }
        )
        return Observation(
            action="permission_result",
            data_types=self._permission_types(permissions),
            confidence="known",
            **base,
        )

    def _permission_types(self, permissions: Iterable[str]) -> tuple[str, ...]:
        out: list[str] = []
        for name in permissions:
            for data_type in (self.permissions.get(name) or {}).get("data_types") or ():
                if data_type not in out:
                    out.append(data_type)
        return tuple(out)

    def connection(self, event: Mapping[str, Any], hook: Mapping[str, Any]) -> Observation | None:
        url, host, port = destination_of([event.get("self"), *(event.get("args") or [])])
        if host is None:
            return None
        sdk = self.sdks.by_host(host)
        base = self._base(event, hook)
        if url is not None:
            base["detail"]["url"] = url
        if port is not None:
            base["detail"]["port"] = port
        return Observation(
            action="connects",
            destination=Destination(host=host, party=party_of(host.lower(), self.operator, sdk), sdk=sdk),
            confidence="known",
            **base,
        )

    def canaries(
        self, event: Mapping[str, Any], entry: Mapping[str, Any], observation: Observation
    ) -> list[tuple[str, Any]]:
        """An identifier (or location) the app got back, once per value and data type.

        An API naming several types (getDeviceId: IMEI or MEID) files the value under the
        first one the taxonomy lists.
        """
        if event.get("outcome") != "value" or not observation.data_types:
            return []
        if observation.confidence != "known" and (entry.get("narrow") or entry.get("uri_arg") is not None):
            return []  # the argument did not say what was read: no value to learn
        data_type = observation.data_types[0]
        info = self.data_types.get(data_type) or {}
        if not info.get("identifier") and not data_type.startswith("location."):
            return []
        value = learned_value(event.get("ret"), data_type)
        if value is None:
            return []
        key = (data_type, repr(value))
        if key in self._learned:
            return []
        self._learned.add(key)
        return [(data_type, value)]
