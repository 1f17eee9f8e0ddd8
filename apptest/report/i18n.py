"""Every fixed word of a report in Chinese and English, from one catalogue (labels.yaml).

Chinese is the default: the reports go to Chinese regulators, courts and developers. A
label missing in one language is a load error, not a silent fallback, because a report
that switches language mid-page reads as careless in front of a court. Texts that come
with the data (rule titles, remediation, citation texts) are `{zh, en}` objects and are
picked with `pick`, which does fall back, since a lab's own rule may be in one language.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import yaml

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"


class UnknownLanguage(ValueError):
    pass


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """labels.yaml as {key: {zh, en}}; raises when a key lacks a language."""
    text = resources.files("apptest.report").joinpath("labels.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    for key, value in data.items():
        if not isinstance(key, str):  # YAML 1.1 reads a bare yes/no key as a boolean
            raise ValueError(f"apptest/report/labels.yaml: key {key!r} must be quoted text")
        if not isinstance(value, dict) or any(not isinstance(value.get(lang), str) for lang in LANGS):
            raise ValueError(f"apptest/report/labels.yaml: {key}: needs zh and en text")
    return data


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise UnknownLanguage(f"--lang {lang!r}: choose zh or en")
    return lang


def labels(lang: str) -> dict[str, str]:
    """All labels in one language, as a plain dict for templates."""
    check_lang(lang)
    return {key: value[lang] for key, value in catalogue().items()}


def pick(value: Any, lang: str) -> str:
    """Text in `lang` from a {zh, en} object (falling back to the other), or the value as text."""
    if isinstance(value, Mapping):
        for choice in (lang, *[other for other in LANGS if other != lang]):
            text = value.get(choice)
            if text:
                return str(text)
        return ""
    return "" if value is None else str(value)
