"""The HTML report: self-contained, bilingual, and inert whatever the app planted in it."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest

from apptest.report.html import CSP, render_html
from apptest.report.i18n import catalogue, labels

from .conftest import IMG, SCRIPT


class Elements(HTMLParser):
    """Every start tag with its attributes, as a browser's tokenizer would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_hostile_values_arrive_as_text_only(hostile_doc: dict[str, Any], lang: str) -> None:
    html = render_html(hostile_doc, lang)
    parsed = parse(html)
    tags = [tag for tag, _ in parsed.tags]
    assert "script" not in tags
    assert not [a for _, a in parsed.tags if any(k.startswith("on") for k in a)], "no event-handler attribute"
    assert not [a for tag, a in parsed.tags if tag == "img"], "no injected image"
    text = "".join(parsed.text)
    assert SCRIPT in text and IMG in text, "the planted markup is shown, as text"
    assert "<script>" not in html and "<img" not in html


def test_page_is_self_contained_with_a_strict_csp(hostile_doc: dict[str, Any]) -> None:
    html = render_html(hostile_doc, "zh")
    parsed = parse(html)
    metas = [a for tag, a in parsed.tags if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert metas and metas[0]["content"] == CSP and "default-src 'none'" in CSP
    assert not [t for t, _ in parsed.tags if t in ("link", "iframe", "object", "embed", "base", "form")]
    for _, attrs in parsed.tags:
        for key in ("src", "href"):
            value = attrs.get(key)
            assert value is None or value.startswith("#"), f"{key}={value!r} would leave the file"


def test_zh_is_default_and_en_is_complete(hostile_doc: dict[str, Any]) -> None:
    zh, en = render_html(hostile_doc, "zh"), render_html(hostile_doc, "en")
    assert 'lang="zh-CN"' in zh and labels("zh")["report_title"] in zh
    assert 'lang="en"' in en and labels("en")["report_title"] in en
    assert labels("zh")["timeline_title"] not in en
    assert "征得同意前收集个人信息" in zh and "Personal information collected before consent" in en


def test_first_page_has_verdict_digest_and_timeline(hostile_doc: dict[str, Any]) -> None:
    html = render_html(hostile_doc, "zh")
    digest = hostile_doc["evidence"]["integrity"]["sums_sha256"]
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    cover = html[: html.index('<section id="summary">')]
    assert digest in cover and 'id="verdict"' in cover and "<svg" in cover
    assert labels("zh")["verdict_text_fail"] in cover


def test_finding_shows_evidence_citation_and_fix(hostile_doc: dict[str, Any]) -> None:
    html = render_html(hostile_doc, "en")
    article = html[html.index('id="finding-1"') :]
    assert "‹device.android_id›" in article and "<mark>‹device.android_id›</mark>" in article
    assert "android.provider.Settings$Secure.getString" in article
    assert "before consent" in article
    assert "Initialise the SDK after consent." in article
    assert "Art. 13" in article, "PIPL-13's reference comes from the citations profile"


def test_raw_values_are_masked(hostile_doc: dict[str, Any]) -> None:
    """A hook's return value (an Android ID) reaches report.json only as a masked preview."""
    html = render_html(hostile_doc, "zh")
    assert "9774d5e8c0ff1a2b" not in html
    stored = hostile_doc["evidence"]["observations"][0]["detail"]["return_value"]
    assert stored == "97************2b"


def test_every_label_has_both_languages() -> None:
    for key, value in catalogue().items():
        assert value["zh"].strip() and value["en"].strip(), key


def test_report_without_evidence_says_so(knowledge: Any) -> None:
    from apptest.report.write import prepare_document

    from .conftest import judgement

    doc = prepare_document(judgement(), None, knowledge=knowledge)
    html = render_html(doc, "en")
    assert labels("en")["no_evidence_note"] in html.replace("&#39;", "'").replace("&#34;", '"')
    assert labels("en")["timeline_empty"] in html
