"""Where the phase names go above the timeline, so that no two of them overlap.

A scripted scenario marks launch, policy shown, refusal, consent and a permission denial
within a second or two. On a ten-minute axis those lines are a few pixels apart, and
names drawn side by side would print over each other: the reader could no longer tell
which line is the consent, which is the one thing the figure must show. So every label
is placed as a box, from an estimate of its width, and a box never goes where another
already is. The first of these that places every mark wins:

1. each name alone, on row `n % rows` as sparse timelines have always been drawn, or on
   another row when that one is taken;
2. numbered: `3 name` where it fits, else just `3`; the figure then gets a key that
   gives every number its time and full name (tooltips do not print, the key does);
3. a run of marks too close even for their numbers shares one label, `3–7`.

No mark loses its identity in steps 2 and 3: its line stays, and the key lists it.

The width estimate is deliberately generous (DejaVu Sans, the widest common fallback,
for Latin; a full em for Chinese and for ambiguous-width punctuation such as `…` and `–`,
which Chinese fonts draw full width): a label that is guessed too wide only moves a row
or turns into a number, one guessed too narrow would overlap.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

ROWS = 3
FONT_PX = 10.0  # `.phase-label` in _styles.css
# The text box a browser gives a label runs from the font's ascent to its descent, not
# around the glyphs; Chromium with Noto Sans CJK measures 1.17 em up and, for Chinese,
# 0.47 em down. Rows are spaced so that those boxes, not just the glyphs, stay apart.
ASCENT = 1.2  # em above the baseline
DESCENT = 0.5  # em below it
ROW_H = 18.0
BASELINE = 12.5  # first row's baseline: ASCENT * FONT_PX fits above it
PAD = 3.0  # from the phase line to its text
GAP = 4.0  # least room between two labels on one row
NARROW = frozenset(" .,:;'!|()[]-ijlftr")
WIDE = frozenset("mwMW@%+")

Box = tuple[float, float, float, float]  # x0, y0, x1, y1


@dataclass(frozen=True)
class Label:
    """One printed label: marks `first`..`last` (indices into the time-ordered marks)."""

    first: int
    last: int
    text: str
    row: int
    anchor: str  # SVG text-anchor: "start" right of the line, "end" left of it
    text_x: float
    baseline: float
    box: Box


def char_em(char: str) -> float:
    """Width of one character in em, rounded up for the fonts a report may meet."""
    if unicodedata.east_asian_width(char) in ("W", "F", "A"):
        return 1.0
    if char in NARROW:
        return 0.42
    if char in WIDE:
        return 1.0
    return 0.8 if char.isupper() else 0.64


def text_width(text: str, font_px: float = FONT_PX) -> float:
    """Estimated advance of `text` in SVG units at the phase-label size."""
    return round(sum(char_em(c) for c in text) * font_px, 1)


def baseline(row: int) -> float:
    return BASELINE + row * ROW_H


def clash(a: Box, b: Box, gap: float = GAP) -> bool:
    """True when two boxes overlap or stand closer than `gap` on the same row."""
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] and b[1] < a[3]


def label_at(x: float, text: str, row: int, right: float, first: int, last: int) -> Label:
    """The label for a line at `x`: right of it, or left when it would leave the picture."""
    width = text_width(text)
    y = baseline(row)
    if x + PAD + width <= right:
        anchor, text_x, x0 = "start", round(x + PAD, 1), x + PAD
    else:
        anchor, text_x, x0 = "end", round(x - PAD, 1), x - PAD - width
    box = (round(x0, 1), round(y - ASCENT * FONT_PX, 1), round(x0 + width, 1), round(y + DESCENT * FONT_PX, 1))
    return Label(first, last, text, row, anchor, text_x, y, box)


def _fit(
    x: float, texts: Sequence[str], rows: Sequence[int], taken: Sequence[Label], right: float, span: tuple[int, int]
) -> Label | None:
    for text in texts:
        for row in rows:
            label = label_at(x, text, row, right, *span)
            if not any(clash(label.box, other.box) for other in taken):
                return label
    return None


def _named(xs: Sequence[float], names: Sequence[str], rows: int, right: float) -> list[Label] | None:
    placed: list[Label] = []
    for n, (x, name) in enumerate(zip(xs, names, strict=True)):
        order = [n % rows, *(r for r in range(rows) if r != n % rows)]
        label = _fit(x, [name], order, placed, right, (n, n))
        if label is None:
            return None
        placed.append(label)
    return placed


def _numbered(xs: Sequence[float], names: Sequence[str], rows: int, right: float) -> list[Label]:
    placed: list[Label] = []
    for n in range(len(xs)):
        first = n
        while True:
            texts = [f"{n + 1} {names[n]}", str(n + 1)] if first == n else [f"{first + 1}–{n + 1}"]
            label = _fit(xs[first], texts, range(rows), placed, right, (first, n))
            if label is not None:
                break
            if not placed:  # the run starts at the first mark: nothing else is on the rows
                label = label_at(xs[first], texts[-1], 0, right, first, n)
                break
            first = placed.pop().first
        placed.append(label)
    return placed


def place(xs: Sequence[float], names: Sequence[str], right: float, rows: int = ROWS) -> tuple[list[Label], bool]:
    """Labels for phase lines at `xs` (ascending) named `names`; True when they are numbered.

    Labels come back in mark order and no two boxes clash. When the second value is True
    the figure needs its key: some marks are shown by number only.
    """
    named = _named(xs, names, rows, right)
    if named is not None:
        return named, False
    return _numbered(xs, names, rows, right), True
