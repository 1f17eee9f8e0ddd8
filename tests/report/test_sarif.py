"""SARIF 2.1.0: every result has a physical location, or GitHub rejects the whole file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from apptest.report.sarif import render_sarif
from apptest.report.sources import index_sources
from apptest.report.write import prepare_document

from .conftest import finding, judgement

MANIFEST = """<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.example.rental">
    <uses-permission android:name="android.permission.INTERNET" />
    <uses-permission
        android:name="android.permission.READ_CONTACTS" />
    <application android:name=".App" />
</manifest>
"""
IMPORTER = """package com.example.rental.contacts;

import android.content.ContentResolver;

public class ContactsImporter {
    private final ContentResolver resolver;

    public void queryContacts() {
        resolver.query(null, null, null, null, null);
    }
}
"""
STATIC = {
    "apk": {"path": "/labs/in/rental-1.2.0.apk", "package": "com.example.rental"},
    "api_calls": [
        {
            "api": "android.content.ContentResolver.query",
            "data_types": ["contacts"],
            "caller": "com.example.rental.contacts.ContactsImporter.queryContacts",
            "caller_class": "com.example.rental.contacts.ContactsImporter",
            "sdk": None,
            "dex": "classes.dex",
            "offset": 4920,
            "confidence": "known",
        },
        {
            "api": "android.content.ContentResolver.query",
            "data_types": ["contacts"],
            "caller": "com.umeng.x.Y.z",
            "caller_class": "com.umeng.x.Y",
            "sdk": {"id": "umeng_analytics"},
            "dex": "classes2.dex",
            "offset": 10,
            "confidence": "known",
        },
    ],
}


def findings() -> list[dict[str, Any]]:
    return [
        finding(
            "unnecessary_permission",
            "1" * 32,
            severity="medium",
            observations=[],
            actors=[],
            detail={"group": {"permission": "android.permission.READ_CONTACTS"}},
        ),
        finding(
            "pre_consent_collection",
            "2" * 32,
            data_types=["contacts"],
            observations=["c1"],
            actors=[{"kind": "app", "id": "com.example.rental", "proof": "stack"}],
            detail={
                "group": {"data_type": "contacts"},
                "reported": {"detail.api": ["android.content.ContentResolver.query"]},
            },
        ),
        finding("third_party_before_consent", "3" * 32, observations=["t1"], detail={"group": {}}),
    ]


def doc(knowledge: Any) -> dict[str, Any]:
    evidence = {
        "manifest": {"apk": {"package": "com.example.rental", "sha256": "b" * 64}},
        "integrity": {"sealed": False, "ok": True},
        "static": STATIC,
        "phases": [],
        "observations": [
            {
                "id": "c1",
                "ts": "2026-05-01T08:30:01.000Z",
                "source": "runtime",
                "action": "reads",
                "data_types": ["contacts"],
                "actor": {"kind": "app"},
            },
            {
                "id": "t1",
                "ts": "2026-05-01T08:30:02.000Z",
                "source": "traffic",
                "action": "transmits",
                "data_types": ["device.android_id"],
                "actor": {"kind": "sdk", "id": "umeng_analytics"},
            },
        ],
    }
    from apptest.report.document import build_document
    from apptest.report.glossary import build_glossary

    j = judgement(findings())
    return build_document(j, evidence, {}, build_glossary(knowledge, j, evidence))


def check_github_rules(log: dict[str, Any]) -> None:
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    run = log["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert result["message"]["text"]
        assert result["locations"], "GitHub rejects a result without a location"
        for loc in result["locations"] + result.get("relatedLocations", []):
            physical = loc["physicalLocation"]
            assert physical["artifactLocation"]["uri"] and not physical["artifactLocation"]["uri"].startswith("/")
            assert physical["region"]["startLine"] >= 1
        assert result["partialFingerprints"]["apptestFingerprint/v1"]


def test_locations_without_sources(knowledge: Any) -> None:
    log = render_sarif(doc(knowledge), "en")
    check_github_rules(log)
    uris = {
        r["ruleId"]: r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]
    }
    assert uris == {
        "unnecessary_permission": "AndroidManifest.xml",
        "pre_consent_collection": "rental-1.2.0.apk",
        "third_party_before_consent": "rental-1.2.0.apk",
    }
    call = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "pre_consent_collection")
    names = [x["fullyQualifiedName"] for x in call["locations"][0]["logicalLocations"]]
    assert names == ["com.example.rental.contacts.ContactsImporter.queryContacts"], (
        "the SDK's call site is not the app's"
    )


def test_locations_with_sources(tmp_path: Path, knowledge: Any) -> None:
    src = tmp_path / "repo" / "app" / "src" / "main"
    (src / "java" / "com" / "example" / "rental" / "contacts").mkdir(parents=True)
    (src / "AndroidManifest.xml").write_text(MANIFEST)
    (src / "java" / "com" / "example" / "rental" / "contacts" / "ContactsImporter.java").write_text(IMPORTER)
    (tmp_path / "repo" / "lib" / "src" / "debug").mkdir(parents=True)
    (tmp_path / "repo" / "lib" / "src" / "debug" / "AndroidManifest.xml").write_text("<manifest/>")
    log = render_sarif(doc(knowledge), "zh", index_sources(tmp_path / "repo"))
    check_github_rules(log)
    results = {r["ruleId"]: r["locations"][0]["physicalLocation"] for r in log["runs"][0]["results"]}
    assert results["unnecessary_permission"] == {
        "artifactLocation": {"uri": "app/src/main/AndroidManifest.xml"},
        "region": {"startLine": 5},
    }
    assert results["pre_consent_collection"] == {
        "artifactLocation": {"uri": "app/src/main/java/com/example/rental/contacts/ContactsImporter.java"},
        "region": {"startLine": 8},
    }


def test_hostile_report_is_valid_sarif(hostile_doc: dict[str, Any]) -> None:
    check_github_rules(render_sarif(hostile_doc))


def test_no_findings_still_a_valid_log(knowledge: Any) -> None:
    log = render_sarif(prepare_document(judgement([]), None, knowledge=knowledge))
    check_github_rules(log)
    assert log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"]
