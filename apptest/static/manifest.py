"""Facts from the binary AndroidManifest.xml, read element by element.

androguard decodes the binary XML; the elements are read here rather than through
`APK.get_permissions()`, which drops `<uses-permission-sdk-23>` entries that `aapt` (and
Android) honour — a permission missed there is a permission never judged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apptest.errors import UnreadableInput

ANDROID = "{http://schemas.android.com/apk/res/android}"
COMPONENT_TAGS = ("activity", "activity-alias", "service", "receiver", "provider")
PERMISSION_TAGS = ("uses-permission", "uses-permission-sdk-23", "uses-permission-sdk-m")


class ManifestError(UnreadableInput):
    """The manifest is missing or cannot be decoded."""


@dataclass
class Component:
    kind: str
    name: str
    exported: bool
    exported_explicit: bool
    actions: list[str]
    permission: str | None
    process: str | None
    enabled: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "exported": self.exported,
            "exported_explicit": self.exported_explicit,
            "actions": self.actions,
            "permission": self.permission,
            "process": self.process,
            "enabled": self.enabled,
        }


@dataclass
class Manifest:
    package: str | None
    version_name: str | None
    version_code: str | None
    min_sdk: int | None
    target_sdk: int | None
    application_class: str | None
    application: dict[str, str | None]
    permissions: list[dict[str, Any]]
    components: list[Component]
    meta_data: dict[str, str | None]
    split: str | None
    declared_permissions: list[str] = field(default_factory=list)


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value, 0) if value.lower().startswith("0x") else int(value)
    except ValueError:
        return None


def _attr(element: Any, name: str) -> str | None:
    value = element.get(ANDROID + name)
    return None if value is None else str(value)


def qualify(name: str | None, package: str | None) -> str | None:
    """`.Main` / `Main` -> `com.example.Main`, as Android resolves component names."""
    if not name:
        return name
    if name.startswith("."):
        return f"{package}{name}" if package else name[1:]
    if "." not in name and package:
        return f"{package}.{name}"
    return name


def _is_true(value: str | None) -> bool:
    return value is not None and value.lower() in ("true", "1", "0xffffffff", "-1")


def parse_manifest(raw: bytes | None) -> Manifest:
    """Decode the binary manifest; raise ManifestError when it is missing or garbled."""
    if not raw:
        raise ManifestError("AndroidManifest.xml missing")
    from androguard.core.axml import AXMLPrinter

    try:
        printer = AXMLPrinter(raw)
        root = printer.get_xml_obj() if printer.is_valid() else None
    except Exception as exc:  # androguard raises many kinds on garbage
        raise ManifestError(f"AndroidManifest.xml unreadable ({exc.__class__.__name__})") from exc
    if root is None or root.tag != "manifest":
        raise ManifestError("AndroidManifest.xml unreadable (not binary XML with a <manifest> root)")
    package = root.get("package")
    sdk = root.find("uses-sdk")
    min_sdk = _int(_attr(sdk, "minSdkVersion")) if sdk is not None else None
    target_sdk = _int(_attr(sdk, "targetSdkVersion")) if sdk is not None else None
    if target_sdk is None:
        target_sdk = min_sdk if min_sdk is not None else 1
    permissions = []
    for tag in PERMISSION_TAGS:
        for element in root.findall(tag):
            name = _attr(element, "name")
            if name:
                permissions.append(
                    {"name": name, "max_sdk": _int(_attr(element, "maxSdkVersion")), "element": tag}
                )
    app = root.find("application")
    components: list[Component] = []
    meta: dict[str, str | None] = {}
    application: dict[str, str | None] = {}
    if app is not None:
        for key in (
            "name",
            "usesCleartextTraffic",
            "debuggable",
            "allowBackup",
            "networkSecurityConfig",
            "appComponentFactory",
        ):
            application[key] = _attr(app, key)
        for tag in COMPONENT_TAGS:
            for element in app.findall(tag):
                components.append(_component(tag, element, package, target_sdk))
        for element in app.findall("meta-data"):
            meta_name = _attr(element, "name")
            if meta_name:
                meta[meta_name] = _attr(element, "value")
    return Manifest(
        package=package,
        version_name=_attr(root, "versionName"),
        version_code=_attr(root, "versionCode"),
        min_sdk=min_sdk,
        target_sdk=target_sdk,
        application_class=qualify(application.get("name"), package),
        application=application,
        permissions=permissions,
        components=components,
        meta_data=meta,
        split=root.get("split"),
        declared_permissions=[n for e in root.findall("permission") if (n := _attr(e, "name"))],
    )


def _component(tag: str, element: Any, package: str | None, target_sdk: int) -> Component:
    name = qualify(_attr(element, "name") or _attr(element, "targetActivity"), package) or "?"
    actions = [
        a for f in element.findall("intent-filter") for e in f.findall("action") if (a := _attr(e, "name"))
    ]
    explicit = _attr(element, "exported")
    if explicit is not None:
        exported = _is_true(explicit)
    elif tag == "provider":
        exported = target_sdk < 17
    else:
        exported = bool(element.findall("intent-filter"))
    enabled = _attr(element, "enabled")
    return Component(
        kind="activity" if tag == "activity-alias" else tag,
        name=name,
        exported=exported,
        exported_explicit=explicit is not None,
        actions=actions,
        permission=_attr(element, "permission"),
        process=_attr(element, "process"),
        enabled=enabled is None or _is_true(enabled),
    )
