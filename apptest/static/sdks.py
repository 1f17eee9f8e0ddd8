"""Which SDKs an APK embeds, from three kinds of signature.

Code package prefixes are the strongest sign but vanish under obfuscation; manifest
component names and native `.so` names survive it (Android must find them by name), so an
obfuscated app still shows its push and analytics SDKs. Presence is one evidence level
only: the report keeps "present" apart from "called" (runtime) and "sent" (traffic).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from apptest.attribution import SdkIndex


def detect_sdks(
    index: SdkIndex, class_names: Iterable[str], components: Iterable[str], native_libs: Iterable[str]
) -> list[dict[str, Any]]:
    """One row per SDK found, with what matched and how many classes it owns."""
    counts: dict[str, int] = defaultdict(int)
    matched: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for name in class_names:
        hit = index.match_class(name)
        if hit is not None:
            counts[hit[0]] += 1
            matched[hit[0]]["packages"].add(hit[1])
    for component in components:
        sdk_id = index.by_component(component)
        if sdk_id is not None:
            matched[sdk_id]["components"].add(component)
    for lib in native_libs:
        sdk_id = index.by_native_lib(lib)
        if sdk_id is not None:
            matched[sdk_id]["native_libs"].add(lib.rsplit("/", 1)[-1])
    rows = []
    for sdk_id in sorted(matched):
        sdk = index.sdks[sdk_id]
        rows.append(
            {
                "id": sdk_id,
                "name": sdk["name"],
                "vendor": sdk.get("vendor"),
                "kind": sdk.get("kind"),
                "matched": {k: sorted(v) for k, v in sorted(matched[sdk_id].items())},
                "class_count": counts.get(sdk_id, 0),
            }
        )
    return rows
