"""Format dispatch: a judgement (or a saved report) in, report files out.

`write_reports` is the one entry point the commands use (`apptest report`, `analyze`,
`scan`, `run`, `batch`): it assembles the canonical document once (report.json) and
renders every requested format from it, so all files of one run agree.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from apptest.report.document import (
    ReportInputError,
    build_document,
    is_document,
    judgement_of,
)
from apptest.report.i18n import check_lang

FORMATS = ("json", "html", "md", "sarif", "xlsx")
FILENAMES = {
    "json": "report.json",
    "html": "report.html",
    "md": "report.md",
    "sarif": "report.sarif",
    "xlsx": "report.xlsx",
}


def parse_formats(spec: str | Iterable[str]) -> list[str]:
    """`html,json` -> ['html', 'json'] (order kept, duplicates dropped); unknown -> ValueError."""
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    out = [f.strip().lower() for f in items if f.strip()]
    out = ["md" if f == "markdown" else f for f in out]
    unknown = [f for f in out if f not in FORMATS]
    if unknown or not out:
        raise ValueError(f"--format {','.join(unknown) or spec!r}: choose from {', '.join(FORMATS)}")
    return list(dict.fromkeys(out))


def _check_same_app(judgement: Mapping[str, Any], evidence: Mapping[str, Any]) -> None:
    claimed = (judgement.get("bundle") or {}).get("package")
    found = ((evidence.get("manifest") or {}).get("apk") or {}).get("package")
    if claimed and found and claimed != found:
        raise ReportInputError(f"the judgement is of {claimed!r} but the bundle holds {found!r}")


def prepare_document(
    data: Mapping[str, Any],
    bundle: Any = None,
    meta: Mapping[str, Any] | None = None,
    *,
    knowledge: Any = None,
    public_key: Path | None = None,
) -> dict[str, Any]:
    """The canonical report document from a judgement (+ its bundle) or from a saved report.

    A judgement without `bundle` is joined to the bundle folder it names when that folder
    exists; otherwise the report says it was rendered without evidence. A saved report is
    used as it is (its evidence was captured when it was written); `meta` overrides its
    lab details.
    """
    if is_document(data):
        doc = dict(data)
        if meta:
            doc["meta"] = {**(doc.get("meta") or {}), **meta}
        return doc
    from apptest.report.evidence_section import evidence_section
    from apptest.report.glossary import build_glossary

    judgement = judgement_of(data)
    if bundle is None:
        named = (judgement.get("bundle") or {}).get("path")
        if named and Path(named).exists():
            bundle = Path(named)
    evidence = evidence_section(bundle, public_key) if bundle is not None else None
    if evidence is not None:
        _check_same_app(judgement, evidence)
    if knowledge is None:
        from apptest.knowledge import Knowledge

        knowledge = Knowledge.load()
    return build_document(judgement, evidence, meta, build_glossary(knowledge, judgement, evidence))


def render_document(doc: Mapping[str, Any], fmt: str, lang: str = "zh", source_root: Path | None = None) -> str | bytes:
    """One format of an assembled document: text for json/html/md/sarif, bytes for xlsx."""
    check_lang(lang)
    if fmt == "json":
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    if fmt == "html":
        from apptest.report.html import render_html

        return render_html(doc, lang)
    if fmt == "md":
        from apptest.report.markdown import render_markdown

        return render_markdown(doc, lang)
    if fmt == "sarif":
        from apptest.report.sarif import render_sarif
        from apptest.report.sources import index_sources

        sources = index_sources(source_root) if source_root is not None else None
        return json.dumps(render_sarif(doc, lang, sources), ensure_ascii=False, indent=2) + "\n"
    if fmt == "xlsx":
        from apptest.report.xlsx import render_xlsx

        return render_xlsx(doc, lang)
    raise ValueError(f"unknown format {fmt!r}: choose from {', '.join(FORMATS)}")


def render(
    data: Mapping[str, Any],
    fmt: str,
    lang: str = "zh",
    *,
    bundle: Any = None,
    meta: Mapping[str, Any] | None = None,
    source_root: Path | None = None,
    knowledge: Any = None,
) -> str | bytes:
    """A judgement or report in one format (for stdout); see `write_reports` for files."""
    return render_document(prepare_document(data, bundle, meta, knowledge=knowledge), fmt, lang, source_root)


def write_reports(
    judgement: Mapping[str, Any],
    bundle: Any,
    formats: str | Iterable[str],
    out_dir: Path,
    lang: str = "zh",
    meta: Mapping[str, Any] | None = None,
    *,
    source_root: Path | None = None,
    knowledge: Any = None,
    public_key: Path | None = None,
) -> list[Path]:
    """Write report.<ext> for each format into `out_dir`; returns the paths written.

    `judgement` is the judge's dict or a saved report document; `bundle` the evidence
    bundle (folder, zip, `Bundle`, or None to use the folder the judgement names).
    report.json (the canonical document) is written whenever any other format is, so every
    rendering can be reproduced from it.
    """
    wanted = parse_formats(formats)
    check_lang(lang)
    doc = prepare_document(judgement, bundle, meta, knowledge=knowledge, public_key=public_key)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if "json" not in wanted:
        wanted = ["json", *wanted]
    written = []
    for fmt in wanted:
        target = out_dir / FILENAMES[fmt]
        content = render_document(doc, fmt, lang, source_root)
        tmp = target.with_name(target.name + ".tmp")
        if isinstance(content, bytes):
            tmp.write_bytes(content)
        else:
            tmp.write_text(content, encoding="utf-8")
        tmp.replace(target)
        written.append(target)
    return written


def write_retest(
    result: Mapping[str, Any], formats: str | Iterable[str], out_dir: Path, lang: str = "zh"
) -> list[Path]:
    """Write retest.json / retest.html / retest.md for a retest document."""
    from apptest.report.html import render_view
    from apptest.report.markdown import render_retest_markdown
    from apptest.report.retest_view import build_retest_view

    wanted = [f for f in parse_formats(formats) if f in ("json", "html", "md")] or ["json"]
    check_lang(lang)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in dict.fromkeys(["json", *wanted]):
        target = out_dir / f"retest.{fmt}"
        if fmt == "json":
            target.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        elif fmt == "html":
            target.write_text(render_view("retest.html.j2", build_retest_view(result, lang)), encoding="utf-8")
        else:
            target.write_text(render_retest_markdown(result, lang), encoding="utf-8")
        written.append(target)
    return written
