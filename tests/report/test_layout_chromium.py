"""A real browser lays out a crowded timeline and a long findings table, in zh and en.

The report forbids script (CSP `default-src 'none'`), so the test renders a copy whose
policy allows one inline script. That script measures the phase labels (SVG `getBBox`,
the glyph cells in the figure's own units) and the `#` cells of the findings table, and
writes the numbers into the DOM that `--dump-dom` prints. The window is phone-narrow,
where a table squeezes its first column hardest.
"""

from __future__ import annotations

import html
import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest

from apptest.evidence import Bundle
from apptest.knowledge import Knowledge
from apptest.model import Actor, Destination, Observation, PhaseMark
from apptest.report.html import render_html
from apptest.report.write import prepare_document

from .conftest import PACKAGE, finding, judgement
from .test_chromium import chromium
from .test_timeline_labels import DENSE

pytestmark = pytest.mark.slow

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
MEASURE = """<script>
window.addEventListener("load", function () {
  function own(el) {
    return Array.from(el.childNodes).filter(function (n) { return n.nodeType === 3; })
      .map(function (n) { return n.data; }).join("");
  }
  var out = {labels: [], nums: []};
  document.querySelectorAll("svg.timeline text.phase-label").forEach(function (el) {
    var b = el.getBBox();
    out.labels.push({text: own(el), box: [b.x, b.y, b.x + b.width, b.y + b.height]});
  });
  document.querySelectorAll("#summary td.num").forEach(function (td) {
    var range = document.createRange();
    range.selectNodeContents(td);
    var tops = new Set(Array.from(range.getClientRects()).map(function (r) { return Math.round(r.top); }));
    out.nums.push({text: td.textContent, lines: tops.size, width: td.getBoundingClientRect().width});
  });
  var pre = document.createElement("pre");
  pre.id = "measured";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""


def crowded_bundle(root: Path) -> Bundle:
    """Ten phase marks within three seconds, then traffic for ten minutes."""
    bundle = Bundle.create(
        root,
        {
            "apk": {"package": PACKAGE, "sha256": "a" * 64, "version_name": "1.0"},
            "started": "2026-05-01T08:30:00.000Z",
            "device": {"manufacturer": "Xiaomi", "model": "M2012K11AC", "android_version": "13"},
        },
    )
    for phase in DENSE:
        bundle.add_phase(PhaseMark(mark=phase["mark"], ts=phase["ts"]))
    bundle.add_observation(
        Observation(
            id="h1",
            ts="2026-05-01T08:30:00.400Z",
            source="runtime",
            action="reads",
            data_types=("device.android_id",),
            actor=Actor(kind="sdk", id="umeng_analytics", proof="stack"),
            detail={"api": "android.provider.Settings$Secure.getString"},
        )
    )
    bundle.add_observation(
        Observation(
            id="h2",
            ts="2026-05-01T08:40:00.000Z",
            source="traffic",
            action="transmits",
            data_types=("device.android_id",),
            actor=Actor(kind="sdk", id="umeng_analytics", proof="domain"),
            destination=Destination(host="ulogs.umeng.com", party="third", sdk="umeng_analytics"),
            detail={"method": "POST", "url": "https://ulogs.umeng.com/unify_logs", "location": "body"},
        )
    )
    bundle.seal()
    return bundle


def measure(tmp_path: Path, report: str) -> dict[str, Any]:
    assert CSP in report, "the report's own policy, relaxed below for this copy only"
    page = tmp_path / "measure.html"
    relaxed = report.replace(CSP, CSP + "; script-src 'unsafe-inline'").replace("</body>", MEASURE + "</body>")
    page.write_text(relaxed, encoding="utf-8")
    result = chromium(tmp_path, page, "--window-size=400,2000", "--virtual-time-budget=5000", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    found = re.search(r'<pre id="measured">(.*?)</pre>', result.stdout, re.S)
    assert found, "the measuring script ran"
    data: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return data


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_crowded_labels_and_long_finding_numbers_in_a_browser(tmp_path: Path, knowledge: Knowledge, lang: str) -> None:
    bundle = crowded_bundle(tmp_path / "bundle")
    found = [finding(fingerprint=f"{n:032x}") for n in range(12)]
    doc = prepare_document(judgement(found), bundle.root, {"lab": "Lab"}, knowledge=knowledge)
    data = measure(tmp_path, render_html(doc, lang))

    labels = data["labels"]
    assert len(labels) >= 3 and all(lb["box"][2] > lb["box"][0] for lb in labels), "labels are drawn"
    for a, b in itertools.combinations(labels, 2):
        (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = a["box"], b["box"]
        overlap = ax0 < bx1 and bx0 < ax1 and ay0 < by1 and by0 < ay1
        assert not overlap, f"{a['text']!r} {a['box']} overlaps {b['text']!r} {b['box']}"
    assert all(lb["box"][0] >= 0 and lb["box"][2] <= 1000 for lb in labels), "inside the figure"

    nums = data["nums"]
    assert [n["text"] for n in nums] == [str(n) for n in range(1, 13)]
    assert all(n["lines"] == 1 for n in nums), f"a number broke over lines: {nums}"
