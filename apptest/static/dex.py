"""A minimal DEX reader: just the tables a call-site search needs, nothing more.

androguard's whole-program analysis takes about a minute and gigabytes on a large app;
finding who invokes `TelephonyManager.getDeviceId` needs none of it. This reads the header,
the string/type/field/method id tables and the class definitions straight from the bytes,
decodes strings only when asked, and leaves instruction decoding to `bytecode.py` for the
few methods that matter.

A malformed file raises `DexError`; the caller records it under `errors` and goes on with
the other dex files (a partial result, never a crash).
"""

from __future__ import annotations

import struct
from bisect import bisect_left
from dataclasses import dataclass
from functools import cached_property

NO_INDEX = 0xFFFFFFFF
_HEADER = struct.Struct("<8s I 20s I I I I I I I I I I I I I I I I I I I I")


class DexError(Exception):
    """The bytes are not a dex file we can read."""


def read_uleb128(data: bytes, pos: int) -> tuple[int, int]:
    """Decode one unsigned LEB128 at `pos`; returns (value, next position)."""
    result = shift = 0
    while True:
        if pos >= len(data):
            raise DexError("LEB128 runs past the end of the file")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7
        if shift > 35:
            raise DexError("LEB128 longer than 5 bytes")


def decode_mutf8(raw: bytes) -> str:
    """Dex strings are Modified UTF-8 (surrogates as 3-byte sequences, NUL as C0 80)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return (
            raw.replace(b"\xc0\x80", b"\x00")
            .decode("utf-8", "surrogatepass")
            .encode("utf-16", "surrogatepass")
            .decode("utf-16", "replace")
        )


def descriptor_to_java(desc: str) -> str:
    """`Landroid/telephony/TelephonyManager;` -> `android.telephony.TelephonyManager`."""
    if desc.startswith("L") and desc.endswith(";"):
        return desc[1:-1].replace("/", ".")
    return desc


def java_to_descriptor(name: str) -> str:
    return "L" + name.replace(".", "/") + ";"


@dataclass(frozen=True)
class Method:
    """A method with code: where its code item is, and which method id it implements."""

    method_idx: int
    class_idx: int
    code_off: int


class Dex:
    """One dex file's id tables, read lazily from its bytes."""

    def __init__(self, data: bytes, name: str = "classes.dex") -> None:
        if len(data) < _HEADER.size or not data.startswith(b"dex\n") or data[7] != 0:
            raise DexError(f"{name}: not a dex file (bad magic)")
        self.data = data
        self.name = name
        fields = _HEADER.unpack_from(data, 0)
        (
            _magic, _checksum, _sig, file_size, header_size, _endian, _link_size, _link_off, _map_off,
            self.string_ids_size, self.string_ids_off, self.type_ids_size, self.type_ids_off,
            self.proto_ids_size, self.proto_ids_off, self.field_ids_size, self.field_ids_off,
            self.method_ids_size, self.method_ids_off, self.class_defs_size, self.class_defs_off,
            _data_size, _data_off,
        ) = fields  # fmt: skip
        if header_size != 0x70 or file_size > len(data):
            raise DexError(f"{name}: truncated or corrupt header (file_size {file_size}, have {len(data)})")
        for count, off, width in (
            (self.string_ids_size, self.string_ids_off, 4),
            (self.type_ids_size, self.type_ids_off, 4),
            (self.field_ids_size, self.field_ids_off, 8),
            (self.method_ids_size, self.method_ids_off, 8),
            (self.class_defs_size, self.class_defs_off, 32),
        ):
            if count and (off <= 0 or off + count * width > len(data)):
                raise DexError(f"{name}: id table outside the file")
        self._strings: dict[int, str] = {}

    # --- strings and types ------------------------------------------------------------
    @cached_property
    def _string_offsets(self) -> tuple[int, ...]:
        return struct.unpack_from(f"<{self.string_ids_size}I", self.data, self.string_ids_off)

    def string(self, idx: int) -> str:
        cached = self._strings.get(idx)
        if cached is not None:
            return cached
        if not 0 <= idx < self.string_ids_size:
            raise DexError(f"{self.name}: string index {idx} out of range")
        off = self._string_offsets[idx]
        _, start = read_uleb128(self.data, off)
        end = self.data.find(b"\x00", start)
        if end < 0:
            raise DexError(f"{self.name}: unterminated string at {off}")
        text = decode_mutf8(self.data[start:end])
        self._strings[idx] = text
        return text

    def find_string(self, text: str) -> int | None:
        """Binary search of the sorted string table (sorted by UTF-16 code points)."""
        key = text.encode("utf-16-be")
        lo, hi = 0, self.string_ids_size
        while lo < hi:
            mid = (lo + hi) // 2
            probe = self.string(mid).encode("utf-16-be", "surrogatepass")
            if probe < key:
                lo = mid + 1
            else:
                hi = mid
        if lo < self.string_ids_size and self.string(lo) == text:
            return lo
        return None

    @cached_property
    def type_string_ids(self) -> tuple[int, ...]:
        return struct.unpack_from(f"<{self.type_ids_size}I", self.data, self.type_ids_off)

    def type_name(self, type_idx: int) -> str:
        return self.string(self.type_string_ids[type_idx])

    def find_type(self, descriptor: str) -> int | None:
        sid = self.find_string(descriptor)
        if sid is None:
            return None
        pos = bisect_left(self.type_string_ids, sid)
        if pos < len(self.type_string_ids) and self.type_string_ids[pos] == sid:
            return pos
        return None

    # --- fields and methods -----------------------------------------------------------
    @cached_property
    def method_ids(self) -> list[tuple[int, int, int]]:
        """(class_idx, proto_idx, name_idx) per method id."""
        return list(
            struct.iter_unpack(
                "<HHI", self.data[self.method_ids_off : self.method_ids_off + 8 * self.method_ids_size]
            )
        )

    @cached_property
    def field_ids(self) -> list[tuple[int, int, int]]:
        """(class_idx, type_idx, name_idx) per field id."""
        return list(
            struct.iter_unpack(
                "<HHI", self.data[self.field_ids_off : self.field_ids_off + 8 * self.field_ids_size]
            )
        )

    def method_name(self, method_idx: int) -> str:
        cls, _proto, name = self.method_ids[method_idx]
        return f"{descriptor_to_java(self.type_name(cls))}.{self.string(name)}"

    # --- classes and code -------------------------------------------------------------
    @cached_property
    def class_defs(self) -> list[tuple[int, ...]]:
        """Raw class_def_item rows; [0] is the class type index, [6] the class_data offset."""
        end = self.class_defs_off + 32 * self.class_defs_size
        return list(struct.iter_unpack("<8I", self.data[self.class_defs_off : end]))

    @cached_property
    def class_names(self) -> list[str]:
        """Java names of the classes this dex defines (not merely references)."""
        return [descriptor_to_java(self.type_name(c[0])) for c in self.class_defs]

    @cached_property
    def methods_by_code(self) -> tuple[list[int], list[Method]]:
        """Every method with code, sorted by code offset, for mapping a byte offset to its method.

        This walks every class_data_item: LEB128 decoding is inlined because it runs a
        million times on a large app.
        """
        data = self.data
        size = len(data)
        codes: list[tuple[int, int, int]] = []
        append = codes.append
        for class_def in self.class_defs:
            class_idx, pos = class_def[0], class_def[6]
            if not pos:
                continue
            values = []
            for _ in range(4):
                value = shift = 0
                while True:
                    byte = data[pos]
                    pos += 1
                    value |= (byte & 0x7F) << shift
                    if byte < 0x80:
                        break
                    shift += 7
                values.append(value)
            fields, direct, virtual = values[0] + values[1], values[2], values[3]
            skip = 2 * fields
            while skip:
                while data[pos] >= 0x80:
                    pos += 1
                pos += 1
                skip -= 1
            for count in (direct, virtual):
                method_idx = 0
                for _ in range(count):
                    diff = shift = 0
                    while True:
                        byte = data[pos]
                        pos += 1
                        diff |= (byte & 0x7F) << shift
                        if byte < 0x80:
                            break
                        shift += 7
                    while data[pos] >= 0x80:
                        pos += 1
                    pos += 1
                    code_off = shift = 0
                    while True:
                        byte = data[pos]
                        pos += 1
                        code_off |= (byte & 0x7F) << shift
                        if byte < 0x80:
                            break
                        shift += 7
                    method_idx += diff
                    if code_off:
                        append((code_off, method_idx, class_idx))
            if pos > size:
                raise DexError(f"{self.name}: class data runs past the end of the file")
        codes.sort()
        return [c[0] for c in codes], [Method(m, c, off) for off, m, c in codes]

    def method_at(self, offset: int) -> tuple[Method, int, int] | None:
        """The method whose instructions contain byte `offset`: (method, insns start, insns end)."""
        offsets, methods = self.methods_by_code
        pos = bisect_left(offsets, offset + 1) - 1
        if pos < 0:
            return None
        method = methods[pos]
        if method.code_off + 16 > len(self.data):
            return None
        insns_size = struct.unpack_from("<I", self.data, method.code_off + 12)[0]
        start = method.code_off + 16
        end = start + 2 * insns_size
        if not start <= offset < end or end > len(self.data):
            return None
        return method, start, end
