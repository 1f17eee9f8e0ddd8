"""The worker side of a batch: profiles loaded and caches warmed once per worker process.

Every app's child is forked from its worker, so whatever the worker has loaded the child
gets for free: the profiles, parsed and schema-checked, and the caches a first judgement
fills (schemas, rules, report templates). Judging the shipped sample once here puts them
all in place before the first real app.
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from apptest import __version__
from apptest.knowledge import Knowledge

_READY: dict[tuple[str, ...], Any] = {}
_LOCK = threading.Lock()


def _warm(knowledge: Any) -> None:
    """Judge the shipped sample once in this process, so children fork with warm caches."""
    from apptest.report import write_reports
    from apptest.rules.analyze import analyze_bundle
    from apptest.static.record import record_static
    from apptest.static.scan import sample_apk, scan_apk

    with tempfile.TemporaryDirectory(prefix="apptest-warm-") as scratch:
        bundle = Path(scratch) / "bundle"
        record_static(scan_apk(sample_apk(), knowledge, workers=1), knowledge, bundle)
        category = sorted(knowledge.categories)[0]
        judgement = analyze_bundle(bundle, knowledge, category)
        write_reports(judgement, bundle, ("json", "html"), Path(scratch), knowledge=knowledge)


def worker_knowledge(profiles: tuple[str, ...]) -> Any:
    """This process's Knowledge for these profile folders, loaded and warmed once."""
    with _LOCK:
        if profiles not in _READY:
            knowledge = Knowledge.load([Path(p) for p in profiles])
            _warm(knowledge)
            _READY[profiles] = knowledge
        return _READY[profiles]


def worker_facts(profiles: tuple[str, ...]) -> dict[str, Any]:
    """What the client checks on every worker before it sends work: same apptest, same profiles."""
    from apptest.manifest_facts import profile_facts

    knowledge = worker_knowledge(tuple(profiles))
    return {
        "apptest": __version__,
        "profiles_sha256": profile_facts(knowledge.versions())["sha256"],
        "fork": hasattr(os, "fork"),
    }
