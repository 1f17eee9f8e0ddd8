"""The declared-vs-observed section of the reports, rendered from the judgement's matrix."""

from __future__ import annotations

from pathlib import Path

import pytest

from apptest.evidence import Bundle
from apptest.report.i18n import labels
from apptest.report.write import prepare_document, render_document
from apptest.rules.judge import judge, read_evidence, resolve_categories
from tests.policy.conftest import RENTAL_POLICY
from tests.policy.test_consistency import APP, make_bundle, reads


@pytest.fixture(scope="module")
def document(tmp_path_factory, knowledge):
    from apptest.policy.collect import collect_file

    root = make_bundle(tmp_path_factory.mktemp("rep") / "bundle", [reads(10, "clipboard"), reads(11, "contacts", APP)])
    hostile = root.parent / "policy.html"
    hostile.write_text(
        "<html><head><title>隐私政策</title></head><body><p>我们不会收集您的通讯录&lt;script&gt;alert(1)&lt;/script&gt;。</p>"
        "<p>联系我们：privacy@example.com</p></body></html>",
        encoding="utf-8",
    )
    collect_file(root, hostile, knowledge)
    judgement = judge(read_evidence(root), knowledge, resolve_categories(knowledge, "news"))
    return prepare_document(judgement, root, knowledge=knowledge)


def test_markdown_section(document) -> None:
    text = render_document(document, "md", "en")
    assert "## Privacy policy declared vs observed" in text
    section = text.split("## Privacy policy declared vs observed", 1)[1]
    assert "| Clipboard content | **not declared** | not mentioned |" in section
    assert "**only negated, conditional or vague mentions** | negated (says it does not)" in section
    assert "| Contact channel | stated | 联系我们：privacy@example.com |" in section


def test_html_section_escapes_the_policy_text(document) -> None:
    html = render_document(document, "html", "zh")
    assert '<section id="policy">' in html and "隐私政策声明与实际行为对照" in html
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def test_a_policy_given_before_sealing_is_not_called_late(document) -> None:
    for lang in ("zh", "en"):
        for fmt in ("md", "html"):
            assert labels(lang)["policy_after_sealing"] not in render_document(document, fmt, lang)


def test_a_policy_added_after_sealing_says_so(tmp_path: Path, knowledge) -> None:
    from apptest.policy.collect import collect_file

    root = make_bundle(tmp_path / "bundle", [reads(10, "clipboard")])
    Bundle.open(root).seal()
    collected = collect_file(root, RENTAL_POLICY, knowledge)
    judgement = judge(read_evidence(root), knowledge, resolve_categories(knowledge, "news"))
    document = prepare_document(judgement, root, knowledge=knowledge)
    (doc,) = document["judgement"]["policy_matrix"]["documents"]
    assert doc["after_sealing"] is True and doc["sha256"] == collected.sha256
    assert {o["id"] for o in document["evidence"]["observations"]} >= {doc["observation"]}
    for lang in ("zh", "en"):
        label = labels(lang)["policy_after_sealing"]
        markdown = render_document(document, "md", lang).split("\n## ")
        (section,) = [part for part in markdown if part.startswith(labels(lang)["policy_section"])]
        assert label in section and collected.sha256 in section, lang
        html = render_document(document, "html", lang)
        policy_html = html.split('<section id="policy">', 1)[1].split("</section>", 1)[0]
        assert label in policy_html and collected.sha256 in policy_html, lang


def test_a_judgement_without_a_matrix_has_no_section(document) -> None:
    old = dict(document)
    old["judgement"] = {k: v for k, v in document["judgement"].items() if k != "policy_matrix"}
    assert "Privacy policy declared vs observed" not in render_document(old, "md", "en")
    assert 'id="policy"' not in render_document(old, "html", "en")


def test_no_policy_says_so(tmp_path: Path, knowledge) -> None:
    root = make_bundle(tmp_path / "bundle", [reads(10, "clipboard")])
    judgement = judge(read_evidence(root), knowledge, resolve_categories(knowledge, "news"))
    text = render_document(prepare_document(judgement, root, knowledge=knowledge), "md", "en")
    assert "The bundle holds no privacy policy" in text
