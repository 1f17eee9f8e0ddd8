"""`apptest demo`: the whole pipeline with no phone, in under a minute.

Everything real except the phone and the app: the static scan reads the sample APK
shipped with apptest (com.example.rental, the same app the stand-in imitates), mitmproxy
captures the stand-in's HTTP in sinkhole mode (answers locally, nothing leaves the
machine), frida hooks the stand-in's JVM, the standard scenario drives it, the rules judge
it and the reports are written. The manifest's `target` and the report's first page say
plainly that the target was the stand-in.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from apptest.conductor import RunOptions, RunResult, Say, run_live
from apptest.demo.bench import PACKAGE, TARGET, StandInBench
from apptest.demo.build import cache_root, classes_dir
from apptest.model import iso_ts

CATEGORY = "housing_rental_sale"
SCENARIO = "demo-rental"
DEVICE_PROFILE = "demo-standin"
DEFAULT_OUTPUT = Path("reports") / "demo"


def demo_meta() -> dict[str, Any]:
    return {
        "app_name": {"zh": "安心租房（演示替身）", "en": "安心租房 (demo stand-in)"},
        "download_source": {"zh": "无：apptest 自带的演示替身", "en": "none: the stand-in shipped with apptest"},
    }


def run_demo(output: Path, knowledge: Any, say: Say, hooks: bool = True) -> RunResult:
    from apptest.static.scan import sample_apk

    started = time.monotonic()
    classes = classes_dir()  # no JDK: one clear error before anything starts
    if time.monotonic() - started > 2:
        say(f"[demo] compiled the stand-in app into {classes} (once)")
    profile = knowledge.dirs[0] / "devices" / f"{DEVICE_PROFILE}.yaml"
    device = knowledge.device_profile(profile)
    stamp = iso_ts().replace(":", "").replace("-", "").replace(".", "")
    options = RunOptions(
        apk=sample_apk(),
        category=CATEGORY,
        scenario=SCENARIO,
        bundle=output / "bundles" / stamp,
        package=PACKAGE,
        output=output,
        device_profile=profile,
        formats=("html", "json", "md"),
        listen=("127.0.0.1", 0),
        confdir=cache_root().parent / "mitmproxy",
        sinkhole=True,
        hooks=hooks,
        target=TARGET,
        meta=demo_meta(),
    )
    return run_live(options, StandInBench(device.get("identifiers") or {}, classes), knowledge, say)
