"""Dalvik instruction walking for the few methods that contain a sensitive call.

A byte pattern that looks like `invoke-virtual {…}, method@N` can sit inside another
instruction's operands or a switch table; only walking the method's instruction stream
from its start proves an offset is a real invoke. While walking, constant strings and
static-field reads are tracked per register, so `Settings.Secure.getString(cr,
"android_id")` and `query(ContactsContract.Contacts.CONTENT_URI, …)` can be narrowed to
the data they really read.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass

# Code units per opcode (formats of the Dalvik bytecode spec); unused opcodes count as 1.
_SIZES = bytearray([1] * 256)
for _ops, _size in (
    ((0x02, 0x05, 0x08), 2),
    ((0x03, 0x06, 0x09), 3),
    ((0x13, 0x15, 0x16, 0x19, 0x1A, 0x1C, 0x1F, 0x20, 0x22, 0x23, 0x29), 2),
    ((0x14, 0x17, 0x1B, 0x24, 0x25, 0x26, 0x2A, 0x2B, 0x2C), 3),
    ((0x18,), 5),
    (tuple(range(0x2D, 0x3E)), 2),
    (tuple(range(0x44, 0x6E)), 2),
    (tuple(range(0x6E, 0x73)), 3),
    (tuple(range(0x74, 0x79)), 3),
    (tuple(range(0x90, 0xB0)), 2),
    (tuple(range(0xD0, 0xE3)), 2),
    ((0xFA, 0xFB), 4),
    ((0xFC, 0xFD), 3),
    ((0xFE, 0xFF), 2),
):
    for _op in _ops:
        _SIZES[_op] = _size

INVOKE_OPS = frozenset(range(0x6E, 0x73)) | frozenset(range(0x74, 0x79))
STATIC_INVOKES = frozenset((0x71, 0x77))
SGET_OPS = frozenset(range(0x60, 0x67))
CONST_STRING, CONST_STRING_JUMBO = 0x1A, 0x1B
MOVE_RESULT_OBJECT = 0x0C


@dataclass(frozen=True)
class Instruction:
    offset: int
    opcode: int
    size: int


def walk(data: bytes, start: int, end: int) -> Iterator[Instruction]:
    """Yield instructions from `start` to `end`, skipping switch and array payloads."""
    pos = start
    while pos < end:
        op = data[pos]
        if op == 0x00 and pos + 1 < end and data[pos + 1] in (1, 2, 3):
            skip = _payload_units(data, pos, end)
            if skip is None:
                return
            pos += skip * 2
            continue
        size = _SIZES[op]
        yield Instruction(pos, op, size)
        pos += size * 2


def invoke_args(data: bytes, ins: Instruction) -> list[int]:
    """Registers passed by an invoke (35c or 3rc format)."""
    if ins.opcode >= 0x74:
        count = data[ins.offset + 1]
        (first,) = struct.unpack_from("<H", data, ins.offset + 4)
        return list(range(first, first + count))
    count = data[ins.offset + 1] >> 4
    g = data[ins.offset + 1] & 0x0F
    cd, fe = data[ins.offset + 4], data[ins.offset + 5]
    regs = [cd & 0x0F, cd >> 4, fe & 0x0F, fe >> 4, g]
    return regs[:count]


def ref_index(data: bytes, ins: Instruction) -> int:
    """The 16-bit method/field/string index of a 21c/35c/3rc instruction."""
    return int(struct.unpack_from("<H", data, ins.offset + 2)[0])


Const = tuple[str, str]  # ("string", value) or ("field", "Class.NAME")


def constants_at(
    data: bytes,
    start: int,
    end: int,
    targets: set[int],
    string_of: Callable[[int], str | None],
    field_name: Callable[[int], str | None],
    parse_methods: frozenset[int],
) -> dict[int, tuple[int, list[Const | None]]]:
    """For each real instruction at an offset in `targets`: (opcode, constant per argument).

    Offsets in `targets` that are not instruction starts (bytes inside operands or payloads)
    are absent from the result: that is how candidates from the byte search are confirmed.
    Tracking follows the instruction stream linearly: a register's constant is forgotten
    when anything else is written to it. Branches are not modelled, so a narrowed value is
    always a constant the method really passes to that call on some path; an unknown
    argument leaves the call un-narrowed (confidence "name"). The walk stops after the last
    target: this loop is the scan's hot path.
    """
    regs: dict[int, Const] = {}
    pending: Const | None = None
    out: dict[int, tuple[int, list[Const | None]]] = {}
    last = max(targets)
    sizes = _SIZES
    pos = start
    while pos < end and pos <= last:
        op = data[pos]
        if op == 0x00 and pos + 1 < end and data[pos + 1] in (1, 2, 3):
            skip = _payload_units(data, pos, end)
            if skip is None:
                break
            pos += skip * 2
            continue
        size = sizes[op]
        if pos in targets:
            ins = Instruction(pos, op, size)
            args = [regs.get(r) for r in invoke_args(data, ins)] if op in INVOKE_OPS else []
            out[pos] = (op, args)
        if op in (CONST_STRING, CONST_STRING_JUMBO):
            idx = data[pos + 2] | data[pos + 3] << 8
            if op == CONST_STRING_JUMBO:
                idx |= data[pos + 4] << 16 | data[pos + 5] << 24
            text = string_of(idx)
            if text is None:
                regs.pop(data[pos + 1], None)
            else:
                regs[data[pos + 1]] = ("string", text)
            pending = None
        elif 0x60 <= op <= 0x66:
            name = field_name(data[pos + 2] | data[pos + 3] << 8)
            if name is None:
                regs.pop(data[pos + 1], None)
            else:
                regs[data[pos + 1]] = ("field", name)
            pending = None
        elif op in INVOKE_OPS:
            pending = None
            if op in STATIC_INVOKES and (data[pos + 2] | data[pos + 3] << 8) in parse_methods:
                ins = Instruction(pos, op, size)
                args = [regs.get(r) for r in invoke_args(data, ins)]
                if args and args[0] is not None:
                    pending = args[0]
        elif op == MOVE_RESULT_OBJECT:
            if pending is not None:
                regs[data[pos + 1]] = pending
            else:
                regs.pop(data[pos + 1], None)
            pending = None
        else:
            pending = None
            if regs:
                _forget_written(data, Instruction(pos, op, size), regs)
        pos += size * 2
    return out


def _payload_units(data: bytes, pos: int, end: int) -> int | None:
    """Size in code units of a switch or array payload starting at `pos`."""
    ident = data[pos + 1]
    if pos + 8 > end:
        return None
    if ident == 1:
        (count,) = struct.unpack_from("<H", data, pos + 2)
        return int(count) * 2 + 4
    if ident == 2:
        (count,) = struct.unpack_from("<H", data, pos + 2)
        return int(count) * 4 + 2
    width, count = struct.unpack_from("<HI", data, pos + 2)
    return (int(count) * int(width) + 1) // 2 + 4


def _forget_written(data: bytes, ins: Instruction, regs: dict[int, Const]) -> None:
    """Drop the constant of a register this instruction overwrites (first operand, A)."""
    op = ins.opcode
    if not regs:
        return
    if op in (0x01, 0x04, 0x07, 0x12) or 0x7B <= op <= 0x8F or 0xB0 <= op <= 0xCF or op == 0x21:
        regs.pop(data[ins.offset + 1] & 0x0F, None)
    elif (
        op in (0x0A, 0x0B, 0x0D)
        or 0x13 <= op <= 0x1C
        or op in (0x1F, 0x22, 0x23)
        or 0x2D <= op <= 0x31
        or 0x44 <= op <= 0x4A
        or 0x90 <= op <= 0xAF
        or 0xD8 <= op <= 0xE2
    ):
        regs.pop(data[ins.offset + 1], None)
    elif 0x52 <= op <= 0x58 or 0xD0 <= op <= 0xD7 or op == 0x20:
        regs.pop(data[ins.offset + 1] & 0x0F, None)
    elif op in (0x02, 0x05, 0x08):
        regs.pop(data[ins.offset + 1], None)
    elif op in (0x03, 0x06, 0x09):
        regs.pop(int(struct.unpack_from("<H", data, ins.offset + 2)[0]), None)
