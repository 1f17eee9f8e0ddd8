"""What a scenario writes into the bundle: phase marks, the step log, screens, checks.

Three kinds of record, three places:

* `phases.jsonl` — the marks the judge replays into consent/app/screen states. A mark
  is a claim ("the user refused the policy at T"), so it is written only for an action
  that really happened; `step:<name>` marks are written only for what a user's hand did
  (tap, type, swipe, back, home, answering a permission dialog), because the judge reads
  them as "the tester interacted" (a permission request before any step is one the app
  made on its own);
* `ui/steps.jsonl` — every step, interaction or not, with time, outcome and the files of
  its screenshot and view dump (hash-chained like every stream);
* `ui/NNN-*.png|xml` — the screens themselves, so a reader sees what the app showed.
"""

from __future__ import annotations

import re
from typing import Any

from apptest.evidence import Bundle
from apptest.model import Observation, PhaseMark, iso_ts

STEPS_STREAM = "ui/steps.jsonl"
_SLUG = re.compile(r"[^A-Za-z0-9_-]+")


def slug(text: str) -> str:
    """A file-name-safe short form of a step name (non-ASCII names keep only the action)."""
    return _SLUG.sub("-", text).strip("-")[:40] or "step"


class Recorder:
    """The scenario's only door into the bundle (through `Bundle`, the one writer)."""

    def __init__(self, bundle: Bundle) -> None:
        self.bundle = bundle
        self.marks: list[dict[str, Any]] = []

    def mark(self, mark: str, detail: dict[str, Any] | None = None) -> dict[str, Any]:
        stored = self.bundle.add_phase(PhaseMark(mark=mark, ts=iso_ts(), detail=dict(detail or {})))
        self.marks.append(stored)
        return stored

    def step_mark(self, name: str, detail: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.mark(f"step:{name}", detail)

    def last_mark(self, names: tuple[str, ...]) -> str | None:
        """The latest mark (raw, with its parameter) whose name is one of `names`."""
        for record in reversed(self.marks):
            if record["mark"].split(":", 1)[0] in names:
                return str(record["mark"])
        return None

    def screen(self, stem: str, png: bytes | None, xml: str | None) -> dict[str, str]:
        """Store a screenshot and a view dump as `ui/<stem>.png|xml`; returns their paths."""
        files: dict[str, str] = {}
        if png:
            self.bundle.store_file(f"ui/{stem}.png", png)
            files["screenshot"] = f"ui/{stem}.png"
        if xml:
            self.bundle.store_file(f"ui/{stem}.xml", xml.encode("utf-8"))
            files["hierarchy"] = f"ui/{stem}.xml"
        return files

    def step(self, record: dict[str, Any]) -> dict[str, Any]:
        return self.bundle.writer(STEPS_STREAM).append(record)

    def observation(self, obs: Observation) -> dict[str, Any]:
        return self.bundle.add_observation(obs)
