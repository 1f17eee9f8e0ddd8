"""`apptest phase NAME`: append a phase mark to a bundle while it is being captured.

The tester clicks "agree" on the phone and types `apptest phase consent_given` in another
terminal; every observation after that mark is judged "after consent". Marks come from
the closed list in profiles/phases.yaml, so a typo (`consent_gven`) is refused instead of
silently leaving the whole run "before consent". Parameterised marks are `name:param`
(`permission_denied:android.permission.CAMERA`), checked against the phase's pattern,
and a data-type parameter must be a taxonomy id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from apptest.evidence import Bundle, BundleError
from apptest.model import PhaseMark


class MarkError(ValueError):
    """The mark is not on the closed list or its parameter is wrong (a usage error)."""


def parse_mark(text: str, phases: Mapping[str, Mapping[str, Any]], data_types: Mapping[str, Any]) -> PhaseMark:
    name, sep, param = text.strip().partition(":")
    entry = phases.get(name)
    if entry is None:
        raise MarkError(f"unknown phase {name!r}; known: {', '.join(sorted(phases))}")
    spec = entry.get("parameter")
    if not spec:
        if sep:
            raise MarkError(f"phase {name!r} takes no parameter")
        return PhaseMark(mark=name, detail={"source": "cli"})
    if not param:
        raise MarkError(f"phase {name!r} needs a parameter: {name}:<{spec.get('kind', 'value')}>")
    pattern = spec.get("pattern")
    if pattern and not re.fullmatch(pattern, param):
        raise MarkError(f"{name}:{param}: parameter does not match {pattern}")
    if spec.get("kind") == "data_type" and param not in data_types:
        raise MarkError(f"{name}:{param}: unknown data type (see profiles/taxonomy.yaml)")
    return PhaseMark(mark=f"{name}:{param}", detail={"source": "cli"})


def append_mark(root: Path, text: str, knowledge: Any) -> dict[str, Any]:
    """Validate and append; the stored record (with `prev`) is returned."""
    mark = parse_mark(text, knowledge.phases, knowledge.data_types)
    bundle = Bundle.open(Path(root))
    if bundle.sealed:
        raise BundleError(f"{root}: bundle is sealed; marks are never added to a sealed bundle")
    try:
        return bundle.add_phase(mark)
    finally:
        bundle.close()
