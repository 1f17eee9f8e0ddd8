"""Find a target in a uiautomator view-hierarchy dump: pure functions over the XML.

Why parse the dump ourselves instead of asking a UI service: `uiautomator dump` plus
`input tap X Y` needs nothing on the phone but adb, works on every Android version the
labs use, and the same XML is what the bundle keeps under `ui/` — so the element the
scenario tapped is the element a court can see in the evidence. uiautomator2 is faster
and used when it is available (see `u2.py`); both resolve targets the same way here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from apptest.device.base import Target

_BOUNDS = re.compile(r"\[(-?\d+),(-?\d+)\]\[(-?\d+),(-?\d+)\]")


@dataclass(frozen=True)
class Node:
    """One view of the dump with the attributes a scenario or a rule looks at."""

    text: str
    resource_id: str
    description: str
    cls: str
    package: str
    bounds: tuple[int, int, int, int]
    checked: bool
    checkable: bool
    clickable: bool

    @property
    def center(self) -> tuple[int, int]:
        x1, y1, x2, y2 = self.bounds
        return (x1 + x2) // 2, (y1 + y2) // 2

    @property
    def visible(self) -> bool:
        x1, y1, x2, y2 = self.bounds
        return x2 > x1 and y2 > y1


def parse_bounds(text: str) -> tuple[int, int, int, int]:
    match = _BOUNDS.fullmatch(text.strip())
    if not match:
        return (0, 0, 0, 0)
    x1, y1, x2, y2 = (int(g) for g in match.groups())
    return x1, y1, x2, y2


def _node(element: Any) -> Node:
    get = element.get
    return Node(
        text=get("text") or "",
        resource_id=get("resource-id") or "",
        description=get("content-desc") or "",
        cls=get("class") or "",
        package=get("package") or "",
        bounds=parse_bounds(get("bounds") or ""),
        checked=get("checked") == "true",
        checkable=get("checkable") == "true",
        clickable=get("clickable") == "true",
    )


def parse(xml: str) -> Any:
    """The dump as an lxml tree; a dump that is not XML raises ValueError."""
    try:
        return etree.fromstring(xml.encode("utf-8"), parser=etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"view hierarchy is not XML: {exc}") from exc


def nodes(xml: str) -> list[Node]:
    return [_node(e) for e in parse(xml).iter("node")]


def _text_matches(node: Node, wanted: str, contains: bool) -> bool:
    if contains:
        return wanted in node.text or (bool(node.description) and wanted in node.description)
    return node.text == wanted or node.description == wanted


def find(xml: str, target: Target) -> Node | None:
    """The first visible node matching `target` (document order, alternatives in order).

    XPath is evaluated as written (uiautomator attribute names: `@text`, `@resource-id`);
    text alternatives are tried one after another, so `["不同意", "拒绝"]` prefers the first.
    """
    root = parse(xml)
    if target.xpath:
        hits = root.xpath(target.xpath)
        found = [_node(e) for e in hits if isinstance(e, etree._Element)]
        return next((n for n in found if n.visible), None)
    all_nodes = [_node(e) for e in root.iter("node")]
    visible = [n for n in all_nodes if n.visible]
    if target.resource_id:
        return next((n for n in visible if n.resource_id == target.resource_id), None)
    for wanted in target.text:
        hit = next((n for n in visible if _text_matches(n, wanted, target.contains)), None)
        if hit is not None:
            return hit
    if target.description:
        return next((n for n in visible if n.description == target.description), None)
    return None


def foreground_of(xml: str) -> str | None:
    """The package that owns most visible views: the app in front when the dump was taken."""
    counts: dict[str, int] = {}
    for node in nodes(xml):
        if node.package and node.visible:
            counts[node.package] = counts.get(node.package, 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else None
