"""Phase marks: the closed list, parameters, and appending from another process."""

from __future__ import annotations

from pathlib import Path

import pytest

from apptest.evidence import Bundle, BundleError, verify
from apptest.knowledge import Knowledge
from apptest.traffic.marks import MarkError, append_mark, parse_mark

KNOWLEDGE = Knowledge.load()


@pytest.mark.parametrize(
    ("text", "mark"),
    [
        ("consent_given", "consent_given"),
        ("permission_denied:android.permission.CAMERA", "permission_denied:android.permission.CAMERA"),
        ("consent_separate:location.precise", "consent_separate:location.precise"),
        ("step:open settings", "step:open settings"),
    ],
)
def test_valid_marks(text: str, mark: str) -> None:
    assert parse_mark(text, KNOWLEDGE.phases, KNOWLEDGE.data_types).mark == mark


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("consent_gven", "unknown phase"),
        ("consent_given:yes", "takes no parameter"),
        ("permission_denied", "needs a parameter"),
        ("permission_denied:not a permission", "does not match"),
        ("consent_separate:location.exact", "unknown data type"),
    ],
)
def test_invalid_marks(text: str, problem: str) -> None:
    with pytest.raises(MarkError, match=problem):
        parse_mark(text, KNOWLEDGE.phases, KNOWLEDGE.data_types)


def test_cli_appends_chained_marks(tmp_path: Path, cli) -> None:
    Bundle.create(tmp_path / "b", {"apk": {"package": "com.example.app", "sha256": "unknown"}}).close()
    append_mark(tmp_path / "b", "launch", KNOWLEDGE)  # as another process would, before this one
    done = cli("phase", "consent_given", "--bundle", str(tmp_path / "b"))
    assert done.returncode == 0 and done.stdout.strip().endswith(" consent_given")
    marks, errors = Bundle.open(tmp_path / "b").phases()
    assert [m.mark for m in marks] == ["launch", "consent_given"] and errors == []
    assert verify(tmp_path / "b").streams["phases.jsonl"]["chain_ok"]
    typo = cli("phase", "consent_gven", "--bundle", str(tmp_path / "b"))
    assert typo.returncode == 2 and "unknown phase" in typo.stderr


def test_missing_or_sealed_bundle_refuses_marks(tmp_path: Path, cli) -> None:
    with pytest.raises(BundleError, match="not a bundle"):
        append_mark(tmp_path / "nope", "launch", KNOWLEDGE)
    Bundle.create(tmp_path / "b", {"apk": {"package": "com.example.app", "sha256": "unknown"}}).seal()
    done = cli("phase", "launch", "--bundle", str(tmp_path / "b"))
    assert done.returncode == 3 and "sealed" in done.stderr
