"""The category scope: decided once (with the taxonomy's counts_as), stated in the judgement."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from apptest.knowledge import Knowledge
from apptest.rules.judge import judge, read_evidence, resolve_categories
from apptest.rules.scope import build_scope
from tests.rules.cases.build import CONSENT, read
from tests.rules.helpers import write_bundle

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "apptest/schemas/judgement.schema.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return Knowledge.load()


@pytest.mark.parametrize(
    ("category", "data_type", "necessary"),
    [
        ("map_navigation", "network.cell", True),
        ("map_navigation", "network.wifi_bssid", True),
        ("map_navigation", "network.wifi_ssid", False),  # a network name reveals no place
        ("news", "network.cell", False),
        ("news", "location.coarse", False),
    ],
)
def test_a_type_counts_as_necessary_where_what_it_reveals_is(knowledge, category, data_type, necessary) -> None:
    scope = build_scope(resolve_categories(knowledge, category), knowledge.data_types)
    assert scope.is_necessary(data_type) is necessary
    assert scope.basis(data_type) == ([category] if necessary else [])
    assert (data_type in scope.counted_as) is necessary


def test_counts_as_follows_the_condition_of_what_it_reveals() -> None:
    taxonomy = {"network.cell": {"counts_as": ["location.coarse"]}, "location.coarse": {}}
    item = {"data_type": "location.coarse", "condition": {"zh": "仅导航时", "en": "only when navigating"}}
    conditional = build_scope([{"id": "a", "necessary": [item]}], taxonomy)
    assert conditional.is_necessary("network.cell") and "network.cell" in conditional.conditional
    plain = build_scope([{"id": "a", "necessary": [{"data_type": "location.coarse"}]}], taxonomy)
    assert plain.is_necessary("network.cell") and "network.cell" not in plain.conditional
    assert not build_scope([{"id": "a", "necessary": []}], taxonomy).is_necessary("network.cell")


def test_the_judgement_states_the_scope_it_used(tmp_path: Path, knowledge: Knowledge) -> None:
    observations = [read("early-cell", 2, "network.cell"), read("cell", 20, "network.cell")]
    root = write_bundle(tmp_path / "b", observations, CONSENT)
    categories = resolve_categories(knowledge, "investment,map_navigation")
    judgement = judge(read_evidence(root), knowledge, categories)
    Draft202012Validator(SCHEMA).validate(judgement)
    scope = judgement["scope"]
    assert [c["id"] for c in scope["categories"]] == ["investment", "map_navigation"]
    investment, maps = scope["categories"]
    assert investment["name"] == {"zh": "投资理财类", "en": "Investment & wealth management"}
    assert investment["no_personal_info_needed"] is False
    assert {"any_of": ["finance.fund_account", "finance.bank_card", "payment.account"]}.items() <= next(
        i for i in investment["necessary"] if "any_of" in i
    ).items()
    (camera,) = investment["permissions"]
    assert camera["name"] == "android.permission.CAMERA" and camera["condition"]["en"].startswith("only when")
    assert {"data_type": "location.precise", "condition": None}.items() <= maps["necessary"][0].items()
    assert maps["service_data"] == [] and len(maps["permissions"]) == 2
    assert scope["counts_as"] == {"network.cell": ["location.coarse"], "network.wifi_bssid": ["location.coarse"]}
    out_of_scope = [f for f in judgement["findings"] if f["rule_id"] == "out_of_scope_collection"]
    assert out_of_scope == []
    (early,) = [f for f in judgement["findings"] if f["rule_id"] == "pre_consent_collection"]
    assert early["detail"]["categories"]["necessary_in"] == {"network.cell": ["map_navigation"]}
    assert early["detail"]["categories"]["counts_as"] == {"network.cell": ["location.coarse"]}


def test_a_news_judgement_counts_nothing_as_location(tmp_path: Path, knowledge: Knowledge) -> None:
    root = write_bundle(tmp_path / "b", [read("cell", 20, "network.cell")], CONSENT)
    judgement = judge(read_evidence(root), knowledge, resolve_categories(knowledge, "news"))
    assert judgement["scope"]["counts_as"] == {}
    assert judgement["scope"]["categories"][0]["no_personal_info_needed"] is True
    (finding,) = [f for f in judgement["findings"] if f["rule_id"] == "out_of_scope_collection"]
    assert finding["data_types"] == ["network.cell"] and "counts_as" not in finding["detail"]["categories"]
