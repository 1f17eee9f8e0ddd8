"""A real browser opens the report: findings and timeline show, planted script never runs.

Headless Chromium loads the file with no network. `--dump-dom` prints the document *after*
parsing and any script execution, so an injected element or a script's side effect (it
would rewrite the title) would show in it.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from apptest.report.html import render_html
from apptest.report.i18n import labels

from .conftest import IMG, SCRIPT, need_chromium

pytestmark = pytest.mark.slow


def chromium(tmp_path: Path, page: Path, *mode: str) -> subprocess.CompletedProcess[str]:
    binary = need_chromium()
    return subprocess.run(
        [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={tmp_path / 'profile'}",
            *mode,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )


def poisoned(doc: dict[str, Any]) -> dict[str, Any]:
    """The hostile report, plus scripts that would retitle the page if they ever ran.

    The word they write is assembled at run time, so it appears in the DOM only if a
    script executed.
    """
    probe = "<script>document.title='PW'+'NED'</script><img src=x onerror=\"document.title='PW'+'NED'\">"
    doc = dict(doc)
    doc["meta"] = {**doc["meta"], "app_name": f"Demo{probe}"}
    return doc


def test_browser_shows_findings_and_timeline_and_runs_nothing(tmp_path: Path, hostile_doc: dict[str, Any]) -> None:
    page = tmp_path / "report.html"
    page.write_text(render_html(poisoned(hostile_doc), "zh"), encoding="utf-8")
    result = chromium(tmp_path, page, "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert "<title>" in dom and "PWNED" not in dom, "no script ran"
    assert re.search(r"<svg[^>]*class=\"timeline\"", dom), "the timeline is drawn"
    assert dom.count("<circle") >= 2 and "<path" in dom, "reads and sends are on it"
    assert 'id="finding-1"' in dom and "征得同意前收集个人信息" in dom
    assert labels("zh")["timeline_title"] in dom
    # The planted markup is text: escaped in the serialised DOM, never an element.
    assert "<script" not in dom.lower().replace("&lt;script", "")
    assert "<img" not in dom
    assert not re.search(r"<[a-z]+[^>]*\sonerror=", dom)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert "&lt;img src=x onerror=alert(1)&gt;" in dom
    assert SCRIPT not in dom and IMG not in dom


def test_browser_renders_a_screenshot(tmp_path: Path, hostile_doc: dict[str, Any]) -> None:
    page = tmp_path / "report.html"
    page.write_text(render_html(hostile_doc, "en"), encoding="utf-8")
    shot = tmp_path / "shot.png"
    result = chromium(tmp_path, page, f"--screenshot={shot}", "--window-size=1100,1400")
    assert result.returncode == 0, result.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000, "a real picture, not a blank page"


def test_browser_prints_to_pdf(tmp_path: Path, hostile_doc: dict[str, Any]) -> None:
    page = tmp_path / "report.html"
    page.write_text(render_html(hostile_doc, "zh"), encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    result = chromium(tmp_path, page, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert result.returncode == 0, result.stderr[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page") >= 2, "cover page, then the findings"
