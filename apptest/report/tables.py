"""The report's tables as rows of plain text (pure): app facts, SDKs, permissions, coverage.

Shared by the HTML, Markdown and XLSX renderers so that a spreadsheet and the printed
report never disagree. Every function takes the report document and a Namer and returns
lists of dicts or (label, value) pairs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from apptest.model import parse_ts
from apptest.report.document import META_KEYS
from apptest.report.labelling import Namer
from apptest.report.timeline import rel_label


def _evidence(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    return doc.get("evidence") or {}


def _manifest(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    return _evidence(doc).get("manifest") or {}


def _static(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    return _evidence(doc).get("static") or {}


def meta_rows(doc: Mapping[str, Any], namer: Namer) -> list[tuple[str, str]]:
    meta = doc.get("meta") or {}
    keys = [k for k in META_KEYS if k in meta] + sorted(k for k in meta if k not in META_KEYS)
    return [(namer.label("meta_" + k, k), namer.text(meta[k])) for k in keys]


def app_name(doc: Mapping[str, Any], namer: Namer) -> str:
    meta = doc.get("meta") or {}
    return namer.text(meta.get("app_name")) or namer.package or "?"


def target(doc: Mapping[str, Any], namer: Namer) -> dict[str, str] | None:
    """What was actually tested, when the run says (`manifest.target`): the demo writes
    `{kind: stand-in, description: {zh, en}}` because its "phone" is a stand-in on the
    local JVM. A reader must not take such a report for a test of a real app on a real
    phone, so the first page says it before anything else."""
    info = _manifest(doc).get("target")
    if not isinstance(info, Mapping) or not info:
        return None
    kind = str(info.get("kind") or "")
    return {
        "kind": kind,
        "label": namer.label("target_kind_" + kind.replace("-", "_"), kind),
        "text": namer.text(info.get("description")),
    }


def app_rows(doc: Mapping[str, Any], namer: Namer) -> list[tuple[str, str]]:
    judgement = doc["judgement"]
    manifest = _manifest(doc)
    apk = {**(_static(doc).get("apk") or {}), **(manifest.get("apk") or {})}
    device = manifest.get("device") or {}
    rows = [
        (namer.label("package"), namer.package or ""),
        (namer.label("version"), " / ".join(str(v) for v in (apk.get("version_name"), apk.get("version_code")) if v)),
        (namer.label("apk_sha256"), apk.get("sha256") or (judgement.get("bundle") or {}).get("apk_sha256") or ""),
        (namer.label("apk_md5"), apk.get("md5") or ""),
    ]
    for cert in apk.get("signing_certificates") or []:
        rows.append((namer.label("cert_sha256"), str(cert.get("sha256") or "")))
        if cert.get("subject"):
            rows.append((namer.label("cert_subject"), str(cert["subject"])))
    sdk_range = [
        f"min {apk['min_sdk']}" if apk.get("min_sdk") else "",
        f"target {apk['target_sdk']}" if apk.get("target_sdk") else "",
    ]
    rows.append((namer.label("sdk_levels"), " · ".join(s for s in sdk_range if s)))
    cats = [f"{c.get('number') or ''} {namer.text(c.get('name'))}".strip() for c in judgement.get("categories") or []]
    rows.append((namer.label("category"), "；".join(cats) if namer.lang == "zh" else "; ".join(cats)))
    model = " ".join(str(device[k]) for k in ("manufacturer", "model") if device.get(k))
    rows.append((namer.label("device"), model))
    android = " / ".join(
        x
        for x in (
            device.get("android_version") and f"Android {device['android_version']}",
            device.get("sdk") and f"API {device['sdk']}",
        )
        if x
    )
    rows.append((namer.label("android"), android))
    rows.append((namer.label("build_fingerprint"), str(device.get("build_fingerprint") or "")))
    rows.append((namer.label("started"), str(manifest.get("started") or "")))
    rows.append((namer.label("ended"), str(manifest.get("ended") or "")))
    return [(k, v) for k, v in rows if v]


def integrity(doc: Mapping[str, Any], namer: Namer) -> dict[str, Any]:
    info = _evidence(doc).get("integrity")
    if not info:
        sealed = bool((doc["judgement"].get("bundle") or {}).get("sealed"))
        return {"known": False, "sealed": sealed, "ok": None, "sums_sha256": None, "signature": "", "problems": []}
    sig = info.get("signature") or {}
    if not sig.get("present"):
        signature = namer.label("sig_none")
    elif not sig.get("checked"):
        signature = namer.label("sig_unchecked")
    elif sig.get("valid"):
        signature = f"{namer.label('sig_valid')} ({sig.get('key')})"
    else:
        signature = f"{namer.label('sig_invalid')} ({sig.get('key')})"
    chains = []
    for name, stream in sorted((info.get("streams") or {}).items()):
        text = f"{name}: {stream.get('intact_lines')}/{stream.get('lines')}"
        if stream.get("intact_until"):
            text += f" → {stream['intact_until']}"
        if stream.get("first_break"):
            text += f" ({namer.label('chain_break_at')} {stream['first_break']})"
        if stream.get("unchained"):
            text += f" ({namer.label('unchained')} {stream['unchained']})"
        chains.append(text)
    return {
        "known": True,
        "sealed": bool(info.get("sealed")),
        "ok": bool(info.get("ok")),
        "sums_sha256": info.get("sums_sha256"),
        "signature": signature,
        "problems": list(info.get("problems") or []),
        "chains": chains,
    }


def notes(doc: Mapping[str, Any], namer: Namer) -> list[str]:
    """The judge's notes ({zh, en}; plain text from older judgements), read errors, warnings."""
    judgement = doc["judgement"]
    static = _static(doc)
    out = [namer.text(n) for n in (judgement.get("bundle") or {}).get("notes") or []]
    out += [str(e) for e in (judgement.get("bundle") or {}).get("errors") or []]
    for packer in static.get("packers") or []:
        name = packer.get("id") or packer.get("name") if isinstance(packer, Mapping) else packer
        out.append(f"{namer.label('packer_warning')}: {namer.text(name)}")
    out += [namer.text(w) if isinstance(w, Mapping) else str(w) for w in static.get("warnings") or []]
    out += [str(e) for e in _evidence(doc).get("read_errors") or []]
    if doc.get("evidence") is None:
        out.append(namer.label("no_evidence_note"))
    return list(dict.fromkeys(out))


def method_rows(doc: Mapping[str, Any], namer: Namer) -> list[tuple[str, str]]:
    """How the test was done and with what: versions and hashes a court may ask for."""
    manifest = _manifest(doc)
    tool = manifest.get("tool") or {}
    profiles = manifest.get("profiles") or {}
    rows = [
        (namer.label("m_tool"), f"apptest {tool.get('version') or '?'}"),
        (namer.label("m_report_tool"), f"apptest {(doc.get('tool') or {}).get('version')}"),
        (namer.label("m_judge_tool"), str((doc["judgement"].get("tool") or {}).get("version") or "")),
    ]
    for name, version in sorted((tool.get("packages") or {}).items()):
        if version:
            rows.append((name, str(version)))
    if tool.get("python"):
        rows.append(("Python", str(tool["python"])))
    agent = tool.get("agent") or {}
    if agent.get("sha256"):
        rows.append((namer.label("m_agent"), f"{agent.get('name', '')} sha256:{agent['sha256']}"))
    if profiles.get("sha256"):
        rows.append((namer.label("m_profiles"), f"sha256:{profiles['sha256']} ({len(profiles.get('files') or {})})"))
    if manifest.get("format_version"):
        rows.append((namer.label("m_bundle_format"), f"{manifest.get('format')} v{manifest.get('format_version')}"))
    options = manifest.get("options") or {}
    if options:
        rows.append((namer.label("m_options"), ", ".join(f"{k}={v}" for k, v in sorted(options.items()))))
    if manifest.get("command_line"):
        rows.append((namer.label("m_command"), " ".join(str(a) for a in manifest["command_line"])))
    host = manifest.get("host") or {}
    if host:
        rows.append((namer.label("m_host"), " ".join(str(v) for v in host.values())))
    rows.append((namer.label("m_generated"), str(doc.get("generated") or "")))
    return [(k, v) for k, v in rows if v]


def phase_rows(doc: Mapping[str, Any], namer: Namer, t0: datetime | None) -> list[dict[str, str]]:
    rows = []
    for phase in sorted(_evidence(doc).get("phases") or [], key=lambda p: str(p.get("ts"))):
        try:
            rel = rel_label((parse_ts(phase["ts"]) - t0).total_seconds()) if t0 else ""
        except (KeyError, ValueError, TypeError):
            rel = ""
        rows.append({"ts": str(phase.get("ts")), "rel": rel, "label": namer.phase(str(phase.get("mark", "")))})
    return rows
