"""The closed vocabulary: operators, evidence keys and fields, and their errors at load."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from apptest.knowledge import Knowledge, ProfileError
from apptest.rules.limits import LIMITS
from apptest.rules.operators import OPERATORS
from apptest.rules.requirements import NEEDS
from apptest.rules.rule import compile_rule, compile_rules

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "apptest/schemas/rule.schema.json").read_text())
GOOD = yaml.safe_load((ROOT / "profiles/rules/pre_consent_collection.yaml").read_text())


def test_schema_lists_exactly_the_operator_table() -> None:
    assert SCHEMA["$defs"]["node"]["properties"]["op"]["enum"] == sorted(OPERATORS)


def test_schema_lists_exactly_the_evidence_keys() -> None:
    assert SCHEMA["properties"]["requires"]["items"]["enum"] == sorted(NEEDS)
    assert SCHEMA["properties"]["limited_by"]["items"]["enum"] == sorted(LIMITS)


def test_schema_group_by_excludes_volatile_fields() -> None:
    allowed = set(SCHEMA["properties"]["group_by"]["items"]["enum"])
    assert not allowed & {"ts", "id", "pid", "destination.host", "evidence"}


def test_every_rule_compiles_and_non_info_rules_cite_something() -> None:
    rules = compile_rules(Knowledge.load())
    assert len(rules) >= 20
    for rule in rules:
        assert rule.citations or rule.severity == "info", rule.id
        assert rule.remediation["zh"] and rule.remediation["en"], rule.id


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        ({"condition": {"op": "equalz", "field": "source", "value": 1}}, "condition.op", "unknown operator"),
        ({"condition": {"op": "equals", "field": "state"}}, "condition", "needs a value"),
        ({"condition": {"op": "sensitive", "value": True}}, "condition.value", "takes no value"),
        ({"condition": {"op": "equals", "field": "colour", "value": 1}}, "condition.field", "unknown field"),
        ({"condition": {"op": "count_at_least", "value": 2}}, "condition.op", "group operator"),
        ({"condition": {"and": []}}, "condition.and", "non-empty"),
        ({"condition": {"and": [{"op": "sensitive"}], "op": "sensitive"}}, "condition", "only key"),
        ({"condition": {"op": "less_than", "field": "pid", "value": {"config": "nope"}}}, "condition.value", "nope"),
        ({"requires": ["telepathy"]}, "requires.0", "unknown evidence key"),
        ({"group_by": ["colour"]}, "group_by.0", "unknown field"),
        ({"each": "host"}, "each", "choose one"),
    ],
)
def test_a_broken_condition_names_the_key(change, key, words) -> None:
    with pytest.raises(ProfileError) as err:
        compile_rule("lab/rules/x.yaml", {**GOOD, **change})
    assert err.value.key == key
    assert words in err.value.problem
    assert str(err.value).startswith("lab/rules/x.yaml: ")
    assert "\n" not in str(err.value)


def test_config_override_must_name_a_known_setting() -> None:
    data = yaml.safe_load((ROOT / "profiles/rules/permission_reprompt.yaml").read_text())
    rule = compile_rule("r.yaml", data, {"reprompt_window_hours": 24})
    assert rule.config["reprompt_window_hours"] == 24
    with pytest.raises(ProfileError, match=r"config\.window"):
        compile_rule("r.yaml", data, {"window": 24})


def _lab(tmp_path: Path, name: str, folder: str, text: str) -> Knowledge:
    (tmp_path / folder).mkdir(parents=True, exist_ok=True)
    (tmp_path / folder / name).write_text(text, encoding="utf-8")
    return Knowledge.load([tmp_path])


def test_broken_lab_rule_is_one_line_naming_file_and_key(tmp_path: Path) -> None:
    bad = dict(GOOD, id="lab_rule", condition={"op": "equalz", "field": "source", "value": "runtime"})
    knowledge = _lab(tmp_path, "lab_rule.yaml", "rules", yaml.safe_dump(bad, allow_unicode=True))
    with pytest.raises(ProfileError) as err:
        compile_rules(knowledge)
    assert str(err.value).startswith(str(tmp_path / "rules" / "lab_rule.yaml") + ": condition.op: ")


def test_rule_paths_are_the_files_the_rules_were_loaded_from(tmp_path: Path) -> None:
    """An override's error names the lab file it came from, as recorded at load time."""
    # schema-valid; only compiling finds that the rule has no such setting
    bad = dict(GOOD, condition={"op": "less_than", "field": "pid", "value": {"config": "nope"}})
    knowledge = _lab(tmp_path, "pre_consent_collection.yaml", "rules", yaml.safe_dump(bad, allow_unicode=True))
    lab_file = tmp_path / "rules" / "pre_consent_collection.yaml"
    assert knowledge.rule_paths["pre_consent_collection"] == lab_file
    assert knowledge.rule_paths["forced_consent"] == ROOT / "profiles/rules/forced_consent.yaml"
    assert set(knowledge.rule_paths) == set(knowledge.rules)
    assert knowledge.rules["pre_consent_collection"]["condition"]["op"] == "less_than"  # still id -> data
    lab_file.unlink()  # no second look at the disk: the path recorded at load is the one named
    with pytest.raises(ProfileError) as err:
        compile_rules(knowledge)
    assert str(err.value).startswith(f"{lab_file}: condition.value: ")


def test_broken_lab_category_is_one_line_naming_file_and_key(tmp_path: Path) -> None:
    cat = yaml.safe_load((ROOT / "profiles/categories/news.yaml").read_text())
    cat["necessary"] = [{"data_type": "device.telepathy", "label": {"zh": "x", "en": "x"}}]
    cat["no_personal_info_needed"] = False
    knowledge = _lab(tmp_path, "news.yaml", "categories", yaml.safe_dump(cat, allow_unicode=True))
    with pytest.raises(ProfileError) as err:
        _ = knowledge.categories
    assert str(err.value).startswith(str(tmp_path / "categories" / "news.yaml") + ": necessary.0")
    assert "\n" not in str(err.value)


def test_lab_rule_overrides_builtin_by_id(tmp_path: Path) -> None:
    lab = dict(GOOD, severity="low")
    knowledge = _lab(tmp_path, "pre_consent_collection.yaml", "rules", yaml.safe_dump(lab, allow_unicode=True))
    rule = next(r for r in compile_rules(knowledge) if r.id == "pre_consent_collection")
    assert rule.severity == "low"


def test_the_rule_language_is_documented_for_labs() -> None:
    readme = (ROOT / "profiles/rules/README.md").read_text("utf-8")
    for name in [*OPERATORS, *NEEDS, *LIMITS]:
        assert f"`{name}`" in readme, f"{name} is not documented in profiles/rules/README.md"
