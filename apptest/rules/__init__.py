"""The judge: observations + phases + static facts + a category profile -> findings.

Rules are data (`profiles/rules/*.yaml`); this package is the one generic engine that runs
them (`judge.judge`), with pure functions everywhere except the bundle and lab-file reading
in `judge.read_evidence` and `analyze.analyze_bundle`. It imports no collector, device,
report, mitmproxy, frida or androguard code, so any saved bundle can be re-judged.
"""
