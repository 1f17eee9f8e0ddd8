"""HTML -> blocks, with the standard library's `html.parser`.

Scripts, styles and the head are dropped (a policy page's tracking script is not policy
text); headings, paragraphs and list items become blocks; each table row becomes one
block of its cells joined by ` | `, remembering its table's first row. A link keeps its
target after its label when the label does not show it (`mailto:`, `tel:`, web links),
because the only contact address of a policy is often inside a "联系我们" link.
"""

from __future__ import annotations

from html.parser import HTMLParser

from apptest.policy.blocks import WS, Block

_BLOCK_TAGS_WORDS = (
    "address article aside blockquote body dd details dialog div dl dt fieldset figcaption "
    "figure footer form header hr html li main nav ol p pre section summary table tbody thead "
    "tfoot ul"
)
_BLOCK_TAGS = frozenset(_BLOCK_TAGS_WORDS.split())
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "head"})


class _HtmlBlocks(HTMLParser):
    """Collects blocks: headings, paragraphs, list items and one block per table row."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.title: str | None = None
        self._inline: list[str] = []
        self._kind = "text"
        self._skip = 0
        self._in_title = False
        self._title: list[str] = []
        self._tables: list[dict[str, object]] = []  # stack: {id, rows, header}
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._table_count = 0
        self._links: list[str | None] = []

    # text routing: a cell buffer inside a table, the paragraph buffer outside
    def _sink(self) -> list[str]:
        return self._cell if self._cell is not None else self._inline

    def _flush(self) -> None:
        text = WS.sub(" ", "".join(self._inline)).strip()
        self._inline = []
        if text:
            self.blocks.append(Block(text, self._kind))
        self._kind = "text"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
            return
        if tag == "title":
            self._in_title = True
            return
        if self._skip:
            return
        if tag == "a":
            self._links.append(dict(attrs).get("href"))
            return
        if tag == "table":
            self._flush()
            self._table_count += 1
            self._tables.append({"id": self._table_count, "header": None})
            return
        if tag == "tr" and self._tables:
            self._row = []
            return
        if tag in ("td", "th") and self._row is not None:
            self._cell = []
            return
        if self._cell is not None:
            if tag in ("br", "p", "div", "li"):
                self._cell.append(" ")
            return
        if tag == "br":
            self._flush()
            return
        if tag in _HEADINGS or tag in _BLOCK_TAGS:
            self._flush()
            if tag in _HEADINGS:
                self._kind = "heading"
            elif tag in ("li", "dt", "dd"):
                self._kind = "item"

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
            return
        if tag == "title":
            self._in_title = False
            self.title = WS.sub(" ", "".join(self._title)).strip() or None
            return
        if self._skip:
            return
        if tag == "a":
            href = self._links.pop() if self._links else None
            self._link_target(href)
            return
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(WS.sub(" ", "".join(self._cell)).strip())
            self._cell = None
            return
        if tag == "tr" and self._row is not None:
            self._end_row()
            return
        if tag == "table" and self._tables:
            if self._row is not None:
                self._end_row()
            self._tables.pop()
            return
        if self._cell is None and (tag in _HEADINGS or tag in _BLOCK_TAGS):
            self._flush()

    def _end_row(self) -> None:
        cells = [c for c in (self._row or []) if c]
        self._row, self._cell = None, None
        if not cells or not self._tables:
            return
        table = self._tables[-1]
        text = " | ".join(cells)
        if table["header"] is None:
            table["header"] = text
        self.blocks.append(Block(text, "row", int(str(table["id"])), str(table["header"])))

    def _link_target(self, href: str | None) -> None:
        """Keep where a link points when its label does not say it (mailto:, tel:, URLs)."""
        if not href:
            return
        href = href.strip()
        target = href
        for prefix in ("mailto:", "tel:"):
            if href.lower().startswith(prefix):
                target = href[len(prefix) :].split("?", 1)[0]
                break
        else:
            if not href.lower().startswith(("http://", "https://")):
                return
        sink = self._sink()
        if target and target not in "".join(sink[-20:]):
            sink.append(f" ({target})")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title.append(data)
            return
        if self._skip:
            return
        self._sink().append(data)

    def close(self) -> None:
        super().close()
        if self._row is not None:
            self._end_row()
        self._flush()


def html_blocks(text: str) -> tuple[list[Block], str | None]:
    parser = _HtmlBlocks()
    parser.feed(text)
    parser.close()
    return parser.blocks, parser.title
