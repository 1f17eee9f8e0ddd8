"""Reports: the canonical report.json and its renderings (HTML, Markdown, SARIF, XLSX), retests.

Reports render from the judgement dict and what the bundle holds; they never import a
collector. `write_reports` writes files, `render` returns one format as text or bytes.
"""

from apptest.report.write import FORMATS, render, write_reports, write_retest

__all__ = ["FORMATS", "render", "write_reports", "write_retest"]
