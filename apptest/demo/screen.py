"""A wireframe PNG of a view dump: the demo's "screenshot".

The stand-in has no pixels, but a reader of the evidence still wants to *see* what the
app showed at each step. Each view is drawn as its box with its text; checkable views
show their state (a pre-ticked box is the point of one rule); the system permission
dialog is shaded. A CJK font is used when the machine has one, else the resource id
stands in for text the default font cannot draw.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Any

from apptest.device import ui

SCALE = 3  # 1080x2340 -> 360x780
FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


@cache
def _font() -> tuple[Any, bool]:
    from PIL import ImageFont

    for path in FONTS:
        if Path(path).is_file():
            return ImageFont.truetype(path, 13), True
    return ImageFont.load_default(), False


def _wrap(text: str, width: int) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]


def wireframe(xml: str) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1080 // SCALE, 2340 // SCALE), "white")
    draw = ImageDraw.Draw(image)
    font, cjk = _font()
    for node in ui.nodes(xml):
        if not node.visible:
            continue
        x1, y1, x2, y2 = (v // SCALE for v in node.bounds)
        system = node.package.startswith("com.android.")
        fill = "#eef2ff" if "permissioncontroller" in node.package else ("#f4f4f4" if node.clickable else None)
        draw.rectangle((x1, y1, x2 - 1, y2 - 1), outline="#3a5fcd" if system else "#888888", fill=fill)
        label = node.text if (cjk or node.text.isascii()) else node.resource_id.rsplit("/", 1)[-1]
        if node.checkable:
            label = ("[x] " if node.checked else "[ ] ") + label
        chars = max(4, (x2 - x1 - 8) // 13)
        for number, line in enumerate(_wrap(label, chars)[:4]):
            draw.text((x1 + 4, y1 + 3 + 15 * number), line, fill="black", font=font)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
