"""`apptest static`: one APK in, the documented static.json out.

The order of work follows cost: hashes and the manifest first (milliseconds), then each
dex file once — its id tables, one byte search for the sensitive indices, and instruction
decoding only where a candidate sits. Every part that cannot be read becomes a line under
`errors` and the rest is still reported (exit 0, a partial result); only a file with
nothing readable at all is an error (exit 3).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from apptest.attribution import SdkIndex
from apptest.static.certs import signing_certificates
from apptest.static.container import ApkError, Container, open_container
from apptest.static.dexjobs import Shared, default_workers, scan_all
from apptest.static.manifest import Component, Manifest, ManifestError, parse_manifest
from apptest.static.sdks import detect_sdks
from apptest.static.signals import auto_start, detect_packers, hidden_code, obfuscation_share, policy_hints

SCHEMA_VERSION = 1


def sample_apk() -> Path:
    """The sample APK shipped with the package, so the README's first command works anywhere."""
    return Path(str(resources.files("apptest.data").joinpath("sample.apk")))


def reflection_names(apis: list[dict[str, Any]], generic: set[str]) -> dict[str, list[str]]:
    """Strings whose presence as a constant suggests a reflective call to a sensitive API."""
    names: dict[str, set[str]] = {}
    for api in apis:
        member = api.get("method")
        if not member:
            continue
        label = f"{api['class']}.{member}"
        names.setdefault(api["class"], set()).add(label)
        if member not in generic:
            names.setdefault(member, set()).add(label)
    return {k: sorted(v) for k, v in names.items()}


def _progress(enabled: bool, total: int) -> Callable[[], AbstractContextManager[Callable[[], None] | None]]:
    """A factory for the rich progress bar over dex files (or for nothing when not a terminal)."""

    @contextmanager
    def bar() -> Iterator[Callable[[], None] | None]:
        if not enabled:
            yield None
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, transient=True) as display:
            task = display.add_task("scanning dex", total=total)
            yield lambda: display.advance(task)

    return bar


def _manifests(container: Container, errors: list[str]) -> tuple[Manifest | None, list[Component]]:
    base: Manifest | None = None
    components: list[Component] = []
    for number, part in enumerate(container.parts):
        label = part.name or container.path.name
        try:
            manifest = parse_manifest(part.read("AndroidManifest.xml"))
        except ManifestError as exc:
            errors.append(f"{label}: {exc}")
            continue
        if number == 0:
            base = manifest
        components.extend(manifest.components)
    return base, components


def _permission_rows(manifest: Manifest | None, knowledge: Any) -> list[dict[str, Any]]:
    rows, seen = [], set()
    for perm in manifest.permissions if manifest else []:
        key = (perm["name"], perm["element"])
        if key in seen:
            continue
        seen.add(key)
        known = knowledge.permissions.get(perm["name"], {})
        rows.append(
            {
                "name": perm["name"],
                "protection_level": known.get("protection"),
                "data_types": list(known.get("data_types") or []),
                "max_sdk": perm["max_sdk"],
                "element": perm["element"],
            }
        )
    return rows


def _flags(manifest: Manifest | None) -> list[dict[str, Any]]:
    if manifest is None:
        return []
    flags = []
    target = manifest.target_sdk or 0
    if target < 23:
        flags.append(
            {
                "id": "target_sdk_below_23",
                "detail": f"targetSdkVersion {target}: every dangerous "
                "permission is granted at install, the user cannot refuse one and keep the app",
            }
        )
    cleartext = manifest.application.get("usesCleartextTraffic")
    if (cleartext is not None and cleartext.lower() == "true") or (
        cleartext is None and target < 28 and not manifest.application.get("networkSecurityConfig")
    ):
        flags.append({"id": "cleartext_traffic_allowed", "detail": "plain HTTP is allowed by the manifest"})
    if (manifest.application.get("debuggable") or "").lower() == "true":
        flags.append({"id": "debuggable", "detail": "android:debuggable is true"})
    return flags


def scan_apk(path: Path, knowledge: Any, progress: bool = False, workers: int | None = None) -> dict[str, Any]:
    """Analyse one .apk/.apks/.xapk; raise ApkError only when nothing is readable.

    `workers`: processes for the dex files (default: the cores, for large multi-dex apps).
    """
    container = open_container(Path(path))
    errors: list[str] = list(container.errors)
    warnings: list[str] = list(container.warnings)
    manifest, components = _manifests(container, errors)
    index = SdkIndex(knowledge.sdks)
    signals = knowledge.apk_signals
    apis = knowledge.apis
    refl = reflection_names(apis, set(signals["reflection_generic_names"]))
    dex_jobs = [(part, name) for part in container.parts for name in part.dex_names]

    shared = Shared(apis, refl, knowledge.content_uris, index, [k.lower() for k in signals["policy_keywords"]])
    workers = default_workers(dex_jobs) if workers is None else workers
    results = scan_all(dex_jobs, shared, workers, _progress(progress, len(dex_jobs)))
    calls = [c for r in results for c in r.calls]
    reflection = [c for r in results for c in r.reflection]
    class_names = [c for r in results for c in r.class_names]
    dex_labels = [r.label for r in results if r.read]
    errors.extend(e for r in results for e in r.errors)
    dex_urls = [(r.label, u) for r in results for u in r.urls]
    for part in container.parts:
        errors.extend(e for e in part.errors if e not in errors)
    if manifest is None and not dex_labels:
        raise ApkError(f"{container.path}: nothing readable ({'; '.join(errors[:3])})")

    file_names = [n for part in container.parts for n in part.names]
    native_libs = [n for n in file_names if n.endswith(".so")]
    class_set = set(class_names)
    app_class = manifest.application_class if manifest else None
    packers = detect_packers(signals, file_names, class_set, app_class)
    hidden = hidden_code(signals, file_names, class_set, app_class)
    share, total = obfuscation_share(c for c in class_names if index.by_class(c) is None)
    if share >= float(signals.get("obfuscation_short_name_share", 0.3)) and total >= 3:
        warnings.append(
            f"obfuscated: {share:.0%} of {total} app classes have one- or two-letter names; "
            "SDKs are found by manifest components and native libraries, code prefixes may miss some"
        )
    if packers:
        warnings.append(
            "packed by " + ", ".join(p["name"]["en"] for p in packers) + ": the real code is hidden "
            "from static analysis; 0 call sites does not mean clean"
        )
    warnings.extend(f"code hidden: {reason}" for reason in hidden)
    if not dex_labels:
        warnings.append("no readable dex: no call sites could be searched")
    analysis_complete = not (packers or hidden or not dex_labels or errors)
    certificates = signing_certificates(container)
    errors.extend(e for e in container.errors if e not in errors)
    exported = [c.to_dict() for c in components if c.exported]
    autostart = auto_start(signals, components)
    for row in autostart:
        sdk_id = index.by_component(row["component"])
        row["sdk"] = index.ref(sdk_id).to_dict() if sdk_id else None
    return {
        "schema_version": SCHEMA_VERSION,
        "apk": {
            "path": str(container.path),
            "kind": container.kind,
            "sha256": container.sha256,
            "md5": container.md5,
            "package": manifest.package if manifest else None,
            "version_name": manifest.version_name if manifest else None,
            "version_code": manifest.version_code if manifest else None,
            "min_sdk": manifest.min_sdk if manifest else None,
            "target_sdk": manifest.target_sdk if manifest else None,
            "application_class": app_class,
            "dex": dex_labels,
            "splits": [p.name for p in container.parts[1:]],
            "signing_certificates": certificates,
        },
        "permissions": _permission_rows(manifest, knowledge),
        "api_calls": sorted(calls, key=lambda r: (r["dex"], r["offset"])),
        "reflection": sorted(reflection, key=lambda r: (r["dex"], r["offset"])),
        "sdks": detect_sdks(index, class_names, [c.name for c in components], native_libs),
        "auto_start": autostart,
        "exported": exported,
        "packers": packers,
        "analysis_complete": analysis_complete,
        "flags": _flags(manifest),
        "warnings": warnings,
        "privacy_policy_hints": policy_hints(signals, file_names, dex_urls),
        "errors": errors,
    }


def scan_to_bundle(
    path: Path, knowledge: Any, bundle_dir: Path | None, progress: bool = False
) -> dict[str, Any]:
    """Scan, and when a bundle is named, write static.json and the static observations into it."""
    result = scan_apk(path, knowledge, progress=progress)
    if bundle_dir is not None:
        from apptest.static.record import record_static

        record_static(result, knowledge, bundle_dir)
    return result
