"""Scenario files: schema, `extends`, `insert`, `${vars}` and phase marks, checked before a run."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from apptest.knowledge import Knowledge, ProfileError
from apptest.scenario.loader import check_mark, load_scenario, substitute


def _write(folder: Path, doc: dict) -> Path:
    (folder / "scenarios").mkdir(parents=True, exist_ok=True)
    path = folder / "scenarios" / f"{doc['id']}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def _child(**extra) -> dict:
    return {"id": "child", "version": "1.0.0", "title": {"zh": "子", "en": "child"}, "extends": "standard", **extra}


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return Knowledge.load()


def test_standard_protocol_order(knowledge):
    scenario = load_scenario(knowledge, "standard")
    ids = [s.id for s in scenario.steps]
    assert ids == [
        "first-launch", "idle", "policy", "refuse", "relaunch-after-refusal", "policy-again", "consent",
        "deny", "use", "background", "screen-off", "kill", "restart", "after-restart",
    ]  # fmt: skip
    refuse = scenario.steps[ids.index("refuse")]
    assert refuse.action == "tap" and refuse.marks == ("consent_refused",) and refuse.optional
    assert refuse.args["text"][0] == "不同意"
    assert scenario.chain == ("standard",)
    assert set(scenario.sources) == {"standard"}


def test_demo_scenario_extends_the_standard_one(knowledge):
    scenario = load_scenario(knowledge, "demo-rental")
    assert scenario.chain == ("demo-rental", "standard")
    ids = [s.id or s.name for s in scenario.steps]
    use = ids.index("use")
    assert ids[use + 1 : use + 3] == ["try to open the listings", "location dialog asked again"]
    assert scenario.steps[ids.index("idle")].args == 3  # var overridden by the child
    assert scenario.steps[ids.index("refuse")].args == {"text": "不同意"}
    assert scenario.settings["settle_seconds"] == 0.3 and scenario.settings["on_failure"] == "continue"
    assert scenario.vars["usable"] == {"text": "找房"}


def test_insert_before_after_replace_and_remove(tmp_path, knowledge):
    _write(tmp_path, _child(insert={
        "before": {"idle": [{"name": "look", "screenshot": None}]},
        "after": {"consent": [{"tap": {"text": "下一步"}, "optional": True}]},
        "replace": {"screen-off": [], "kill": [{"phase": "killed", "name": "killed by hand"}]},
    }))  # fmt: skip
    scenario = load_scenario(Knowledge.load([tmp_path]), "child")
    names = [s.id or s.name for s in scenario.steps]
    assert names[names.index("idle") - 1] == "look"
    assert names[names.index("consent") + 1] == "tap 下一步"
    assert "screen-off" not in names and "kill" not in names and "killed by hand" in names
    assert [s.index for s in scenario.steps] == list(range(len(scenario.steps)))


def test_scenario_by_file_path_finds_its_parent_beside_it(tmp_path, knowledge):
    parent = {"id": "lab-base", "version": "1.0.0", "title": {"zh": "基", "en": "base"},
              "vars": {"wait": 2}, "steps": [{"id": "start", "launch": {}}, {"wait": "${wait}"}]}  # fmt: skip
    _write(tmp_path, parent)
    path = _write(tmp_path, {**_child(extends="lab-base"), "vars": {"wait": 7}})
    scenario = load_scenario(knowledge, path)
    assert [(s.action, s.args) for s in scenario.steps] == [("launch", {}), ("wait", 7)]
    assert scenario.chain == ("child", "lab-base")


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (_child(extends="nope"), "unknown parent scenario 'nope'"),
        (_child(insert={"after": {"no-such-step": [{"back": None}]}}), "no step with id 'no-such-step'"),
        (_child(steps=[{"wait": "${missing}"}]), "${missing} is not set"),
        (_child(steps=[{"launch": {}, "mark": "consent_gven"}]), "unknown phase mark 'consent_gven'"),
        (_child(steps=[{"launch": {}, "mark": "permission_denied"}]), "needs a parameter"),
        (_child(steps=[{"launch": {}, "mark": "launch:extra"}]), "takes no parameter"),
        (_child(steps=[{"launch": {}, "tap": "同意"}]), "steps.0"),
        (_child(steps=[{"wait": "${w}"}], vars={"w": "ten"}), "steps.0.wait: 'ten' is not valid"),
        (_child(steps=[{"tap": "${usable}"}]), "needs a target"),
        (_child(steps=[{"tap": {"text": "x", "colour": "red"}}]), "steps.0"),
    ],
)
def test_broken_scenarios_are_refused_with_file_and_key(tmp_path, doc, message):
    path = _write(tmp_path, doc)
    with pytest.raises(ProfileError) as err:
        load_scenario(Knowledge.load([tmp_path]), "child")
    assert message in str(err.value)
    assert str(path) in str(err.value) or "scenarios" in str(err.value)


def test_extends_cycle_is_refused(tmp_path):
    a = {"id": "a", "version": "1.0.0", "title": {"zh": "a", "en": "a"}, "extends": "b"}
    b = {"id": "b", "version": "1.0.0", "title": {"zh": "b", "en": "b"}, "extends": "a"}
    _write(tmp_path, a)
    _write(tmp_path, b)
    with pytest.raises(ProfileError, match="cycle: a -> b -> a"):
        load_scenario(Knowledge.load([tmp_path]), "a")


def test_unknown_scenario_lists_the_known_ones(knowledge):
    with pytest.raises(ProfileError, match=r"known: .*standard"):
        load_scenario(knowledge, "no-such-scenario")


def test_every_shipped_scenario_resolves(knowledge):
    for sid in knowledge.scenarios:
        assert load_scenario(knowledge, sid).steps


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("${n}", 5),
        ("wait ${n} s", "wait 5 s"),
        ({"a": ["${t}"]}, {"a": [{"text": "同意"}]}),
        ("$n", "$n"),
    ],
)
def test_substitute(value, expected):
    assert substitute(value, {"n": 5, "t": {"text": "同意"}}, "here") == expected


@pytest.mark.parametrize(
    ("mark", "ok"),
    [
        ("consent_given", True),
        ("permission_denied:android.permission.CAMERA", True),
        ("consent_separate:location.precise", True),
        ("step:tap 同意", True),
        ("permission_denied:not a permission", False),
        ("consent_separate:Location", False),
        ("consented", False),
    ],
)
def test_check_mark(knowledge, mark, ok):
    assert (check_mark(mark, knowledge.phases) is None) is ok
