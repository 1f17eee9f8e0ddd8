"""What the judge says in words (notes, missing evidence, limits) is {zh, en}: a Chinese report
must not switch to English mid-page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from apptest.knowledge import Knowledge
from apptest.rules.judge import judge, read_evidence, resolve_categories
from apptest.rules.limits import LIMITS
from apptest.rules.requirements import NEEDS
from apptest.rules.rule import compile_rules
from apptest.rules.uncategorized import mark_category_missing, needs_category
from tests.rules.cases.build import CONSENT, connects, mark, read, send
from tests.rules.helpers import write_bundle

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return Knowledge.load()


def _bilingual(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and set(value) == {"zh", "en"}
        and bool(CJK.search(value["zh"]))
        and bool(value["en"])
        and not CJK.search(value["en"])
    )


def _sentences(judgement: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        "notes": list(judgement["bundle"]["notes"]),
        "missing_evidence": [m for r in judgement["rule_results"] for m in r["missing_evidence"]],
        "limits": [x for f in judgement["findings"] for x in f["detail"].get("limits") or []],
    }


def test_every_sentence_of_a_judgement_is_bilingual(tmp_path: Path, knowledge: Knowledge) -> None:
    """An unsealed bundle without a consent mark, an unknown mark, an uninspected host: every
    kind of sentence appears, and each one is {zh, en}."""
    observations = [
        read("early", 2, "device.imei"),
        send("sent", 3, ["device.imei"]),
        connects("pinned", 4, "pinned.umeng.com", source="traffic", inspected=False),
    ]
    root = write_bundle(tmp_path / "b", observations, [mark(0, "launch"), mark(1, "warp_drive")])
    judgement = judge(read_evidence(root), knowledge, resolve_categories(knowledge, "news"))
    said = _sentences(judgement)
    assert all(said.values()), {k: len(v) for k, v in said.items()}
    for kind, values in said.items():
        assert all(_bilingual(v) for v in values), (kind, [v for v in values if not _bilingual(v)])
    notes = {n["en"]: n["zh"] for n in said["notes"]}
    assert any("unsealed" in en and "未封存" in zh for en, zh in notes.items())
    assert any("warp_drive" in en and "warp_drive" in zh for en, zh in notes.items())
    assert any("pinned.umeng.com" in x["zh"] and "pinned.umeng.com" in x["en"] for x in said["limits"])


def test_every_need_and_limit_speaks_both_languages(tmp_path: Path, knowledge: Knowledge) -> None:
    for key, need in NEEDS.items():
        assert _bilingual(need.missing), key
    static = {
        "apk": {"package": "com.example.app"},
        "packers": [{"name": "Jiagu"}],
        "analysis_complete": False,
        "privacy_policy_hints": [{"value": "https://example.com/privacy"}],
    }
    uninspected = connects("c", 4, "x.example", source="traffic", inspected=False)
    root = write_bundle(tmp_path / "b", [uninspected], static=static)
    judgement = judge(read_evidence(root), knowledge, resolve_categories(knowledge, "news"))
    said = [m for r in judgement["rule_results"] for m in r["missing_evidence"]]
    assert said and all(_bilingual(m) for m in said)
    english = {m["en"] for m in said}
    limits = {
        "static.packed": "packed (Jiagu)",
        "static.incomplete": "incomplete",
        "traffic.uninspected": "x.example",
        "policy.uncollected": "https://example.com/privacy",
    }
    for key, needle in limits.items():
        assert key in LIMITS and any(needle in s for s in english), (needle, english)


def test_an_uncategorized_judgement_says_so_in_both_languages(tmp_path: Path, knowledge: Knowledge) -> None:
    root = write_bundle(tmp_path / "b", [read("r", 20, "device.imei")], CONSENT)
    rules = compile_rules(knowledge)
    run = [r for r in rules if not needs_category(r)]
    skipped = [r for r in rules if needs_category(r)]
    judgement = mark_category_missing(judge(read_evidence(root), knowledge, [], rules=run), skipped)
    said = _sentences(judgement)
    assert any("no category given" in n["en"] and "未给出类别" in n["zh"] for n in said["notes"])
    assert all(_bilingual(v) for values in said.values() for v in values)
