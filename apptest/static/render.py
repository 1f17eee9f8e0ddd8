"""`--format table`: the static result as a few readable tables for a terminal."""

from __future__ import annotations

from collections import Counter
from typing import Any


def render_table(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    apk = result["apk"]
    console.print(
        f"[bold]{apk.get('package') or '?'}[/] {apk.get('version_name') or ''} "
        f"(target SDK {apk.get('target_sdk')}, min {apk.get('min_sdk')})\n"
        f"sha256 {apk['sha256']}  md5 {apk['md5']}"
    )
    perms = Table(title="Permissions", show_lines=False)
    for col in ("permission", "protection", "data types"):
        perms.add_column(col)
    for p in result["permissions"]:
        perms.add_row(
            p["name"].removeprefix("android.permission."),
            p["protection_level"] or "-",
            ", ".join(p["data_types"]),
        )
    console.print(perms)
    calls = Table(title="Sensitive API call sites (present in code, not proof of use)")
    for col in ("API", "data types", "caller owner", "sites"):
        calls.add_column(col)
    counts = Counter(
        (c["api"], ", ".join(c["data_types"]), c["sdk"]["name"] if c["sdk"] else "app")
        for c in result["api_calls"]
    )
    for (api, types, owner), n in sorted(counts.items()):
        calls.add_row(api, types, owner, str(n))
    console.print(calls)
    sdks = Table(title="SDKs")
    for col in ("SDK", "kind", "matched by", "classes"):
        sdks.add_column(col)
    for s in result["sdks"]:
        sdks.add_row(
            s["name"]["en"] if isinstance(s["name"], dict) else str(s["name"]),
            s["kind"] or "-",
            "; ".join(f"{k}: {', '.join(v)}" for k, v in s["matched"].items()),
            str(s["class_count"]),
        )
    console.print(sdks)
    for row in result["auto_start"]:
        console.print(f"auto-start: {row['component']} on {', '.join(row['actions'])}")
    for packer in result["packers"]:
        console.print(f"[red]packer[/]: {packer['name']['en']} ({', '.join(packer['evidence'])})")
    for flag in result["flags"]:
        console.print(f"flag: {flag['id']}: {flag['detail']}")
    for warning in result["warnings"]:
        console.print(f"[yellow]warning[/]: {warning}")
    for error in result["errors"]:
        console.print(f"[red]error[/]: {error}")
    if not result["analysis_complete"]:
        console.print("[bold red]analysis incomplete[/]: some code could not be read")
