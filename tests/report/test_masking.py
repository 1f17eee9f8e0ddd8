"""Masked previews: what may leave the bundle, and what must not."""

from __future__ import annotations

import pytest

from apptest.report.masking import clean_observation, highlight, mask_detail, mask_value, scrub


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("abc", "****"),
        ("13812345678", "13*******78"),
        ("9774d5e8c0ff1a2b", "97************2b"),
        ("860123456789012", "86***********12"),
        ("110101199003074514", "1101**********4514"),
        ("abcdefgh", "a******h"),
    ],
)
def test_mask_value_keeps_only_the_ends(value: str, masked: str) -> None:
    assert mask_value(value) == masked


@pytest.mark.parametrize(
    ("text", "should_mask"),
    [
        ("https://a.cn/u?imei=860123456789012", "860123456789012"),
        ("aid=9774d5e8c0ff1a2b&x=1", "9774d5e8c0ff1a2b"),
        ("tel 13812345678", "13812345678"),
    ],
)
def test_scrub_blanks_identifier_runs(text: str, should_mask: str) -> None:
    assert should_mask not in scrub(text)


@pytest.mark.parametrize(
    "text",
    [
        "https://ulogs.umeng.com/unify_logs",
        "v=1.2.0&sdk=30",
        "2026-05-01",
        "9774d5****1a2b",  # already masked: left as it is
        "com.umeng.commonsdk.Tracker.f(Tracker.java:123456)",
    ],
)
def test_scrub_leaves_ordinary_text(text: str) -> None:
    assert scrub(text) == text


def test_detail_masks_raw_fields_and_keeps_code() -> None:
    detail = {
        "api": "android.provider.Settings$Secure.getString",
        "return_value": "9774d5e8c0ff1a2b",
        "stack": ["a.b.C.d(C.java:1)"],
        "nested": {"value": "13812345678"},
        "url": "https://x.cn/p?imei=860123456789012",
    }
    out = mask_detail(detail)
    assert out["api"] == detail["api"] and out["stack"] == detail["stack"]
    assert out["return_value"] == "97************2b"
    assert out["nested"]["value"] == "13*******78"
    assert "860123456789012" not in out["url"]
    assert "prev" not in clean_observation({"id": "o", "prev": "x", "detail": detail})


def test_highlight_marks_labels_and_masked_values_as_data() -> None:
    pieces = highlight('"aid":"‹device.android_id›","m":"9774d5****1a2b"<b>')
    hits = [p["text"] for p in pieces if p["hit"]]
    assert hits == ["‹device.android_id›", "9774d5****1a2b"]
    assert "".join(p["text"] for p in pieces) == '"aid":"‹device.android_id›","m":"9774d5****1a2b"<b>'
