"""Markdown and plain text -> blocks: headings, paragraphs, list items, table rows.

A block is the unit sentences are cut from; a table row is a block of its own (one
sentence), so an SDK list in a Markdown table keeps each SDK's name in the same sentence as
its data types. Paragraph lines are joined the way Markdown renders them: Chinese without a
space, other text with one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WS = re.compile(r"[ \t\r\n\f\v]+")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class Block:
    """One block of a document; `table` numbers the tables, `header` is a row's table header."""

    text: str
    kind: str  # text | heading | item | row
    table: int | None = None
    header: str | None = None


_MD_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_MD_ITEM = re.compile(r"^\s*([-*+]|\d{1,3}[.)、])\s+")
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_INLINE = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\(\s*(?:mailto:|tel:)?([^)\s]+)[^)]*\)"), r"\1 (\2)"),
    (re.compile(r"<((?:https?://|mailto:)[^>\s]+)>"), r"\1"),
    (re.compile(r"</?[A-Za-z][^>]*>"), ""),
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=\S)([^_]+?)(?<=\S)_(?![\w_])"), r"\1"),
)


def _md_inline(text: str) -> str:
    for pattern, repl in _MD_INLINE:
        text = pattern.sub(repl, text)
    return WS.sub(" ", text).strip()


def _soft_join(lines: list[str]) -> str:
    """Join soft-wrapped lines: no space between two CJK characters, one otherwise."""
    out = ""
    for line in lines:
        if out and not (CJK.match(out[-1]) and CJK.match(line[:1] or " ")):
            out += " "
        out += line
    return out


def _md_cells(line: str) -> list[str]:
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    return [_md_inline(c.replace("\\|", "|")) for c in re.split(r"(?<!\\)\|", body)]


def markdown_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    para: list[str] = []
    kind = "text"
    lines = text.splitlines()
    tables = 0

    def flush() -> None:
        nonlocal para, kind
        joined = _md_inline(_soft_join(para))
        if joined:
            blocks.append(Block(joined, kind))
        para, kind = [], "text"

    n = 0
    while n < len(lines):
        line = lines[n]
        nxt = lines[n + 1] if n + 1 < len(lines) else ""
        if "|" in line and _MD_TABLE_SEP.match(nxt):
            flush()
            tables += 1
            header = " | ".join(c for c in _md_cells(line) if c)
            blocks.append(Block(header, "row", tables, header))
            n += 2
            while n < len(lines) and "|" in lines[n] and lines[n].strip():
                row = " | ".join(c for c in _md_cells(lines[n]) if c)
                if row:
                    blocks.append(Block(row, "row", tables, header))
                n += 1
            continue
        heading = _MD_HEADING.match(line)
        if heading:
            flush()
            blocks.append(Block(_md_inline(heading.group(2)), "heading"))
        elif not line.strip() or (_MD_TABLE_SEP.match(line) and not para):
            flush()
        elif _MD_ITEM.match(line):
            flush()
            para, kind = [_MD_ITEM.sub("", line, count=1).strip()], "item"
        else:
            para.append(line.strip())
            if line.endswith(("  ", "\\")):
                flush()
        n += 1
    flush()
    return blocks


def text_blocks(text: str) -> list[Block]:
    """Plain text: every non-empty line is a block (policies in .txt rarely soft-wrap)."""
    out = []
    for line in text.splitlines():
        clean = WS.sub(" ", line).strip()
        if clean:
            out.append(Block(clean, "item" if _MD_ITEM.match(line) else "text"))
    return out
