"""A lab's judging settings (`--config FILE`): rule thresholds and the traffic join window.

No law gives a number for "too frequent" or "asked again too soon"; every threshold is a
tool default in the rule's `config:`. A lab that follows a different practice sets its
own here, checked at start (an unknown rule or setting is a one-line error), and every
finding shows the values it was judged with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from apptest.knowledge import check_schema, load_yaml
from apptest.rules.join import DEFAULT_WINDOW_SECONDS


@dataclass(frozen=True)
class JudgeConfig:
    join_window_seconds: float = DEFAULT_WINDOW_SECONDS
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)


def _plain(value: Any) -> Any:
    """YAML reads `2026-05-01` as a date; lab files keep dates as ISO text."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def read_lab_file(path: Path, schema_name: str) -> dict[str, Any]:
    """A lab's YAML/JSON file (settings, suppressions, manual results), validated.

    A broken file is a one-line error naming the file and the key, like a broken profile.
    """
    data = _plain(load_yaml(Path(path)))
    if data is None:
        data = {}
    check_schema(Path(path), schema_name, data)
    return dict(data)


def load_config(path: Path | None) -> JudgeConfig:
    if path is None:
        return JudgeConfig()
    data = read_lab_file(path, "judge-config")
    return JudgeConfig(
        join_window_seconds=float(data.get("join_window_seconds", DEFAULT_WINDOW_SECONDS)),
        rules={k: dict(v or {}) for k, v in (data.get("rules") or {}).items()},
    )
