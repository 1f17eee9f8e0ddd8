"""Policy files -> plain text and sentences: offsets, tables as rows, encodings, punctuation."""

from __future__ import annotations

import pytest

from apptest.policy.text import decode, sniff_format, split_sentences, to_plain
from tests.policy.conftest import POLICIES, RENTAL_POLICY


def _check_offsets(plain) -> None:
    for sentence in plain.sentences:
        assert plain.text[sentence.offset : sentence.offset + len(sentence.text)] == sentence.text


def test_html_policy_keeps_headings_rows_and_link_targets() -> None:
    plain = to_plain((POLICIES / "zh_sdk_table.html").read_bytes(), "zh_sdk_table.html")
    _check_offsets(plain)
    assert plain.format == "html" and plain.language == "zh"
    assert plain.title == "好运出行个人信息保护政策"
    texts = [s.text for s in plain.sentences]
    assert "不会收集剪贴板" not in plain.text  # script content is not policy text
    rows = [s for s in plain.sentences if s.block == "row"]
    assert rows[0].text.startswith("第三方SDK名称 | 第三方公司")
    assert rows[1].text.startswith("友盟+统计SDK | 友盟同欣") and "https://www.umeng.com/page/policy" in rows[1].text
    assert rows[3].text == "防作弊 | 基站信息" and rows[3].header == rows[0].text and rows[3].table == rows[1].table
    assert any("privacy@haoyun-travel.cn" in t for t in texts)  # kept from the mailto: link
    headings = [s.text for s in plain.sentences if s.block == "heading"]
    assert "二、第三方SDK目录" in headings


def test_full_width_punctuation_ends_chinese_sentences() -> None:
    plain = to_plain((POLICIES / "zh_sdk_table.html").read_bytes(), "zh_sdk_table.html")
    texts = [s.text for s in plain.sentences]
    assert "我们不会收集您的通讯录，也不会读取您的短信。" in texts
    assert "我们会向您发送短信验证码。" in texts
    assert any(t.startswith("为向您推荐附近的车辆") and t.endswith("；") for t in texts)


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ("We collect data, e.g. your location. Umeng Co., Ltd. is a partner.", 2),
        ("我们收集位置信息。我们不会收集通讯录！是否同意？", 3),
        ("Version 1.2 of the policy applies.", 1),
        ("See No. 5 of the list. Then stop.", 2),
        ("您可以联系我们（privacy@example.com）。", 1),
    ],
)
def test_sentence_splitting(block: str, expected: int) -> None:
    assert len(split_sentences(block)) == expected


def test_markdown_tables_lists_and_links() -> None:
    plain = to_plain((POLICIES / "en_policy.md").read_text("utf-8"), "en_policy.md")
    _check_offsets(plain)
    assert plain.format == "markdown" and plain.language == "en"
    rows = [s.text for s in plain.sentences if s.block == "row"]
    assert rows == [
        "SDK | Provider | Purpose | Data collected",
        "Firebase Crashlytics | Google LLC | crash reporting | crash logs, Android ID",
        "Adjust | Adjust GmbH | install attribution | advertising ID",
    ]
    texts = [s.text for s in plain.sentences]
    assert "We do not collect your contacts, call logs or text messages." in texts
    # a soft-wrapped English line is joined with a space
    assert any(t == "You can correct your profile under Settings > Account." for t in texts)


def test_plain_text_gbk_file_is_decoded() -> None:
    data = (POLICIES / "zh_plain.txt").read_text("utf-8").encode("gbk")
    plain = to_plain(data, "policy.txt")
    assert plain.format == "text" and plain.sentences[0].text == "云记账隐私政策"
    assert decode("隐私".encode("gbk")) == "隐私"


def test_rental_fixture_policy() -> None:
    plain = to_plain(RENTAL_POLICY.read_bytes(), RENTAL_POLICY.name)
    _check_offsets(plain)
    assert [s.text for s in plain.sentences if s.block == "heading"] == [
        "安心租房隐私政策",
        "一、我们收集的个人信息",
        "二、第三方SDK",
        "三、您的权利",
    ]


@pytest.mark.parametrize(
    ("name", "text", "fmt"),
    [
        ("p.html", "anything", "html"),
        ("p.md", "anything", "markdown"),
        ("policy", "<html><body><p>x</p></body></html>", "html"),
        ("policy", "# Title\n\ntext", "markdown"),
        ("policy", "一行文字。\n另一行。", "text"),
    ],
)
def test_format_sniffing(name: str, text: str, fmt: str) -> None:
    assert sniff_format(name, text) == fmt
