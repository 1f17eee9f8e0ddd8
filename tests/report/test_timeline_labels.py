"""Phase labels on the timeline never overlap, and every mark stays identifiable.

Boxes are rebuilt here from what the template draws (text, x, baseline, anchor) with the
layout's own width estimate, so a label the layout misplaced shows as an intersection.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

from apptest.knowledge import Knowledge
from apptest.report.timeline import WIDTH, layout
from apptest.report.timeline_labels import ASCENT, DESCENT, FONT_PX, place, text_width

# A scripted run: ten marks in under three seconds, then ten minutes of traffic.
DENSE_MARKS = [
    ("00.000", "launch"),
    ("00.300", "policy_shown"),
    ("00.600", "consent_refused"),
    ("00.900", "relaunched"),
    ("01.200", "policy_shown"),
    ("01.500", "consent_given"),
    ("01.800", "permission_requested:android.permission.CAMERA"),
    ("02.100", "permission_denied:android.permission.CAMERA"),
    ("02.400", "permission_requested:android.permission.ACCESS_FINE_LOCATION"),
    ("02.700", "permission_granted:android.permission.ACCESS_FINE_LOCATION"),
]
DENSE = [{"ts": f"2026-05-01T08:30:{at}Z", "mark": mark} for at, mark in DENSE_MARKS]
SPARSE = [
    {"ts": "2026-05-01T08:30:00.000Z", "mark": "launch"},
    {"ts": "2026-05-01T08:30:10.000Z", "mark": "consent_given"},
    {"ts": "2026-05-01T08:30:30.000Z", "mark": "background"},
    {"ts": "2026-05-01T08:30:40.000Z", "mark": "foreground"},
]
LATE = {
    "id": "late",
    "ts": "2026-05-01T08:40:00.000Z",
    "action": "transmits",
    "data_types": ["device.android_id"],
    "actor": {"kind": "app", "id": "x"},
}


def namer(knowledge: Knowledge, lang: str) -> Callable[[str], str]:
    names = {name: str(p["label"][lang]) for name, p in knowledge.phases.items()}
    return lambda name: names[name]


def draw(phases: list[dict[str, Any]], phase_label: Callable[[str], str], observations: list[dict[str, Any]]):
    tl = layout(observations, phases, set(), lambda o: ("app", "App"), phase_label)
    assert tl is not None
    return tl


def drawn_box(label: dict[str, Any]) -> tuple[float, float, float, float]:
    """The box of a label as the template places it, by the layout's width estimate."""
    width = text_width(label["text"])
    x0 = label["text_x"] if label["anchor"] == "start" else label["text_x"] - width
    return (x0, label["y"] - ASCENT * FONT_PX, x0 + width, label["y"] + DESCENT * FONT_PX)


def assert_no_overlap(labels: list[dict[str, Any]]) -> None:
    boxes = [drawn_box(label) for label in labels]
    for (i, a), (j, b) in itertools.combinations(enumerate(boxes), 2):
        overlap = a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
        assert not overlap, f"{labels[i]['text']!r} overlaps {labels[j]['text']!r}"
    assert all(box[0] >= 0 and box[2] <= WIDTH and box[1] >= 0 for box in boxes), "inside the picture"


def assert_every_mark_once(tl: dict[str, Any]) -> None:
    numbers = [n for label in tl["phase_labels"] for n in label["numbers"]]
    assert numbers == list(range(1, len(tl["phases"]) + 1)), "each mark is under exactly one label"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_dense_marks_are_numbered_apart_and_keyed(knowledge: Knowledge, lang: str) -> None:
    tl = draw(DENSE, namer(knowledge, lang), [LATE])
    xs = [p["x"] for p in tl["phases"]]
    assert max(xs) - min(xs) < 5, "the ten lines sit within a few pixels"
    assert_no_overlap(tl["phase_labels"])
    assert_every_mark_once(tl)
    key = tl["phase_key"]
    assert [k["number"] for k in key] == list(range(1, 11))
    names = namer(knowledge, lang)
    assert key[7]["name"] == f"{names('permission_denied')}: android.permission.CAMERA"
    assert key[5]["consent"] and key[5]["rel"] == "+1.5s"
    for label in tl["phase_labels"]:
        shown = label["numbers"]
        assert label["text"].startswith(str(shown[0])), "a label starts with the number the key explains"
        if len(shown) > 1:
            assert label["text"] == f"{shown[0]}–{shown[-1]}"
    for line in tl["phases"]:
        assert line["full"].startswith(f"{line['number']}. {line['rel']} "), "the tooltip repeats the key"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_dense_marks_on_a_short_axis_keep_names_where_they_fit(knowledge: Knowledge, lang: str) -> None:
    tl = draw(DENSE, namer(knowledge, lang), [])
    assert_no_overlap(tl["phase_labels"])
    assert_every_mark_once(tl)
    assert len(tl["phase_labels"]) == 10, "over three seconds there is room for every number"
    assert tl["phase_key"], "names that did not fit are explained below the figure"
    assert any(" " in label["text"] for label in tl["phase_labels"]), "some names still print"


def test_sparse_marks_keep_their_names_on_alternating_rows(knowledge: Knowledge) -> None:
    tl = draw(SPARSE, namer(knowledge, "en"), [])
    assert tl["phase_key"] == []
    assert [label["text"] for label in tl["phase_labels"]] == [
        "App launched",
        "User accepted the pri…",
        "App in the background",
        "App in the foreground",
    ]
    assert [label["row"] for label in tl["phase_labels"]] == [0, 1, 2, 0]
    for line, label in zip(tl["phases"], tl["phase_labels"], strict=True):
        assert label["numbers"] == [line["number"]]
        offset = 3 if label["anchor"] == "start" else -3
        assert label["text_x"] == round(line["x"] + offset, 1)
        assert line["full"] == f"{line['rel']} {line['name']}", "no number where there is no key"
    assert [label["anchor"] for label in tl["phase_labels"]] == ["start", "start", "start", "end"], "last at the edge"
    assert_no_overlap(tl["phase_labels"])


def test_a_taken_row_moves_a_name_to_a_free_one() -> None:
    labels, numbered = place([200, 210, 220, 250], ["Privacy policy shown", "b", "c", "d"], WIDTH - 1)
    assert not numbered
    assert [label.row for label in labels] == [0, 1, 2, 1], "row 0 is taken by the long name"


def test_marks_at_one_instant_share_a_range_label() -> None:
    labels, numbered = place([500.0] * 30, [f"mark {n}" for n in range(30)], WIDTH - 1)
    assert numbered
    covered = [n for label in labels for n in range(label.first, label.last + 1)]
    assert covered == list(range(30))
    assert any(label.first != label.last and label.text == f"{label.first + 1}–{label.last + 1}" for label in labels)
    views = [{"text": la.text, "text_x": la.text_x, "y": la.baseline, "anchor": la.anchor} for la in labels]
    assert_no_overlap(views)


def test_width_estimate_gives_chinese_a_full_em() -> None:
    assert text_width("用户拒绝") == 4 * FONT_PX
    assert text_width("ill") < text_width("App") < text_width("MWM")
