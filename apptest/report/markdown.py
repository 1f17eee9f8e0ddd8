"""Markdown for issue trackers: the findings a developer must fix, pasted as one issue.

Issue trackers render Markdown *and* inline HTML, so captured text is escaped twice over:
HTML-significant characters become entities and Markdown punctuation is backslashed, which
keeps a planted `<img onerror=…>`, a `[link](javascript:…)` or a stray `|` from turning
into markup or breaking a table. Code-like values go into code spans whose fence is longer
than any backtick run inside them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from apptest.report import tables
from apptest.report.checks import coverage
from apptest.report.context import finding_views, verdict
from apptest.report.i18n import labels
from apptest.report.inventory import sdk_rows
from apptest.report.labelling import Namer
from apptest.report.policy_section import policy_view

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_LINE_START = re.compile(r"^(\s*)([#+\-=>]|\d+(?=[.)]))")
_NEWLINES = re.compile(r"[\r\n]+")


def md_text(value: Any) -> str:
    """Plain text safe in Markdown prose and table cells (one line)."""
    text = _NEWLINES.sub(" ", str(value if value is not None else ""))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    match = _LINE_START.match(text)
    if match:  # a list marker, heading or numbered item where a line could start
        cut = match.end()
        if match.group(2)[0].isdigit():
            return text[:cut] + "\\" + text[cut:]
        return match.group(1) + "\\" + text[len(match.group(1)) :]
    return text


def md_code(value: Any, table: bool = False) -> str:
    """A code span that holds any text literally; in a table cell `|` is escaped as GFM requires."""
    text = _NEWLINES.sub(" ", str(value if value is not None else ""))
    if table:
        text = text.replace("|", "\\|")
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _excerpt(pieces: list[Mapping[str, Any]] | None) -> str:
    return "".join(str(p["text"]) for p in pieces or [])


def render_markdown(doc: Mapping[str, Any], lang: str = "zh") -> str:
    """The report document as Markdown: verdict, findings with evidence and fixes, SDKs, coverage."""
    t = labels(lang)
    namer = Namer(doc, t, lang)
    outcome = verdict(doc, namer)
    integrity = (doc.get("evidence") or {}).get("integrity") or {}
    name = (doc.get("meta") or {}).get("app_name")
    lines = [f"# {md_text(t['report_title'])}: {md_text(namer.text(name) or namer.package or '?')}", ""]
    target = tables.target(doc, namer)
    if target:
        lines += [f"> **{md_text(t['target_title'])}: {md_text(target['label'])}**", ">"]
        lines += [f"> {md_text(target['text'])}", ""] if target["text"] else [""]
    lines.append(f"**{md_text(outcome['text'])}**")
    lines.append("")
    counts = " · ".join(f"{md_text(s['label'])} {s['count']}" for s in outcome["by_severity"])
    lines.append(f"{outcome['findings']} {md_text(t['findings_total'])} ({counts})")
    if integrity.get("sums_sha256"):
        lines += ["", f"{md_text(t['sums_digest'])}: {md_code(integrity['sums_sha256'])}"]
    lines.append("")
    findings = finding_views(doc, namer)
    if findings:
        lines += [
            f"| # | {md_text(t['severity'])} | {md_text(t['finding'])} | {md_text(t['data_types'])} | "
            f"{md_text(t['actors'])} | {md_text(t['fingerprint'])} |",
            "|---|---|---|---|---|---|",
        ]
        for f in findings:
            types = ", ".join(d["name"] for d in f["data_types"])
            lines.append(
                f"| {f['number']} | {md_text(f['severity_label'])} | {md_text(f['title'])} | {md_text(types)} | "
                f"{md_text('; '.join(f['actors']))} | {md_code(f['fingerprint'][:12], table=True)} |"
            )
    else:
        lines.append(md_text(t["no_findings"]))
    notes = tables.notes(doc, namer)
    if notes:
        lines += ["", f"**{md_text(t['notes'])}**", ""]
        lines += [f"- {md_text(n)}" for n in notes]
    for f in findings:
        lines += ["", f"## {f['number']}. {md_text(f['title'])} ({md_text(f['severity_label'])})", ""]
        lines.append(
            f"{md_text(t['rule'])} {md_code(f['rule_id'])} · {md_text(t['fingerprint'])} {md_code(f['fingerprint'])}"
        )
        lines += ["", md_text(f["explanation"]), ""]
        if f["states"]:
            lines.append(f"- {md_text(t['states'])}: {md_text('; '.join(f['states']))}")
        for label, value in f["facts"]:
            lines.append(f"- {md_text(label)}: {md_text(value)}")
        if f["evidence"]:
            lines += ["", f"**{md_text(t['evidence'])}** ({f['observation_count']})", ""]
        for e in f["evidence"]:
            where = f" → {md_code(e['destination'])}" if e["destination"] else ""
            lines.append(
                f"- {md_code(e['ts'])} {md_text(e['rel'])} {md_text(e['action'])} {md_text(e['data_types'])}"
                f" · {md_text(e['actor'])}{where}"
            )
            if e["api"]:
                lines.append(f"  - API {md_code(e['api'])}")
            if e["url"]:
                lines.append(f"  - {md_text(e['method'] or '')} {md_code(e['url'])}")
            if e["excerpt"]:
                lines.append(f"  - {md_code(_excerpt(e['excerpt']))}")
            own = [fr["text"] for fr in e["frames"] if fr["own"]]
            if own:
                lines.append(f"  - {md_code(own[0])}")
        if f["limits"]:
            lines += ["", f"**{md_text(t['limits'])}**", ""]
            lines += [f"- {md_text(x)}" for x in f["limits"]]
        if f["citations"]:
            lines += ["", f"**{md_text(t['citations'])}**", ""]
            for c in f["citations"]:
                flag = f" \\[{md_text(t['unverified'])}\\]" if c["unverified"] else ""
                lines.append(f"- {md_text(c['document'] or c['id'])} {md_text(c['ref'])}{flag}: {md_text(c['text'])}")
        lines += ["", f"**{md_text(t['remediation'])}**: {md_text(f['remediation'])}"]
    sdks = sdk_rows(doc, namer)
    if sdks:
        lines += ["", f"## {md_text(t['sdk_table'])}", ""]
        lines += [
            f"| {md_text(t['sdk'])} | {md_text(t['sdk_read'])} | {md_text(t['sdk_sent'])} "
            f"| {md_text(t['before_consent'])} |",
            "|---|---|---|---|",
        ]
        for s in sdks:
            lines.append(
                f"| {md_text(s['name'])} | {md_text(s['read'])} | {md_text(s['sent'])} "
                f"| {md_text(s['before_consent'])} |"
            )
    lines += _policy_lines(policy_view(doc, namer), t)
    groups = coverage(doc, namer)
    if groups:
        lines += ["", f"## {md_text(t['coverage_title'])}", ""]
        for g in groups:
            c = g["counts"]
            lines.append(
                f"- {md_text(g['label'])}: {md_text(t['cov_automated'])} {c['automated']}, "
                f"{md_text(t['cov_manual_items'])} {c['manual']}, {md_text(t['cov_failed'])} {c['failed']}, "
                f"{md_text(t['cov_passed'])} {c['passed']}, {md_text(t['cov_open'])} {c['open']}"
            )
    version = (doc.get("tool") or {}).get("version")
    lines += ["", f"_{md_text(t['footer'])} apptest {md_text(version)} · {md_text(doc.get('generated'))}_", ""]
    return "\n".join(lines)


def _policy_lines(view: Mapping[str, Any] | None, t: Mapping[str, str]) -> list[str]:
    """The declared-vs-observed section (apptest/report/policy_section.py)."""
    if view is None:
        return []
    lines = ["", f"## {md_text(t['policy_section'])}", ""]
    if not view["found"]:
        return [*lines, md_text(t["policy_none"])]
    for d in view["documents"]:
        origin = t.get("policy_origin_" + str(d["origin"]), str(d["origin"]))
        late = ""
        if d["after_sealing"]:
            late = f" — **{md_text(t['policy_after_sealing'])}**, SHA-256 {md_code(d['sha256'])}"
        lines.append(
            f"- {md_code(d['file'])} {md_text(d['title'] or '')} ({md_text(origin)}: {md_code(d['source'])}){late}"
        )
    lines += ["", f"| {md_text(t['policy_statements'])} | {md_text(t['policy_col_status'])} "
              f"| {md_text(t['policy_col_quote'])} |", "|---|---|---|"]
    for r in view["statements"]:
        mark = "**" if r["flag"] else ""
        lines.append(f"| {md_text(r['label'])} | {mark}{md_text(r['status_label'])}{mark} | {md_text(r['quote'])} |")
    lines += ["", f"### {md_text(t['policy_data_types'])}", ""]
    lines += [f"| {md_text(t['data_types'])} | {md_text(t['policy_col_status'])} | {md_text(t['policy_col_declared'])} "
              f"| {md_text(t['policy_col_observed'])} | {md_text(t['policy_col_actors'])} "
              f"| {md_text(t['policy_col_quote'])} |", "|---|---|---|---|---|---|"]
    for r in view["data_types"]:
        mark = "**" if r["flag"] else ""
        lines.append(
            f"| {md_text(r['name'])} | {mark}{md_text(r['status_label'])}{mark} | {md_text(r['declared'])} "
            f"| {md_text(r['observed'])} | {md_text(r['actors'])} | {md_text(r['quote'])} |"
        )
    lines += ["", f"### {md_text(t['policy_sdks'])}", ""]
    lines += [f"| {md_text(t['sdk'])} | {md_text(t['policy_col_status'])} | {md_text(t['policy_col_observed'])} "
              f"| {md_text(t['policy_col_declared_types'])} | {md_text(t['policy_col_missing_types'])} "
              f"| {md_text(t['policy_col_quote'])} |", "|---|---|---|---|---|---|"]
    for r in view["sdks"]:
        mark = "**" if r["flag"] else ""
        lines.append(
            f"| {md_text(r['name'])} | {mark}{md_text(r['status_label'])}{mark} | {md_text(r['observed'])} "
            f"| {md_text(r['declared_types'])} | {md_text(r['missing_types'])} | {md_text(r['quote'])} |"
        )
    return lines


def render_retest_markdown(result: Mapping[str, Any], lang: str = "zh") -> str:
    """A retest as Markdown: outcome, then one line per finding and per baseline item."""
    from apptest.report.retest_view import build_retest_view

    v = build_retest_view(result, lang)
    t = v["t"]
    lines = [f"# {md_text(t['retest_title'])}: {md_text(v['new']['package'] or v['old']['package'])}", ""]
    lines.append(f"**{md_text(t['retest_pass'] if v['passed'] else t['retest_fail'])}**")
    lines += ["", " · ".join(f"{md_text(c['label'])} {c['count']}" for c in v["counts"]), ""]
    lines += [
        f"| {md_text(t['retest_status'])} | {md_text(t['severity'])} | {md_text(t['finding'])} | "
        f"{md_text(t['data_types'])} | {md_text(t['fingerprint'])} |",
        "|---|---|---|---|---|",
    ]
    for i in v["items"]:
        title = f"{i['title_text']} ({t['retest_why']}: {i['why_text']})" if i["why_text"] else i["title_text"]
        lines.append(
            f"| {md_text(i['status_label'])} | {md_text(i['severity_label'])} | {md_text(title)} | "
            f"{md_text(i['data_types_text'])} | {md_code(i['fingerprint'][:12], table=True)} |"
        )
    if v["baseline"]:
        lines += ["", f"## {md_text(t['baseline_title'])}", ""]
        lines += [
            f"| {md_text(t['item'])} | {md_text(t['baseline_problem'])} | {md_text(t['retest_status'])} |",
            "|---|---|---|",
        ]
        for r in v["baseline"]:
            lines.append(f"| {md_text(r['item_id'])} | {md_text(r['problem'])} | {md_text(r['status_label'])} |")
    lines.append("")
    return "\n".join(lines)
