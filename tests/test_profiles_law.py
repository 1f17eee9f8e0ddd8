"""The law as data: citations, the 39 category profiles and the phase marks.

These files are what a finding cites in front of a regulator or a court, so the checks
pin them to the reference text (regulations.md): the 13 no-PI categories, which categories
list the registered mobile number or payment data, the 6/31 structure of the 2019
identification method, and the facts that must stay marked UNVERIFIED. A silent change to
any of these would change verdicts without anyone noticing.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parent.parent
PROFILES = ROOT / "profiles"
SCHEMAS = ROOT / "apptest" / "schemas"
CATEGORY_FILES = sorted((PROFILES / "categories").glob("*.yaml"))

# Category number -> slug. Slugs are stable forever (reports and retests refer to them).
SLUGS = [
    "map_navigation", "ride_hailing", "instant_messaging", "online_community", "online_payment",
    "online_shopping", "food_delivery", "postal_express", "transport_tickets", "dating",
    "jobs_recruiting", "online_lending", "housing_rental_sale", "used_cars", "medical_consultation",
    "travel_services", "hotel_booking", "online_games", "education", "local_life", "womens_health",
    "vehicle_services", "investment", "mobile_banking", "email_cloud_drive", "remote_meetings",
    "live_streaming", "video_music", "short_video", "news", "sports_fitness", "browser",
    "input_method", "security_management", "ebooks", "camera_beautify", "app_store", "utilities",
    "show_tickets",
]  # fmt: skip

# From regulations.md §1.2.
NO_PI = {21, *range(27, 39)}
WITH_REG = {*range(2, 8), *range(9, 21), *range(22, 27), 39}
WITH_PAY = {2, 6, 7, 9, 22, 39}

# Citation ids the rules are written against (rules cite them; the coverage table lists them).
EXPECTED_CITATIONS = (
    [f"PIPL-{n}" for n in (5, 6, 13, 14, 15, 16, 17, 21, 23, 24, 28, 29, 30, 31, 38, 39, 44, 45,
                           46, 47, 51, 55, 66, 70)]
    + [f"NDSR-{n}" for n in ("9", "12", "20", "21", "22", "22(2)", "22(5)", "23", "24", "40", "41", "42")]
    + [f"NPI-art{n}" for n in range(1, 8)]
    + [f"NPI-cat{n:02d}" for n in range(1, 40)]
    + [f"N337-{n}" for n in range(1, 9)]
    + [f"N164-{n}" for n in range(1, 11)]
    + ["N26-autostart", "N26-consentUI", "N26-purpose", "N2021-double-list"]
    + [f"GB35273-{c}" for c in ("5.2", "5.3", "5.4", "5.5", "7.4", "7.5", "9.7", "8.5", "annex-A", "annex-B")]
    + [f"GB41391-{c}" for c in ("5", "6.1", "6.2", "6.3", "6.4", "6.5", "6.6", "annex-E", "annex-F")]
    + ["TC260-PG-20202A", "TC260-PG-20204A", "TC260-SDK", "TTAF-078.4", "STORE-48H"]
)  # fmt: skip
M_ITEMS_PER_CLASS = [4, 4, 9, 6, 3, 5]

# regulations.md §2, §3.2 and §9: these must never be presented as verified.
MUST_BE_UNVERIFIED = ["NPI-art6", "STORE-48H", "N164-2", *[f"N164-{n}" for n in range(6, 11)]] + [
    f"M{k}.{i}" for k in (4, 5, 6) for i in range(1, M_ITEMS_PER_CLASS[k - 1] + 1)
]

# The closed list of phase marks in the architecture note; the second set takes a parameter.
PHASE_MARKS = {
    "launch", "policy_shown", "consent_given", "consent_refused", "consent_withdrawn",
    "permission_requested", "permission_granted", "permission_denied", "foreground", "background",
    "screen_off", "screen_on", "killed", "relaunched", "consent_separate", "step",
}  # fmt: skip
PARAMETERISED = {
    "permission_requested": "permission", "permission_granted": "permission",
    "permission_denied": "permission", "consent_separate": "data_type", "step": "name",
}  # fmt: skip


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def problems(name: str, data: Any) -> list[str]:
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(name).iter_errors(data)]


@pytest.fixture(scope="module")
def citations() -> dict[str, Any]:
    data: dict[str, Any] = load(PROFILES / "citations.yaml")
    return data


@pytest.fixture(scope="module")
def citation_index(citations: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in citations["citations"]}


@pytest.fixture(scope="module")
def categories() -> dict[int, dict[str, Any]]:
    return {load(p)["number"]: load(p) for p in CATEGORY_FILES}


@pytest.fixture(scope="module")
def taxonomy() -> dict[str, Any]:
    data: dict[str, Any] = load(PROFILES / "taxonomy.yaml")
    return data


def data_types_of(cat: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for item in cat["necessary"] + cat["service_data"]:
        out.extend(item.get("any_of") or [item["data_type"]])
    return out


# ---------------------------------------------------------------------------- citations
def test_citations_file_matches_schema(citations: dict[str, Any]) -> None:
    assert problems("citations", citations) == []


def test_citation_and_document_ids_are_unique_and_linked(citations: dict[str, Any]) -> None:
    doc_ids = [d["id"] for d in citations["documents"]]
    cit_ids = [c["id"] for c in citations["citations"]]
    assert len(doc_ids) == len(set(doc_ids))
    assert len(cit_ids) == len(set(cit_ids))
    assert {c["document"] for c in citations["citations"]} <= set(doc_ids)
    unused = set(doc_ids) - {c["document"] for c in citations["citations"]}
    assert not unused, f"documents nothing cites: {sorted(unused)}"


def test_every_expected_citation_exists(citation_index: dict[str, dict[str, Any]]) -> None:
    missing = [cid for cid in EXPECTED_CITATIONS if cid not in citation_index]
    assert missing == []


def test_identification_method_has_six_classes_and_31_testable_items(
    citation_index: dict[str, dict[str, Any]],
) -> None:
    method = [c for c in citation_index.values() if c["document"] == "M"]
    classes = sorted(c["id"] for c in method if re.fullmatch(r"M\d", c["id"]))
    items = [c for c in method if re.fullmatch(r"M\d\.\d+", c["id"])]
    assert classes == [f"M{k}" for k in range(1, 7)]
    assert len(items) == 31 == len(method) - 6
    for k, count in enumerate(M_ITEMS_PER_CLASS, start=1):
        assert sorted(c["id"] for c in items if c["id"].startswith(f"M{k}.")) == [
            f"M{k}.{i}" for i in range(1, count + 1)
        ]
    assert all(c.get("testable_by") for c in items)
    assert not any("testable_by" in citation_index[c] for c in classes)


@pytest.mark.parametrize("cid", MUST_BE_UNVERIFIED)
def test_unverified_facts_stay_marked(citation_index: dict[str, dict[str, Any]], cid: str) -> None:
    assert citation_index[cid]["verification"] == "UNVERIFIED"


def test_48_hour_rule_is_practice_not_law(citations: dict[str, Any], citation_index: dict[str, Any]) -> None:
    docs = {d["id"]: d for d in citations["documents"]}
    store = docs[citation_index["STORE-48H"]["document"]]
    assert store["binding"] == "practice"
    assert store["verification"] == "UNVERIFIED"


def test_npi_category_citations_follow_the_verification_of_their_category(
    citation_index: dict[str, dict[str, Any]], categories: dict[int, dict[str, Any]]
) -> None:
    for number, cat in categories.items():
        assert citation_index[cat["citation"]]["verification"] == cat["verification"], number


# ---------------------------------------------------------------------------- categories
@pytest.mark.parametrize("path", CATEGORY_FILES, ids=lambda p: p.stem)
def test_category_file_matches_schema_and_name(path: Path) -> None:
    data = load(path)
    assert problems("category", data) == []
    assert data["id"] == path.stem


def test_exactly_39_categories_numbered_with_their_stable_slugs(
    categories: dict[int, dict[str, Any]],
) -> None:
    assert len(CATEGORY_FILES) == 39
    assert sorted(categories) == list(range(1, 40))
    assert [categories[n]["id"] for n in range(1, 40)] == SLUGS


def test_the_13_no_personal_information_categories(categories: dict[int, dict[str, Any]]) -> None:
    flagged = {n for n, c in categories.items() if c["no_personal_info_needed"]}
    assert len(flagged) == 13
    assert flagged == NO_PI


def test_registered_mobile_number_and_payment_data_where_the_rule_lists_them(
    categories: dict[int, dict[str, Any]],
) -> None:
    assert {n for n, c in categories.items() if "phone_number" in data_types_of(c)} == WITH_REG
    assert {n for n, c in categories.items() if "payment.transaction" in data_types_of(c)} == WITH_PAY
    (pay,) = [i for i in categories[2]["necessary"] if i.get("data_type") == "payment.transaction"]
    assert pay["condition"], "ride-hailing payment data is necessary only for car-hailing"


def test_conditions_and_alternatives_are_kept(categories: dict[int, dict[str, Any]]) -> None:
    medical = categories[15]["necessary"] + categories[15]["service_data"]
    assert all(i.get("condition") for i in medical if i["data_type"] != "phone_number")
    (alternatives,) = [i for i in categories[23]["necessary"] if "any_of" in i]
    assert set(alternatives["any_of"]) == {"finance.fund_account", "finance.bank_card", "payment.account"}


def test_category_citations_exist(
    categories: dict[int, dict[str, Any]], citation_index: dict[str, dict[str, Any]]
) -> None:
    for number, cat in categories.items():
        assert cat["citation"] == f"NPI-cat{number:02d}"
        assert cat["citation"] in citation_index


def test_category_data_types_are_in_the_taxonomy(
    categories: dict[int, dict[str, Any]], taxonomy: dict[str, Any]
) -> None:
    known = {d["id"] for d in taxonomy["data_types"]}
    for number, cat in categories.items():
        used = data_types_of(cat)
        assert set(used) <= known, (number, sorted(set(used) - known))
        assert len(used) == len(set(used)), f"category {number} lists a data type twice"


def test_no_device_identifier_is_necessary_anywhere(
    categories: dict[int, dict[str, Any]], taxonomy: dict[str, Any]
) -> None:
    identifiers = {d["id"] for d in taxonomy["data_types"] if d.get("identifier")}
    assert identifiers, "the taxonomy marks device identifiers"
    for cat in categories.values():
        assert not identifiers & set(data_types_of(cat)), cat["id"]


def test_category_permissions_are_dangerous_permissions_of_the_taxonomy(
    categories: dict[int, dict[str, Any]], taxonomy: dict[str, Any]
) -> None:
    known = {p["name"]: p for p in taxonomy.get("permissions") or []}
    for cat in categories.values():
        for perm in cat["permissions"]:
            assert perm["name"] in known, (cat["id"], perm["name"])
            assert known[perm["name"]].get("protection") == "dangerous", (cat["id"], perm["name"])
        assert cat["permissions_basis"].startswith("our reading: ")


@pytest.mark.parametrize(
    "break_it",
    [
        lambda c: c.update(no_personal_info_needed=True),  # news-like flag but data listed
        lambda c: c["permissions"].append({"name": "CAMERA", "condition": None}),
        lambda c: c["necessary"].append(
            {"any_of": ["finance.bank_card"], "label": {"zh": "卡", "en": "Card"}}
        ),
        lambda c: c["necessary"][0].pop("label"),
        lambda c: c.update(permissions_basis="we think so"),
        lambda c: c["name"].pop("zh"),
    ],
    ids=["no_pi_with_data", "short_permission", "single_alternative", "no_label", "basis", "no_zh"],
)
def test_category_schema_rejects_broken_profiles(
    categories: dict[int, dict[str, Any]], break_it: Any
) -> None:
    cat = copy.deepcopy(categories[23])
    assert problems("category", cat) == []
    break_it(cat)
    assert problems("category", cat) != []


def test_citation_schema_rejects_unknown_evidence_kind(citations: dict[str, Any]) -> None:
    broken = copy.deepcopy(citations)
    broken["citations"][0]["testable_by"] = ["X"]
    assert problems("citations", broken) != []
    broken = copy.deepcopy(citations)
    broken["citations"][0]["verification"] = "V3"
    assert problems("citations", broken) != []


# ---------------------------------------------------------------------------- phases
def test_phase_marks_are_the_closed_list() -> None:
    data = load(PROFILES / "phases.yaml")
    assert problems("phases", data) == []
    marks = {p["name"]: p for p in data["phases"]}
    assert set(marks) == PHASE_MARKS
    assert {n: p["parameter"]["kind"] for n, p in marks.items() if p["parameter"]} == PARAMETERISED


@pytest.mark.parametrize(
    ("mark", "value", "ok"),
    [
        ("permission_denied", "android.permission.CAMERA", True),
        ("permission_denied", "android.permission.CAMERA extra", False),
        ("consent_separate", "location.precise", True),
        ("consent_separate", "Location Precise", False),
        ("step", "open_listing", True),
        ("step", "", False),
    ],
)
def test_phase_parameter_patterns(mark: str, value: str, ok: bool) -> None:
    marks = {p["name"]: p for p in load(PROFILES / "phases.yaml")["phases"]}
    assert bool(re.fullmatch(marks[mark]["parameter"]["pattern"], value)) is ok


def test_phase_schema_rejects_denied_effect_without_parameter() -> None:
    data = load(PROFILES / "phases.yaml")
    data["phases"][0]["state_effect"] = {"denied": "add"}
    assert data["phases"][0]["parameter"] is None
    assert problems("phases", data) != []


# ---------------------------------------------------------------------------- loader
def test_the_loader_accepts_the_law_files() -> None:
    from apptest.knowledge import Knowledge

    knowledge = Knowledge.load()
    assert len(knowledge.categories) == 39
    assert knowledge.category("房屋租售")["id"] == "housing_rental_sale"
    assert set(knowledge.phases) == PHASE_MARKS
    assert "STORE-48H" in knowledge.citations
