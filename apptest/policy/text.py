"""A privacy policy (HTML, Markdown or plain text, Chinese or English) -> plain text + sentences.

Every later step quotes a sentence and its offset, and a court must be able to find that
sentence again, so the plain text is the one coordinate system: offsets count characters
(code points) of `PlainText.text`, which the collector stores next to the original file.

Three traps this module exists for:

* SDK lists are usually HTML or Markdown *tables*. Read as running text, one SDK's name
  ends up in the same sentence as the next SDK's data types. Each table row is therefore
  one sentence, cells joined by ` | `, and remembers its table's header row.
* Chinese sentences end in full-width punctuation (。！？；) and are not separated by
  spaces; English ones end in `. ` but so do `e.g. `, `Co., Ltd. ` and `No. 5`.
* A contact address often lives only in a link (`<a href="mailto:…">联系我们</a>`), so
  mailto:, tel: and web links are kept in the text after their label.

Only the standard library is used (`html.parser`): policies are small, and a lab must be
able to read exactly how its evidence was turned into text.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from apptest.policy.blocks import CJK, Block, markdown_blocks, text_blocks
from apptest.policy.html_blocks import html_blocks

FORMATS = ("html", "markdown", "text")
HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown")


# Chinese (and Latin ! ? ;) sentence ends; closing quotes and brackets stay with the sentence.
_ZH_END = re.compile(r"[。！？；!?;]+[”’」』）)\]】〕]*|…{2,}[”’」』）)]*")
# "word. Next" ends an English sentence unless the word is a known abbreviation.
_EN_END = re.compile(r"(?<=[A-Za-z0-9)\]\"'”’%])\.[\"'”’)]*(?=\s+[\"'“‘(]?[A-Z0-9\u3400-\u9fff])")
_ABBREVIATION_WORDS = "e.g i.e etc inc ltd co corp no nos vs mr mrs ms dr art arts para sec fig approx jr sr st cf al"
_ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class Sentence:
    """One sentence (or one table row, or one heading) and where it starts in the text.

    `para` numbers the blocks (paragraph, list item, row, heading) so that sentences of one
    paragraph can be told apart from the next; `table` numbers the tables, and `header` is
    the text of a row's table's first row.
    """

    text: str
    offset: int
    block: str = "text"  # text | heading | item | row
    table: int | None = None
    header: str | None = None
    para: int | None = None


@dataclass(frozen=True)
class PlainText:
    text: str
    sentences: tuple[Sentence, ...]
    title: str | None
    format: str

    @property
    def language(self) -> str:
        """zh, en or mixed, by the share of CJK characters among the letters."""
        cjk = len(CJK.findall(self.text))
        latin = len(re.findall(r"[A-Za-z]", self.text))
        if cjk == 0 and latin == 0:
            return "unknown"
        share = cjk / (cjk + latin / 5)  # an English word is ~5 letters, a Chinese one ~1.5 characters
        return "zh" if share >= 0.6 else "en" if share <= 0.2 else "mixed"


# --- decoding ---------------------------------------------------------------------------
def decode(data: bytes, html: bool = False) -> str:
    """Bytes -> text: BOM, then (for HTML) the meta charset, then UTF-8, then GB18030.

    Chinese policies saved by Windows tools are still often GBK; GB18030 is its superset
    and decodes any byte sequence, so a policy is never refused for its encoding.
    """
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(name, errors="replace")
    if html:
        found = _META_CHARSET.search(data[:4096])
        if found:
            try:
                return data.decode(found.group(1).decode("ascii"), errors="replace")
            except LookupError:
                pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def sniff_format(name: str, text: str) -> str:
    """html, markdown or text, from the file name, else from the content."""
    low = name.lower()
    if low.endswith(HTML_SUFFIXES):
        return "html"
    if low.endswith(MARKDOWN_SUFFIXES):
        return "markdown"
    head = text.lstrip()[:2000].lower()
    if head.startswith(("<!doctype html", "<html")) or re.search(r"<(p|div|body|table|h[1-6])[\s>]", head):
        return "html"
    if re.search(r"^(#{1,6} |\|.*\|\s*$)", text, re.MULTILINE):
        return "markdown"
    return "text"


# --- sentences --------------------------------------------------------------------------
def _ends(block: str) -> list[int]:
    """Positions just after each sentence end inside one block."""
    cuts = {m.end() for m in _ZH_END.finditer(block)}
    for m in _EN_END.finditer(block):
        word = re.search(r"([A-Za-z][A-Za-z.]*)$", block[: m.start()])
        if word and word.group(1).lower().rstrip(".") in _ABBREVIATIONS:
            continue
        if word and len(word.group(1)) == 1 and word.group(1).isupper():
            continue  # an initial: "J. Smith"
        cuts.add(m.end())
    return sorted(cuts)


def split_sentences(block: str) -> list[tuple[int, str]]:
    """(start, sentence) pairs of one block, whitespace stripped, empty pieces dropped."""
    out = []
    start = 0
    for cut in [*_ends(block), len(block)]:
        piece = block[start:cut]
        stripped = piece.strip()
        if stripped:
            out.append((start + len(piece) - len(piece.lstrip()), stripped))
        start = cut
    return out


def _assemble(blocks: list[Block], title: str | None, fmt: str) -> PlainText:
    parts: list[str] = []
    sentences: list[Sentence] = []
    pos = 0
    for number, block in enumerate(blocks):
        if parts:
            pos += 1  # the newline between blocks
        parts.append(block.text)
        if block.kind in ("row", "heading"):
            sentences.append(Sentence(block.text, pos, block.kind, block.table, block.header, number))
        else:
            for start, sentence in split_sentences(block.text):
                sentences.append(Sentence(sentence, pos + start, block.kind, para=number))
        pos += len(block.text)
    text = "\n".join(parts)
    return PlainText(text=text + ("\n" if text else ""), sentences=tuple(sentences), title=title, format=fmt)


def to_plain(data: bytes | str, name: str = "", fmt: str | None = None) -> PlainText:
    """Convert one policy file; `fmt` (html, markdown, text) overrides the guess from name/content."""
    text = data if isinstance(data, str) else decode(data, html=name.lower().endswith(HTML_SUFFIXES) or fmt == "html")
    fmt = fmt or sniff_format(name, text)
    if fmt not in FORMATS:
        raise ValueError(f"unknown policy format {fmt!r}: choose {', '.join(FORMATS)}")
    if fmt == "html":
        if isinstance(data, bytes) and not name.lower().endswith(HTML_SUFFIXES):
            text = decode(data, html=True)
        blocks, title = html_blocks(text)
    elif fmt == "markdown":
        blocks = markdown_blocks(text)
        title = next((b.text for b in blocks if b.kind == "heading"), None)
    else:
        blocks = text_blocks(text)
        title = blocks[0].text if blocks else None
    if title is None:
        title = next((b.text for b in blocks if b.kind == "heading"), None)
    return _assemble(blocks, title, fmt)
