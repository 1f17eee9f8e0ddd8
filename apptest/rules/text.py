"""Sentences the judge writes into a judgement, in Chinese and English.

The judge explains itself in a few places a report prints: the bundle's notes (unsealed,
no consent mark), the evidence a rule lacked, the blind spots next to a verdict. Reports
are Chinese by default and go to Chinese regulators and courts, so a sentence that only
exists in English would switch language mid-page; each one is a `{zh, en}` object, and the
report picks the language when it renders. Values inside a sentence (host names, SDK ids,
file names) are the same in both.
"""

from __future__ import annotations

from collections.abc import Sequence

Text = dict[str, str]


def text(zh: str, en: str) -> Text:
    return {"zh": zh, "en": en}


def shown(items: Sequence[str], limit: int = 10) -> Text:
    """The first `limit` items, and how many more there are."""
    head = ", ".join(items[:limit])
    more = len(items) - limit
    if more <= 0:
        return text(head, head)
    return text(f"{head} 等另外 {more} 个", f"{head} and {more} more")
