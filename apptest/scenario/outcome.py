"""What a step and a scenario came to: the step's status, the scenario's summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class StepFailed(Exception):
    """The step could not do what it says (target not on screen, command refused)."""


@dataclass
class Outcome:
    status: str = "ok"  # ok | skipped | failed
    detail: dict[str, Any] = field(default_factory=dict)
    refusals: list[str] = field(default_factory=list)


@dataclass
class ScenarioResult:
    scenario: str
    steps: list[dict[str, Any]] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    stopped: str | None = None

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [s for s in self.steps if s["status"] == "failed"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "steps": len(self.steps),
            "failed": [f"{s['index']} {s['name']}: {s.get('error', '')}" for s in self.failed],
            "checks": self.checks,
            "stopped": self.stopped,
        }
