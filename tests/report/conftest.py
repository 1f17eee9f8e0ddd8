"""Bundles and judgements for the report tests, built with the real bundle writer.

The hostile bundle is what an app under test can plant: markup and script in a URL, a
host name, an excerpt, a stack frame, an SDK name and a phase detail. Every test that
renders it checks that all of it arrives as text.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from apptest.evidence import Bundle
from apptest.knowledge import Knowledge
from apptest.model import Actor, Destination, Observation, PhaseMark
from apptest.report.write import prepare_document

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "apptest" / "data" / "example_bundle"
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
HOSTILE_URL = f"https://evil.example/{SCRIPT}/p?q={IMG}"
PACKAGE = "com.example.rental"


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return Knowledge.load()


def need_chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("headless Chromium is not installed (Debian package `chromium`)")


def build_hostile_bundle(root: Path, seal: bool = True) -> Bundle:
    """A bundle whose captured values try to inject markup into any report."""
    bundle = Bundle.create(
        root,
        {
            "apk": {"package": PACKAGE, "sha256": "a" * 64, "version_name": f"1.0{SCRIPT}"},
            "started": "2026-05-01T08:30:00.000Z",
            "device": {"manufacturer": "Xiaomi", "model": f"M2012K11AC{IMG}", "android_version": "13"},
        },
    )
    bundle.add_phase(PhaseMark(mark="launch", ts="2026-05-01T08:30:00.000Z"))
    bundle.add_phase(PhaseMark(mark="policy_shown", ts="2026-05-01T08:30:02.000Z", detail={"note": SCRIPT}))
    bundle.add_phase(PhaseMark(mark="consent_given", ts="2026-05-01T08:30:09.500Z"))
    bundle.add_observation(
        Observation(
            id="h1",
            ts="2026-05-01T08:30:01.250Z",
            source="runtime",
            action="reads",
            data_types=("device.android_id",),
            actor=Actor(kind="sdk", id="umeng_analytics", name=f"Umeng{IMG}", proof="stack"),
            confidence="known",
            detail={
                "api": "android.provider.Settings$Secure.getString",
                "stack": [f"com.umeng.commonsdk.Tracker.f({SCRIPT})", "com.example.rental.App.onCreate(App.java:21)"],
                "return_value": "9774d5e8c0ff1a2b",
            },
        )
    )
    bundle.add_observation(
        Observation(
            id="h2",
            ts="2026-05-01T08:30:01.900Z",
            source="traffic",
            action="transmits",
            data_types=("device.android_id",),
            actor=Actor(kind="sdk", id="umeng_analytics", proof="domain"),
            destination=Destination(host=f"evil.example{IMG}", party="third", sdk="umeng_analytics"),
            confidence="known",
            detail={
                "method": "POST",
                "url": HOSTILE_URL,
                "location": "body",
                "encoding": "json",
                "excerpt": f'"aid":"‹device.android_id›","x":"{SCRIPT}{IMG}"',
            },
        )
    )
    bundle.add_observation(
        Observation(
            id="h3",
            ts="2026-05-01T08:30:20.000Z",
            source="runtime",
            action="reads",
            data_types=("location.precise",),
            actor=Actor(kind="app", id=PACKAGE, proof="stack"),
            detail={"api": "android.location.LocationManager.getLastKnownLocation"},
        )
    )
    if seal:
        bundle.seal()
    else:
        bundle.close()
    return bundle


def finding(rule_id: str = "pre_consent_collection", fingerprint: str = "f" * 32, **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "rule_id": rule_id,
        "fingerprint": fingerprint,
        "title": {"zh": "征得同意前收集个人信息", "en": "Personal information collected before consent"},
        "severity": "high",
        "status": "violation",
        "data_types": ["device.android_id"],
        "actors": [{"kind": "sdk", "id": "umeng_analytics", "proof": "stack"}],
        "states": [{"consent": "before", "app": "foreground", "screen": "on", "denied": []}],
        "observations": ["h1", "h2"],
        "citations": ["M3.1", "N337-1", "PIPL-13"],
        "explanation": {"zh": f"说明{SCRIPT}", "en": f"Explanation {IMG}"},
        "remediation": {"zh": "同意后再初始化SDK。", "en": "Initialise the SDK after consent."},
        "detail": {"group": {"data_type": "device.android_id"}, "reported": {"destination.host": [f"h{IMG}"]}},
    }
    base.update(extra)
    return base


def judgement(findings: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    """A judgement shaped like the judge's (apptest/schemas/judgement.schema.json)."""
    found = [finding()] if findings is None else findings
    rule_ids = sorted({f["rule_id"] for f in found} | {"pre_consent_collection", "forced_consent"})
    base: dict[str, Any] = {
        "format": "apptest-judgement",
        "format_version": 1,
        "tool": {"name": "apptest", "version": "0.1.0"},
        "bundle": {
            "path": "",
            "package": PACKAGE,
            "apk_sha256": "a" * 64,
            "sealed": True,
            "observations": 3,
            "phase_marks": 3,
            "errors": [],
            "notes": [],
        },
        "categories": [{"id": "housing_rental_sale", "number": 13, "name": {"zh": "房屋租售类", "en": "Housing"}}],
        "summary": {},
        "findings": found,
        "rule_results": [
            {
                "rule_id": r,
                "verdict": "failed" if any(f["rule_id"] == r for f in found) else "unchecked",
                "missing_evidence": [],
                "title": {"zh": r, "en": r},
                "severity": "high",
                "status": "violation",
                "findings": sum(1 for f in found if f["rule_id"] == r),
                "config": {},
            }
            for r in rule_ids
        ],
        "coverage": [
            {
                "item": "M3.1",
                "title": {},
                "rules": ["pre_consent_collection"],
                "automated": True,
                "automation": "full",
                "verdicts": {},
                "manual": None,
                "status": "failed" if found else "passed",
                "note": {},
            },
            {
                "item": "M1.1",
                "title": {},
                "rules": [],
                "automated": False,
                "automation": "manual",
                "verdicts": {},
                "manual": None,
                "status": "needs_manual",
                "note": {},
            },
        ],
        "suppressed": [],
        "unused_suppressions": [],
        "manual": [],
    }
    base.update(extra)
    return base


@pytest.fixture
def hostile_bundle(tmp_path: Path) -> Bundle:
    return build_hostile_bundle(tmp_path / "hostile")


@pytest.fixture
def hostile_doc(hostile_bundle: Bundle, knowledge: Knowledge) -> dict[str, Any]:
    return prepare_document(judgement(), hostile_bundle.root, {"lab": f"Lab{SCRIPT}"}, knowledge=knowledge)
