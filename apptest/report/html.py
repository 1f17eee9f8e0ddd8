"""HTML rendering: one self-contained file, safe to open whatever the app sent.

Captured data is hostile input: a URL, a host name, an SDK's class name or a phase detail
may hold `<script>` or an `onerror=` attribute planted by the app under test. Three
layers keep it inert:

* autoescaping is on for every template (HTML and the SVG timeline alike), nothing from
  the document is ever marked safe, and `StrictUndefined` turns a template typo into an
  error instead of a silently empty cell;
* the page carries a Content-Security-Policy meta tag (`default-src 'none'`, inline styles
  and data: images only), so even markup that slipped through could run no script, load
  nothing and send nothing;
* the file has no scripts, fonts, images or links to fetch, so it reads the same offline,
  in an archive, and printed to PDF from a browser.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from apptest.report.context import build_view

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


@cache
def environment() -> Environment:
    """The one Jinja environment of apptest's reports (autoescape always on)."""
    return Environment(
        loader=PackageLoader("apptest.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )


def render_view(template: str, view: Mapping[str, Any]) -> str:
    return environment().get_template(template).render(v=view)


def render_html(doc: Mapping[str, Any], lang: str = "zh") -> str:
    """The report document as one HTML page in `lang` (zh or en)."""
    return render_view("report.html.j2", build_view(doc, lang))
