"""profiles/policy_lexicon.yaml: complete for the taxonomy, checked at load, extensible by a lab."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from apptest.knowledge import Knowledge, ProfileError
from apptest.policy import lexicon as lexicon_mod
from apptest.policy.collect import extractor
from apptest.policy.matcher import key
from apptest.policy.text import to_plain

ROOT = Path(__file__).resolve().parents[2]


def test_every_taxonomy_type_has_terms_in_both_languages(knowledge) -> None:
    data = yaml.safe_load((ROOT / "profiles/policy_lexicon.yaml").read_text("utf-8"))
    entries = {e["id"]: e for e in data["data_types"]}
    missing = sorted(set(knowledge.data_types) - set(entries))
    assert not missing, f"no lexicon entry for {missing}"
    for dt, entry in entries.items():
        assert entry.get("zh") and entry.get("en"), dt


def test_broad_terms_name_known_types_and_never_a_specific_term(knowledge) -> None:
    lex = lexicon_mod.load(knowledge)
    for term, (_group, types) in lex.broad.items():
        assert term not in lex.specific
        assert set(types) <= set(knowledge.data_types)


def _lab(tmp_path: Path, text: str) -> Knowledge:
    (tmp_path / "policy_lexicon.yaml").write_text(text, encoding="utf-8")
    return Knowledge.load([tmp_path])


def test_a_lab_adds_a_synonym_and_a_cue(tmp_path: Path) -> None:
    knowledge = _lab(
        tmp_path,
        "data_types:\n  - id: device.imei\n    zh: [设备串号]\n    en: [handset serial]\n"
        "cues:\n  negation: {zh: [拒不], en: []}\n",
    )
    lex = lexicon_mod.load(knowledge)
    assert lex.specific[key("设备串号")] == ("device.imei",)
    ex = extractor(knowledge)
    decs = ex.extract(to_plain("我们拒不收集设备串号。", "p.txt"))
    assert [(d.value, d.polarity) for d in decs if d.kind == "data_type"] == [("device.imei", "negated")]
    assert lex.sources[-1]["path"] == str(tmp_path / "policy_lexicon.yaml")


@pytest.mark.parametrize(
    ("text", "key_path", "words"),
    [
        ("data_types:\n  - id: device.imeii\n    zh: [x]\n", "data_types.0.id", "unknown data type"),
        ("statements:\n  deletion: {zh: ['(删除'], en: []}\n", "statements.deletion.zh.0", "regular expression"),
        ("colours: [red]\n", "colours", "unknown section"),
        ("broad:\n  - id: x\n    data_types: []\n", "broad.0.data_types", "should be non-empty"),
    ],
)
def test_a_broken_lab_lexicon_is_one_line_naming_file_and_key(tmp_path: Path, text: str, key_path: str, words: str):
    knowledge = _lab(tmp_path, text)
    with pytest.raises(ProfileError) as err:
        lexicon_mod.load(knowledge)
    assert err.value.key == key_path, str(err.value)
    assert words in err.value.problem
    assert str(err.value).startswith(str(tmp_path / "policy_lexicon.yaml"))
    assert "\n" not in str(err.value)


def test_the_builtin_file_must_be_complete(tmp_path: Path) -> None:
    folder = tmp_path / "profiles"
    shutil.copytree(ROOT / "profiles", folder)
    data = yaml.safe_load((folder / "policy_lexicon.yaml").read_text("utf-8"))
    del data["cues"]
    (folder / "policy_lexicon.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ProfileError, match="cues"):
        lexicon_mod.load(Knowledge(dirs=[folder]))
