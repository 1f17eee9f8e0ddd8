"""Shared fixtures of the policy tests: the knowledge and the compiled extractor (once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from apptest.knowledge import Knowledge
from apptest.policy.collect import extractor as build_extractor
from apptest.policy.extract import Extractor

POLICIES = Path(__file__).resolve().parent / "policies"
RENTAL_POLICY = Path(__file__).resolve().parents[1] / "fixtures/apks/src/rental/assets/privacy_policy.html"


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return Knowledge.load()


@pytest.fixture(scope="session")
def extractor(knowledge: Knowledge) -> Extractor:
    return build_extractor(knowledge)
