"""Excerpts are what reports show: readable, and never a raw value or a piece of one."""

from __future__ import annotations

from apptest.traffic.detection import excerpt


def test_overlapping_values_in_one_field_are_all_masked() -> None:
    text = '{"aid":"9774d56d682e549c","mac":"02:28:6d:a1:b2:c3","applist":"com.a.b|com.c.d"}'
    spans = [(text.index("9774"), text.index("9774") + 16, "device.android_id"),
             (text.index("02:28"), text.index("02:28") + 17, "device.mac"),
             (text.index("com.a.b"), text.index("com.a.b") + 7, "apps.installed")]
    for start, end, _label in spans:
        shown = excerpt(text, start, end, spans)
        assert "9774d5" not in shown and "a1:b2" not in shown and "com.a.b" not in shown
        assert "‹device.mac›" in shown or "‹apps.installed›" in shown


def test_hex_runs_beside_a_value_are_blanked_without_crashing() -> None:
    text = '{"sig":"0123456789abcdef0123456789abcdef","aid":"9774d56d682e549c"}'
    start = text.index("9774")
    shown = excerpt(text, start, start + 16, [(start, start + 16, "device.android_id")])
    assert "‹hex›" in shown and "‹device.android_id›" in shown and "0123456789" not in shown
