"""Sensitive call sites in dex bytecode: one row per real invoke, with its caller.

The search is by method *reference*: an invoke of `Landroid/telephony/TelephonyManager;->
getDeviceId` (any overload) counts, an invoke through a subclass reference does not — no
class-hierarchy guessing, so every row can be checked with `dexdump -d`. The whole file is
searched at once for byte patterns of the few target method, field and string indices;
only the methods that contain a candidate are decoded instruction by instruction, which
confirms the candidate and reads the constant arguments that narrow generic APIs.
"""

from __future__ import annotations

import re
import struct
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from apptest.static.bytecode import INVOKE_OPS, SGET_OPS, Const, constants_at
from apptest.static.dex import Dex, DexError, descriptor_to_java, java_to_descriptor

URI_PARSE = ("android.net.Uri", "parse")


@dataclass
class Targets:
    """The taxonomy's APIs resolved to one dex file's method, field and string indices."""

    methods: dict[int, dict[str, Any]] = field(default_factory=dict)
    fields: dict[int, dict[str, Any]] = field(default_factory=dict)
    strings: dict[int, list[str]] = field(default_factory=dict)
    parse_methods: frozenset[int] = frozenset()


def resolve_targets(
    dex: Dex, apis: Iterable[dict[str, Any]], reflection_names: dict[str, list[str]]
) -> Targets:
    """Find the ids of sensitive APIs in this dex; an API it never references costs nothing."""
    wanted_methods: dict[tuple[int, int], dict[str, Any]] = {}
    wanted_fields: dict[tuple[int, int], dict[str, Any]] = {}
    for api in apis:
        type_idx = dex.find_type(java_to_descriptor(api["class"]))
        if type_idx is None:
            continue
        member = api.get("method") or api.get("field")
        name_idx = dex.find_string(member) if member else None
        if name_idx is None:
            continue
        (wanted_methods if api.get("method") else wanted_fields)[(type_idx, name_idx)] = api
    targets = Targets()
    uri_type, parse_name = dex.find_type(java_to_descriptor(URI_PARSE[0])), dex.find_string(URI_PARSE[1])
    parse_ids = []
    if wanted_methods or (uri_type is not None and parse_name is not None):
        for idx, (cls, _proto, name) in enumerate(dex.method_ids):
            hit = wanted_methods.get((cls, name))
            if hit is not None:
                targets.methods[idx] = hit
            elif cls == uri_type and name == parse_name:
                parse_ids.append(idx)
    targets.parse_methods = frozenset(parse_ids)
    if wanted_fields:
        for idx, (cls, _type, name) in enumerate(dex.field_ids):
            hit = wanted_fields.get((cls, name))
            if hit is not None:
                targets.fields[idx] = hit
    for text, api_names in reflection_names.items():
        sid = dex.find_string(text)
        if sid is not None and sid <= 0xFFFF:
            targets.strings[sid] = api_names
    return targets


def _index_alternation(indices: Iterable[int]) -> bytes:
    return b"|".join(re.escape(i.to_bytes(2, "little")) for i in sorted(indices) if i <= 0xFFFF)


def candidate_offsets(data: bytes, targets: Targets) -> dict[int, str]:
    """Even byte offsets that look like an invoke/sget/const-string of a target index.

    One pattern per instruction kind, each starting with its opcode class, lets `re` skip
    through the bytes in C (a combined alternation is several times slower). A match that
    swallows the start of a real instruction is handled by resuming two bytes after it.
    """
    kinds = (
        ("invoke", rb"[\x6e-\x72\x74-\x78]", targets.methods),
        ("sget", rb"[\x60-\x66]", targets.fields),
        ("string", rb"\x1a", targets.strings),
    )
    found: dict[int, str] = {}
    for kind, opcodes, indices in kinds:
        if not indices:
            continue
        search = re.compile(opcodes + rb"[\x00-\xff](?:" + _index_alternation(indices) + rb")", re.DOTALL).search
        pos = 0
        while (match := search(data, pos)) is not None:
            start = match.start()
            if start % 2 == 0:
                found[start] = kind
                pos = start + 2
            else:
                pos = start + 1
    return found


def _classify_uri(
    value: Const | int | None, content_uris: list[dict[str, Any]]
) -> tuple[list[str], str | None] | None:
    """Data types of a Uri argument, or None when the argument is not a known constant."""
    if not isinstance(value, tuple):
        return None
    kind, text = value
    for entry in content_uris:
        if kind == "string" and any(text.startswith(p) for p in entry.get("prefixes") or []):
            return list(entry["data_types"]), text
        if kind == "field" and text in (entry.get("fields") or []):
            return list(entry["data_types"]), text
    return [], text


def narrow(
    api: dict[str, Any], args: list[Const | None], is_static: bool, content_uris: list[dict[str, Any]]
) -> tuple[list[str], str, str | None] | None:
    """(data types, confidence, constant) for one call; None when the constant shows no personal data."""
    offset = 0 if is_static else 1
    spec = api.get("narrow")
    if spec:
        pos = spec["arg"] + offset
        value = args[pos] if pos < len(args) else None
        if isinstance(value, tuple) and value[0] == "string":
            types = spec["values"].get(value[1])
            return (list(types), "known", value[1]) if types is not None else None
        return list(api.get("data_types") or []), "name", None
    if api.get("uri_arg") is not None:
        pos = api["uri_arg"] + offset
        classified = _classify_uri(args[pos] if pos < len(args) else None, content_uris)
        if classified is None:
            return list(api.get("data_types") or []), "name", None
        types, text = classified
        return (types, "known", text) if types else None
    return list(api.get("data_types") or []), "known", None


def scan_dex(
    dex: Dex,
    targets: Targets,
    content_uris: list[dict[str, Any]],
    owner: Callable[[str], dict[str, Any] | None],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """All confirmed call sites and reflection strings of one dex: (api_calls, reflection)."""
    data = dex.data
    by_method: dict[int, dict[int, str]] = defaultdict(dict)
    spans: dict[int, tuple[Any, int, int]] = {}
    for offset, kind in candidate_offsets(data, targets).items():
        found = dex.method_at(offset)
        if found is None:
            continue
        method, start, end = found
        by_method[start][offset] = kind
        spans[start] = (method, start, end)
    calls: list[dict[str, Any]] = []
    reflection: list[dict[str, Any]] = []
    for start, offsets in sorted(by_method.items()):
        method, _start, end = spans[start]
        caller_class = descriptor_to_java(dex.type_name(method.class_idx))
        caller = f"{caller_class}.{dex.string(dex.method_ids[method.method_idx][2])}"
        sdk = owner(caller_class)
        base = {"caller": caller, "caller_class": caller_class, "sdk": sdk, "dex": dex.name}
        consts = constants_at(
            data,
            start,
            end,
            set(offsets),
            lambda i: _safe(dex.string, i),
            lambda i: _field_name(dex, i),
            targets.parse_methods,
        )
        for offset, (opcode, args) in sorted(consts.items()):
            kind = offsets[offset]
            idx = int.from_bytes(data[offset + 2 : offset + 4], "little")
            if kind == "invoke" and opcode in INVOKE_OPS:
                api = targets.methods[idx]
                narrowed = narrow(api, args, opcode in (0x71, 0x77), content_uris)
                if narrowed is None:
                    continue
                types, confidence, constant = narrowed
                row = {
                    "api": f"{api['class']}.{api['method']}",
                    "data_types": types,
                    **base,
                    "offset": offset,
                    "confidence": confidence,
                }
                if constant is not None:
                    row["argument"] = constant
                calls.append(row)
            elif kind == "sget" and opcode in SGET_OPS:
                api = targets.fields[idx]
                calls.append(
                    {
                        "api": f"{api['class']}.{api['field']}",
                        "data_types": list(api.get("data_types") or []),
                        **base,
                        "offset": offset,
                        "confidence": "known",
                        "field": True,
                    }
                )
            elif kind == "string" and opcode == 0x1A:
                reflection.append(
                    {"string": dex.string(idx), "apis": targets.strings[idx], **base, "offset": offset}
                )
    return calls, reflection


def _safe(read: Callable[[int], str], idx: int) -> str | None:
    try:
        return read(idx)
    except (DexError, IndexError, struct.error):
        return None


def _field_name(dex: Dex, idx: int) -> str | None:
    """`android.provider.ContactsContract$Contacts.CONTENT_URI` for a field id."""
    try:
        cls, _type, name = dex.field_ids[idx]
        return f"{descriptor_to_java(dex.type_name(cls))}.{dex.string(name)}"
    except (DexError, IndexError, struct.error):
        return None
