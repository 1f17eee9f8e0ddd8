"""SARIF 2.1.0 for code scanning in CI (GitHub, GitLab, Azure DevOps).

GitHub rejects a whole SARIF file when one result lacks a physical location, so every
result gets one, chosen by what the finding is about:

* a permission finding -> AndroidManifest.xml (the declaring line under `--source-root`
  when the sources are there);
* a finding about code that calls a sensitive API -> the calling class's source file under
  `--source-root`, on the method's line; without sources, the APK file, with the caller
  named as a logical location;
* anything else (a transmission seen only in traffic) -> the APK file.

Results carry the finding's fingerprint as a partial fingerprint, so code scanning tracks
the same finding across runs the way `apptest retest` does.

The declared-vs-observed matrix (the judgement's `policy_matrix`) is no finding and has no
place in the code, so it rides in the run's property bag (`runs[0].properties`), the one
spot SARIF leaves to a tool; a consumer that knows nothing of it ignores it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath
from typing import Any

from apptest.report.i18n import pick
from apptest.report.sources import SourceIndex

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"high": "error", "medium": "warning", "low": "note", "info": "note"}
SECURITY_SEVERITY = {"high": "8.0", "medium": "5.0", "low": "2.0"}
MAX_RELATED = 10


def _apk_uri(doc: Mapping[str, Any]) -> str:
    evidence = doc.get("evidence") or {}
    for apk in ((evidence.get("manifest") or {}).get("apk") or {}, (evidence.get("static") or {}).get("apk") or {}):
        if apk.get("path"):
            return PurePosixPath(str(apk["path"]).replace("\\", "/")).name
    package = (doc["judgement"].get("bundle") or {}).get("package") or "app"
    return f"{package}.apk"


def _values(value: Any) -> Iterable[str]:
    if isinstance(value, list | tuple):
        for v in value:
            yield from _values(v)
    elif isinstance(value, str):
        yield value


def _permissions(finding: Mapping[str, Any], observations: Mapping[str, Mapping[str, Any]]) -> list[str]:
    detail = finding.get("detail") or {}
    found: list[str] = []
    for key, value in {**(detail.get("group") or {}), **(detail.get("reported") or {})}.items():
        if "permission" in key:
            found.extend(_values(value))
    for obs_id in finding.get("observations") or []:
        obs = observations.get(obs_id) or {}
        perm = (obs.get("detail") or {}).get("permission")
        if obs.get("action") in ("declares", "requests_permission", "permission_result") and isinstance(perm, str):
            found.append(perm)
    return list(dict.fromkeys(p for p in found if "." in p or p.isupper()))


def _apis(finding: Mapping[str, Any], observations: Mapping[str, Mapping[str, Any]]) -> set[str]:
    detail = finding.get("detail") or {}
    apis: set[str] = set()
    for key, value in {**(detail.get("group") or {}), **(detail.get("reported") or {})}.items():
        if key.endswith("api"):
            apis.update(_values(value))
    for obs_id in finding.get("observations") or []:
        api = ((observations.get(obs_id) or {}).get("detail") or {}).get("api")
        if isinstance(api, str):
            apis.add(api)
    return apis


def _call_sites(finding: Mapping[str, Any], doc: Mapping[str, Any], apis: set[str]) -> list[Mapping[str, Any]]:
    """Static call sites of the finding's APIs, by the finding's actors (app code or an SDK)."""
    if not apis:
        return []
    calls = ((doc.get("evidence") or {}).get("static") or {}).get("api_calls") or []
    actors = finding.get("actors") or []
    sdk_ids = {a.get("id") for a in actors if a.get("kind") == "sdk"}
    app_actor = any(a.get("kind") in ("app", "unknown", None) for a in actors) or not actors
    out = []
    for call in calls:
        if call.get("api") not in apis:
            continue
        sdk = call.get("sdk") or {}
        sdk_id = sdk.get("id") if isinstance(sdk, Mapping) else sdk
        if (sdk_id and sdk_id in sdk_ids) or (not sdk_id and app_actor):
            out.append(call)
    return sorted(out, key=lambda c: (str(c.get("caller")), str(c.get("dex")), c.get("offset") or 0))


def _physical(uri: str, line: int = 1) -> dict[str, Any]:
    return {"physicalLocation": {"artifactLocation": {"uri": uri}, "region": {"startLine": max(int(line), 1)}}}


def _call_location(call: Mapping[str, Any], apk_uri: str, sources: SourceIndex | None) -> dict[str, Any]:
    caller = str(call.get("caller") or call.get("caller_class") or "")
    class_name = str(call.get("caller_class") or caller.rsplit(".", 1)[0])
    method = caller.rsplit(".", 1)[-1] if caller else ""
    rel = sources.class_file(class_name) if sources else None
    if rel and sources is not None:
        location = _physical(rel, sources.method_line(rel, method) if method else 1)
    else:
        location = _physical(apk_uri)
    location["logicalLocations"] = [{"fullyQualifiedName": caller, "kind": "function"}]
    location["message"] = {"text": f"{caller} -> {call.get('api')}"}
    return location


def _locations(
    finding: Mapping[str, Any],
    doc: Mapping[str, Any],
    observations: Mapping[str, Mapping[str, Any]],
    sources: SourceIndex | None,
) -> list[dict[str, Any]]:
    """All candidate locations, most specific first; never empty."""
    apk_uri = _apk_uri(doc)
    out: list[dict[str, Any]] = []
    for perm in _permissions(finding, observations):
        if sources is not None and sources.manifest:
            loc = _physical(sources.manifest, sources.permission_lines.get(perm, 1))
        else:
            loc = _physical("AndroidManifest.xml")
        loc["message"] = {"text": perm}
        out.append(loc)
    for call in _call_sites(finding, doc, _apis(finding, observations)):
        out.append(_call_location(call, apk_uri, sources))
    if not out:
        out.append(_physical(apk_uri))
    return out


def _message(finding: Mapping[str, Any], doc: Mapping[str, Any], lang: str) -> str:
    names = (doc.get("glossary") or {}).get("data_types") or {}
    types = ", ".join(pick(names.get(d), lang) or d for d in finding.get("data_types") or [])
    actors = ", ".join(str(a.get("name") or a.get("id") or a.get("kind") or "?") for a in finding.get("actors") or [])
    text = pick(finding.get("title"), lang)
    if types:
        text += f": {types}"
    if actors:
        text += f" ({actors})"
    return text


def _rules(doc: Mapping[str, Any], lang: str) -> list[dict[str, Any]]:
    judgement = doc["judgement"]
    seen: dict[str, dict[str, Any]] = {}
    severities = {f["rule_id"]: f["severity"] for f in judgement.get("findings") or []}
    texts = {f["rule_id"]: f for f in judgement.get("findings") or []}
    for result in judgement.get("rule_results") or []:
        seen.setdefault(result["rule_id"], dict(result))
    for rule_id in severities:
        seen.setdefault(rule_id, {"rule_id": rule_id})
    rules = []
    for rule_id in sorted(seen):
        result, finding = seen[rule_id], texts.get(rule_id) or {}
        severity = result.get("severity") or severities.get(rule_id) or "medium"
        title = pick(result.get("title") or finding.get("title"), lang) or rule_id
        rule: dict[str, Any] = {
            "id": rule_id,
            "name": "".join(part.capitalize() for part in rule_id.split("_")),
            "shortDescription": {"text": title},
            "defaultConfiguration": {"level": LEVEL.get(severity, "warning")},
            "properties": {"tags": ["privacy", "security", "apptest"], "severity": severity},
        }
        if finding.get("explanation"):
            rule["fullDescription"] = {"text": pick(finding["explanation"], lang)}
        if finding.get("remediation"):
            rule["help"] = {"text": pick(finding["remediation"], lang)}
        if severity in SECURITY_SEVERITY:
            rule["properties"]["security-severity"] = SECURITY_SEVERITY[severity]
        rules.append(rule)
    return rules


def render_sarif(doc: Mapping[str, Any], lang: str = "zh", sources: SourceIndex | None = None) -> dict[str, Any]:
    """The report document as a SARIF 2.1.0 log (a dict; the writer serialises it)."""
    judgement = doc["judgement"]
    observations = {o.get("id"): o for o in (doc.get("evidence") or {}).get("observations") or []}
    rules = _rules(doc, lang)
    index = {rule["id"]: n for n, rule in enumerate(rules)}
    results = []
    for finding in judgement.get("findings") or []:
        locations = _locations(finding, doc, observations, sources)
        result: dict[str, Any] = {
            "ruleId": finding["rule_id"],
            "ruleIndex": index[finding["rule_id"]],
            "level": LEVEL.get(finding["severity"], "warning"),
            "message": {"text": _message(finding, doc, lang)},
            "locations": locations[:1],
            "partialFingerprints": {"apptestFingerprint/v1": finding["fingerprint"]},
            "properties": {
                "severity": finding["severity"],
                "status": finding["status"],
                "data_types": list(finding.get("data_types") or []),
                "citations": list(finding.get("citations") or []),
                "observations": len(finding.get("observations") or []),
            },
        }
        if len(locations) > 1:
            related = []
            for n, loc in enumerate(locations[1 : MAX_RELATED + 1], start=1):
                related.append({"id": n, **loc})
            result["relatedLocations"] = related
        results.append(result)
    bundle = judgement.get("bundle") or {}
    integrity = (doc.get("evidence") or {}).get("integrity") or {}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "apptest",
                "version": str((doc.get("tool") or {}).get("version") or ""),
                "rules": rules,
            }
        },
        "automationDetails": {"id": f"apptest/{bundle.get('package') or 'app'}/"},
        "results": results,
        "properties": {
            "package": bundle.get("package"),
            "apk_sha256": bundle.get("apk_sha256"),
            "sealed": bundle.get("sealed"),
            "sums_sha256": integrity.get("sums_sha256"),
        },
    }
    matrix = judgement.get("policy_matrix")
    if isinstance(matrix, Mapping):
        run["properties"]["policy_matrix"] = dict(matrix)
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
