#!/usr/bin/env python3
"""Generate a large synthetic multi-dex APK for the static-scan speed benchmark.

    python3 benchmarks/make_large_apk.py /tmp/large.apk             # 12 dex, about 40 MB
    python3 benchmarks/make_large_apk.py /tmp/huge.apk --size 100   # about 100 MB
    python3 benchmarks/make_large_apk.py /tmp/code.apk --size 100 --dex-mb 100   # all dex (slow)

Why: real apps reach 10+ dex files and 100 MB; a scan that builds a
whole-program analysis takes minutes and gigabytes there. The benchmark needs
an APK of that shape whose exact number of sensitive call sites is known, so a
fast scan can be checked for speed *and* completeness. That number, per dex,
per API ref and per package prefix, goes into a JSON sidecar next to the APK
(OUT.apk -> OUT.json).

Each dex holds 2,500 classes of static methods `m<j>(Context)V`; every method
body mixes ordinary invokes (calls between generated methods, String,
StringBuilder, Math, Context) with, at seeded random places, `--sites-per-dex`
snippets that each contain exactly one sensitive site (TelephonyManager.
getDeviceId, Settings.Secure.getString("android_id"), a ContentResolver.query
on contacts, Build.SERIAL, ...). A tenth of the classes sit under
com/umeng/bench/ and a tenth under cn/jpush/bench/, so attribution by package
prefix has work to do.

Size: `--dex-mb` of dex code (default 3 MB per dex file, as in large real
apps), the rest of `--size` is native libraries (ELF header + opaque bytes),
as in real 100 MB apps where code is a third of the APK. Dex and libraries are
stored uncompressed (as AGP does for minSdk >= 28), so sizes add up.

smali is the slow part (about 4.5 CPU-seconds per MB of dex): smali text is
generated and assembled one dex per worker process, `--jobs` at a time
(default: the number of CPUs). The same arguments give the same APK bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import zipfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "fixtures" / "apks"))
import apkkit  # noqa: E402  (the fixture build helpers: aapt, zipalign, apksigner, test key)

KEYSTORE = REPO / "tests" / "fixtures" / "apks" / "test.keystore"
METHODS_PER_CLASS = 10
# Measured with smali 2.5.2: dex bytes per ordinary unit and per method/class overhead.
BYTES_PER_UNIT = 9.1
BYTES_PER_METHOD = 38
BYTES_PER_CLASS = 120
MAX_METHOD_IDS = 60000  # dex limit is 65536 method refs, leave room for framework refs

CTX = "Landroid/content/Context;"
SYS = f"invoke-virtual {{p0, v1}}, {CTX}->getSystemService(Ljava/lang/String;)Ljava/lang/Object;"
QUERY = (
    "Landroid/content/ContentResolver;->query(Landroid/net/Uri;[Ljava/lang/String;Ljava/lang/String;"
    "[Ljava/lang/String;Ljava/lang/String;)Landroid/database/Cursor;"
)


@dataclass(frozen=True)
class Sensitive:
    """A snippet holding exactly one sensitive site: `ref` used by `opcode`."""

    ref: str
    opcode: str
    lines: tuple[str, ...]


def _service(name: str, cls: str, ref: str, result: str = "move-result-object v1") -> Sensitive:
    return Sensitive(
        ref,
        "invoke-virtual",
        (f'const-string v1, "{name}"', SYS, "move-result-object v0", f"check-cast v0, {cls}",
         f"invoke-virtual {{v0}}, {ref}", result),
    )


SENSITIVE: tuple[Sensitive, ...] = (
    _service("phone", "Landroid/telephony/TelephonyManager;",
             "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;"),
    _service("phone", "Landroid/telephony/TelephonyManager;",
             "Landroid/telephony/TelephonyManager;->getSubscriberId()Ljava/lang/String;"),
    _service("clipboard", "Landroid/content/ClipboardManager;",
             "Landroid/content/ClipboardManager;->getPrimaryClip()Landroid/content/ClipData;"),
    _service("wifi", "Landroid/net/wifi/WifiManager;",
             "Landroid/net/wifi/WifiManager;->getConnectionInfo()Landroid/net/wifi/WifiInfo;"),
    Sensitive(
        "Landroid/provider/Settings$Secure;->getString(Landroid/content/ContentResolver;Ljava/lang/String;)"
        "Ljava/lang/String;",
        "invoke-static",
        (f"invoke-virtual {{p0}}, {CTX}->getContentResolver()Landroid/content/ContentResolver;",
         "move-result-object v0", 'const-string v1, "android_id"',
         "invoke-static {v0, v1}, Landroid/provider/Settings$Secure;->getString("
         "Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;",
         "move-result-object v1"),
    ),
    Sensitive(
        "Landroid/location/LocationManager;->getLastKnownLocation(Ljava/lang/String;)Landroid/location/Location;",
        "invoke-virtual",
        ('const-string v1, "location"', SYS, "move-result-object v0",
         "check-cast v0, Landroid/location/LocationManager;", 'const-string v1, "gps"',
         "invoke-virtual {v0, v1}, Landroid/location/LocationManager;->getLastKnownLocation("
         "Ljava/lang/String;)Landroid/location/Location;",
         "move-result-object v1"),
    ),
    Sensitive(
        "Landroid/content/pm/PackageManager;->getInstalledPackages(I)Ljava/util/List;",
        "invoke-virtual",
        (f"invoke-virtual {{p0}}, {CTX}->getPackageManager()Landroid/content/pm/PackageManager;",
         "move-result-object v0", "const/4 v1, 0x0",
         "invoke-virtual {v0, v1}, "
         "Landroid/content/pm/PackageManager;->getInstalledPackages(I)Ljava/util/List;",
         "move-result-object v1"),
    ),
    Sensitive(
        "Landroid/os/Build;->SERIAL:Ljava/lang/String;",
        "sget-object",
        ("sget-object v1, Landroid/os/Build;->SERIAL:Ljava/lang/String;",),
    ),
    Sensitive(
        QUERY,
        "invoke-virtual/range",
        (f"invoke-virtual {{p0}}, {CTX}->getContentResolver()Landroid/content/ContentResolver;",
         "move-result-object v0",
         "sget-object v1, Landroid/provider/ContactsContract$Contacts;->CONTENT_URI:Landroid/net/Uri;",
         "const/4 v2, 0x0", "const/4 v3, 0x0", "const/4 v4, 0x0", "const/4 v5, 0x0",
         f"invoke-virtual/range {{v0 .. v5}}, {QUERY}",
         "move-result-object v1", 'const-string v2, "s"', "const/4 v3, 0x0"),
    ),
    Sensitive(
        "Lcom/bun/miitmdid/interfaces/IdSupplier;->getOAID()Ljava/lang/String;",
        "invoke-interface",
        ("move-object v0, p0", "check-cast v0, Lcom/bun/miitmdid/interfaces/IdSupplier;",
         "invoke-interface {v0}, Lcom/bun/miitmdid/interfaces/IdSupplier;->getOAID()Ljava/lang/String;",
         "move-result-object v1"),
    ),
)


@dataclass(frozen=True)
class DexPlan:
    index: int
    classes: int
    units_per_method: int
    sites: int
    seed: str


def _package(index: int, cls: int) -> str:
    """Descriptor package of a generated class: mostly app code, some SDK-named."""
    if cls % 10 == 3:
        return f"com/umeng/bench/d{index}"
    if cls % 10 == 7:
        return f"cn/jpush/bench/d{index}"
    return f"com/example/large/d{index}"


def _ordinary(rng: random.Random, plan: DexPlan) -> list[str]:
    kind = rng.randrange(5)
    if kind == 0:
        target = rng.randrange(plan.classes)
        m = rng.randrange(METHODS_PER_CLASS)
        return [f"invoke-static {{p0}}, L{_package(plan.index, target)}/C{target};->m{m}({CTX})V"]
    if kind == 1:
        return ["invoke-virtual {v2}, Ljava/lang/String;->length()I", "move-result v3"]
    if kind == 2:
        return ["new-instance v4, Ljava/lang/StringBuilder;",
                "invoke-direct {v4}, Ljava/lang/StringBuilder;-><init>()V",
                "invoke-virtual {v4, v2}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)"
                "Ljava/lang/StringBuilder;"]
    if kind == 3:
        return [f"invoke-virtual {{p0}}, {CTX}->getPackageName()Ljava/lang/String;", "move-result-object v6"]
    return ["invoke-static {v3, v3}, Ljava/lang/Math;->max(II)I", "move-result v3"]


def generate_dex_sources(plan: DexPlan, out_dir: Path) -> dict[tuple[str, str], int]:
    """Write the smali of one dex; return how many sites it holds per (package prefix, ref)."""
    rng = random.Random(plan.seed)
    slots = plan.classes * METHODS_PER_CLASS * plan.units_per_method
    chosen = sorted(rng.sample(range(slots), plan.sites))
    counts: dict[tuple[str, str], int] = {}
    next_site, slot = 0, 0
    for c in range(plan.classes):
        pkg = _package(plan.index, c)
        prefix = ".".join(pkg.split("/")[:3])
        lines = [f".class public final L{pkg}/C{c};", ".super Ljava/lang/Object;", ""]
        for m in range(METHODS_PER_CLASS):
            lines += [f".method public static m{m}({CTX})V", "    .registers 8",
                      f'    const-string v2, "k{rng.randrange(512)}"', "    const/4 v3, 0x0"]
            for _ in range(plan.units_per_method):
                if next_site < len(chosen) and chosen[next_site] == slot:
                    site = SENSITIVE[rng.randrange(len(SENSITIVE))]
                    lines += [f"    {line}" for line in site.lines]
                    counts[prefix, site.ref] = counts.get((prefix, site.ref), 0) + 1
                    next_site += 1
                else:
                    lines += [f"    {line}" for line in _ordinary(rng, plan)]
                slot += 1
            lines += ["    return-void", ".end method", ""]
        path = out_dir / pkg / f"C{c}.smali"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines), encoding="utf-8")
    return counts


def build_dex(plan: DexPlan, work: Path) -> tuple[Path, dict[tuple[str, str], int]]:
    """Generate and assemble one dex (runs in a worker process)."""
    src = work / f"smali{plan.index}"
    counts = generate_dex_sources(plan, src)
    interface = src / "com" / "bun" / "miitmdid" / "interfaces" / "IdSupplier.smali"
    interface.parent.mkdir(parents=True, exist_ok=True)
    interface.write_text(
        ".class public interface abstract Lcom/bun/miitmdid/interfaces/IdSupplier;\n"
        ".super Ljava/lang/Object;\n\n.method public abstract getOAID()Ljava/lang/String;\n.end method\n",
        encoding="utf-8",
    )
    dex = work / ("classes.dex" if plan.index == 1 else f"classes{plan.index}.dex")
    apkkit.assemble_dex(src, dex)
    return dex, counts


MANIFEST = """<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android"
    package="com.example.large" android:versionCode="1" android:versionName="1.0">
    <uses-sdk android:minSdkVersion="28" android:targetSdkVersion="30" />
    <uses-permission android:name="android.permission.READ_PHONE_STATE" />
    <uses-permission android:name="android.permission.ACCESS_FINE_LOCATION" />
    <uses-permission android:name="android.permission.READ_CONTACTS" />
    <uses-permission android:name="android.permission.ACCESS_WIFI_STATE" />
    <uses-permission android:name="android.permission.INTERNET" />
    <application android:label="Large benchmark app" />
</manifest>
"""


def plan_dex_files(dex_count: int, dex_mb: float, sites_per_dex: int, seed: str) -> list[DexPlan]:
    """Choose classes and method length so the dex files add up to about dex_mb."""
    per_dex = dex_mb * 1024 * 1024 / dex_count
    classes = min(2500, MAX_METHOD_IDS // METHODS_PER_CLASS)
    while classes > 200 and classes * (BYTES_PER_CLASS + METHODS_PER_CLASS * BYTES_PER_METHOD) > per_dex / 2:
        classes //= 2
    methods = classes * METHODS_PER_CLASS
    units = max(2, round((per_dex - classes * BYTES_PER_CLASS - methods * BYTES_PER_METHOD)
                         / (methods * BYTES_PER_UNIT)))
    if sites_per_dex > methods * units:
        raise SystemExit(f"--sites-per-dex {sites_per_dex} exceeds the {methods * units} slots of a dex")
    return [DexPlan(i, classes, units, sites_per_dex, f"{seed}-{i}") for i in range(1, dex_count + 1)]


def filler_libs(total_bytes: int, seed: str) -> list[tuple[str, bytes]]:
    """Native-library stand-ins making up the non-code part of the APK (8 MB pieces)."""
    piece = 8 * 1024 * 1024
    libs = []
    for k in range((total_bytes + piece - 1) // piece):
        name = f"libbench_media{k}.so"
        size = min(piece, total_bytes - k * piece)
        libs.append((f"lib/arm64-v8a/{name}",
                     apkkit.fake_elf("arm64-v8a", name) + apkkit.pseudo_random_bytes(f"{seed}-{name}", size)))
    return libs


def write_sidecar(out: Path, plans: list[DexPlan], results: list[tuple[Path, dict[tuple[str, str], int]]],
                  seed: str) -> dict[str, object]:
    per_ref: dict[str, int] = {}
    per_prefix: dict[str, int] = {}
    for _, counts in results:
        for (prefix, ref), n in counts.items():
            per_ref[ref] = per_ref.get(ref, 0) + n
            per_prefix[prefix] = per_prefix.get(prefix, 0) + n
    with zipfile.ZipFile(out) as zf:
        dex_bytes = sum(i.file_size for i in zf.infolist() if i.filename.endswith(".dex"))
    sidecar: dict[str, object] = {
        "apk": out.name,
        "size_bytes": out.stat().st_size,
        "dex_bytes": dex_bytes,
        "dex_files": [dex.name for dex, _ in results],
        "classes": sum(p.classes for p in plans) + len(plans),  # + one IdSupplier interface per dex
        "generated_methods": sum(p.classes * METHODS_PER_CLASS for p in plans),
        "sensitive_call_sites": sum(per_ref.values()),
        "per_dex": {dex.name: sum(counts.values()) for dex, counts in results},
        "per_ref": dict(sorted(per_ref.items())),
        "per_package_prefix": dict(sorted(per_prefix.items())),
        "seed": seed,
        "note": "one site = one instruction using the ref (invoke-*, or sget-object for Build.SERIAL)",
    }
    out.with_suffix(".json").write_text(json.dumps(sidecar, indent=2) + "\n", encoding="utf-8")
    return sidecar


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("out", type=Path, help="APK to write; the sidecar goes to the same name with .json")
    parser.add_argument("--dex", type=int, default=12, help="number of dex files (default 12)")
    parser.add_argument("--size", type=float, default=40, help="approximate APK size in MB (default 40)")
    parser.add_argument("--dex-mb", type=float, help="MB of dex code (default: 3 per dex, at most --size)")
    parser.add_argument("--sites-per-dex", type=int, default=1000, help="sensitive sites per dex")
    parser.add_argument("--seed", default="apptest-bench", help="random seed (same seed, same APK)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel smali processes")
    parser.add_argument("--no-sign", action="store_true", help="skip apksigner (saves a few seconds)")
    args = parser.parse_args(argv)
    if missing := apkkit.missing_tools():
        print(f"missing build tools: {', '.join(missing)}", file=sys.stderr)
        return 2
    dex_mb = min(args.size, args.dex_mb if args.dex_mb is not None else 3 * args.dex)

    plans = plan_dex_files(args.dex, dex_mb, args.sites_per_dex, args.seed)
    with tempfile.TemporaryDirectory(prefix="apptest-large-") as tmp:
        work = Path(tmp)
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            results = list(pool.map(build_dex, plans, [work] * len(plans)))
        manifest = work / "AndroidManifest.xml"
        manifest.write_text(MANIFEST, encoding="utf-8")
        unsigned, aligned = work / "unsigned.apk", work / "aligned.apk"
        apkkit.package_manifest(manifest, unsigned)
        apkkit.add_entries(unsigned, ((dex.name, dex.read_bytes()) for dex, _ in results), zipfile.ZIP_STORED)
        dex_total = sum(dex.stat().st_size for dex, _ in results)
        filler = int(args.size * 1024 * 1024) - dex_total
        if filler > 0:
            apkkit.add_entries(unsigned, filler_libs(filler, args.seed), zipfile.ZIP_STORED)
        apkkit.align(unsigned, aligned)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        if args.no_sign:
            aligned.replace(args.out)
        else:
            apkkit.sign(aligned, args.out, KEYSTORE)
    sidecar = write_sidecar(args.out, plans, results, args.seed)
    print(json.dumps({k: sidecar[k] for k in ("apk", "size_bytes", "dex_bytes", "sensitive_call_sites")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
