"""The report takes the category scope from the judgement (what the judge used), and from the
profiles only for a judgement too old to state it."""

from __future__ import annotations

from typing import Any

from apptest.report.i18n import labels
from apptest.report.inventory import permission_rows
from apptest.report.labelling import Namer
from apptest.report.write import prepare_document

from .conftest import judgement

FINE = "android.permission.ACCESS_FINE_LOCATION"


def _stated_scope() -> dict[str, Any]:
    """housing_rental_sale as a (different) profile version said it on the day of judging."""
    return {
        "categories": [
            {
                "id": "housing_rental_sale",
                "name": {"zh": "房屋租售类", "en": "Housing rental & sale"},
                "no_personal_info_needed": False,
                "necessary": [
                    {"data_type": "phone_number", "condition": None},
                    {"data_type": "location.coarse", "condition": {"zh": "按地图找房时", "en": "map search"}},
                ],
                "service_data": [{"any_of": ["property.listing", "property.address"], "condition": None}],
                "permissions": [{"name": FINE, "condition": None}],
            }
        ],
        "counts_as": {"network.cell": ["location.coarse"]},
    }


def _with_declared_fine_location(doc: dict[str, Any]) -> dict[str, Any]:
    evidence = dict(doc["evidence"])
    evidence["static"] = {"permissions": [{"name": FINE, "protection_level": "dangerous"}]}
    return {**doc, "evidence": evidence}


def test_the_report_uses_the_scope_the_judge_stated(hostile_bundle, knowledge) -> None:
    doc = prepare_document(judgement(scope=_stated_scope()), hostile_bundle.root, knowledge=knowledge)
    scope = doc["glossary"]["scope"]
    assert scope["permissions"] == {FINE: ["housing_rental_sale"]}
    assert scope["necessary"]["location.coarse"] == ["housing_rental_sale"]
    assert scope["necessary"]["network.cell"] == ["housing_rental_sale"]  # counted as approximate location
    assert scope["necessary"]["property.address"] == ["housing_rental_sale"]
    (row,) = permission_rows(_with_declared_fine_location(doc), Namer(doc, labels("en"), "en"))
    assert row["necessary"] is True and row["flag"] is False


def test_an_old_judgement_falls_back_to_the_profiles(hostile_bundle, knowledge) -> None:
    old = judgement()
    assert "scope" not in old
    doc = prepare_document(old, hostile_bundle.root, knowledge=knowledge)
    profile = knowledge.categories["housing_rental_sale"]
    assert doc["glossary"]["scope"]["permissions"] == {p["name"]: ["housing_rental_sale"] for p in profile["permissions"]}
    assert "location.coarse" not in doc["glossary"]["scope"]["necessary"]
    (row,) = permission_rows(_with_declared_fine_location(doc), Namer(doc, labels("en"), "en"))
    assert row["necessary"] is False and row["flag"] is True
