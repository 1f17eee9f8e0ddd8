"""`apptest analyze` in one call: read the bundle and the lab's files, then judge.

This is the judge's I/O edge: it reads the bundle, the optional settings, suppression and
manual-results files, copies manual evidence into the bundle, and hands everything to
the pure `judge`. Unreadable input raises an `UnreadableInput` (exit 3, one line); so does
`--manual` with a zipped bundle, whose evidence would have nowhere to go.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from apptest import bundlezip
from apptest.evidence import Bundle
from apptest.rules.config import load_config
from apptest.rules.coverage import load_coverage
from apptest.rules.judge import judge, read_evidence, resolve_categories
from apptest.rules.manual import ZippedBundle, attach_evidence, load_manual
from apptest.rules.suppress import load_suppressions


def analyze_bundle(
    bundle_dir: Path,
    knowledge: Any,
    category: str,
    *,
    config_path: Path | None = None,
    suppress_path: Path | None = None,
    manual_path: Path | None = None,
) -> dict[str, Any]:
    """Judge a bundle as `apptest analyze` does; returns the judgement dict."""
    if manual_path is not None and bundlezip.is_zip(Path(bundle_dir)):
        raise ZippedBundle(Path(bundle_dir))  # before judging: say it in one line, change nothing
    categories = resolve_categories(knowledge, category)
    config = load_config(config_path)
    suppressions = load_suppressions(suppress_path) if suppress_path else []
    evidence = read_evidence(bundle_dir)
    manual: list[dict[str, Any]] = []
    if manual_path is not None:
        items = [i["item"] for i in load_coverage(knowledge)]
        results = load_manual(manual_path, items)
        manual = attach_evidence(Bundle.open(bundle_dir), Path(manual_path).parent, results)
    return judge(evidence, knowledge, categories, config=config, suppressions=suppressions, manual=manual)
