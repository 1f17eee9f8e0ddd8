"""Each pattern detector: its named checks, and a must-flag / must-not-flag table."""

from __future__ import annotations

import datetime as dt

import pytest

from apptest.traffic.detectors import (
    BankCardDetector,
    ChineseMobileDetector,
    EmailDetector,
    ImeiDetector,
    ResidentIdDetector,
    digit_runs,
    luhn_valid,
)


@pytest.mark.parametrize(
    ("digits", "valid"),
    [("4539578763621486", True), ("4539578763621487", False), ("356938035643809", True), ("0", True)],
)
def test_luhn(digits: str, valid: bool) -> None:
    assert luhn_valid(digits) is valid


@pytest.mark.parametrize(
    ("candidate", "context", "flag"),
    [
        ("356938035643809", '"imei":"', True),
        ("356938035643809", "deviceId=", True),
        ("356938035643809", '"trace":"', False),  # no hint
        ("356938035643808", '"imei":"', False),  # bad Luhn
        ("000000000000000", '"imei":"', False),  # passes Luhn, but a placeholder
    ],
)
def test_imei(candidate: str, context: str, flag: bool) -> None:
    assert ImeiDetector().analyze(candidate, context) is flag


@pytest.mark.parametrize(
    ("candidate", "flag"),
    [
        ("11010519491231002X", True),
        ("110105199003071239", True),
        ("11010519491231002x", True),
        ("110105199003071238", False),  # check character
        ("990105199003071232", False),  # no such province (check character right)
        ("110105199002301231", False),  # 30 February (check character right)
        ("110105210001011237", False),  # born in the future (check character right)
    ],
)
def test_resident_id(candidate: str, flag: bool) -> None:
    assert ResidentIdDetector().analyze(candidate, "") is flag


def test_resident_id_named_checks() -> None:
    assert ResidentIdDetector.check_char_valid("11010519491231002X")
    assert not ResidentIdDetector.region_valid("991234")
    assert not ResidentIdDetector.birth_date_valid("110105202501011230", today=dt.date(2024, 1, 1))


@pytest.mark.parametrize(
    ("candidate", "context", "flag"),
    [
        ("6228480012345678903", "cardNo=", True),
        ("4539578763621486", '"bank_account":"', True),
        ("6228480012345678904", "cardNo=", False),  # bad Luhn
        ("9228480012345678900", "cardNo=", False),  # Luhn right, but no card network starts with 9
        ("6228480012345678903", "orderId=", False),  # no hint
        ("622848001234567", "cardNo=", False),  # 15 digits
    ],
)
def test_bank_card(candidate: str, context: str, flag: bool) -> None:
    assert BankCardDetector().analyze(candidate, context) is flag


@pytest.mark.parametrize(
    ("candidate", "context", "flag"),
    [
        ("13698765432", '"mobile":"', True),
        ("13698765432", "tel=", True),
        ("13698765432", "+86 ", True),
        ("8613698765432", "x=", True),
        ("008613698765432", "x=", True),
        ("13698765432", "seq=", False),  # no hint, no prefix
        ("12698765432", '"mobile":"', False),  # no 12x mobile prefix
        ("10698765432", '"phone":"', False),
        ("17145678901", "ts=", False),  # looks like a timestamp, no hint
    ],
)
def test_mobile(candidate: str, context: str, flag: bool) -> None:
    assert ChineseMobileDetector().analyze(candidate, context) is flag


@pytest.mark.parametrize(
    ("candidate", "context", "flag"),
    [
        ("a.b@mail.example.cn", '"email":"', True),
        ("a.b@mail.example.cn", " (whole field)", True),
        ("a.b@mail.example.cn", "contact us at ", True),
        ("a.b@mail.example.cn", "see the docs of ", False),
        ("not-an-address@", '"email":"', False),
    ],
)
def test_email(candidate: str, context: str, flag: bool) -> None:
    assert EmailDetector().analyze(candidate, context) is flag


def test_digit_runs_are_maximal_and_bounded() -> None:
    text = "a12345678901b" + "1" * 25 + "c" + "9" * 19 + "d1234567890e"
    assert [text[s:e] for s, e in digit_runs(text)] == ["12345678901", "9" * 19]
