"""The exact shell commands apptest sends to a phone, and parsers for what comes back.

Kept as pure functions because the commands *are* the contract with the phone: tests
check these strings against what an adb-protocol server receives, and a lab reading the
evidence can repeat any step by hand. Arguments are quoted for the device's `sh`.
"""

from __future__ import annotations

import re
import shlex

TMP = "/data/local/tmp"
INSTALL_TMP = f"{TMP}/apptest-install.apk"
UI_DUMP = f"{TMP}/apptest-ui.xml"
LAUNCHER = "android.intent.category.LAUNCHER"
# Android 14 refuses to install apps targeting below API 23 unless told otherwise.
BYPASS_LOW_TARGET_SDK = "--bypass-low-target-sdk-block"
BYPASS_FROM_SDK = 34
ABSENT = ":0"  # what `settings put global http_proxy :0` means: no proxy (works where `delete` is ignored)


def q(value: str) -> str:
    return shlex.quote(value)


def proxy_on(host: str, port: int) -> str:
    return f"settings put global http_proxy {q(host)}:{int(port)}"


def proxy_off() -> str:
    return f"settings put global http_proxy {ABSENT}"


def proxy_get() -> str:
    return "settings get global http_proxy"


def is_proxy_set(value: str) -> bool:
    """`settings get` prints `null`, `:0` or nothing when no proxy is set."""
    text = value.strip()
    return text not in ("", "null", ABSENT)


def force_stop(package: str) -> str:
    return f"am force-stop {q(package)}"


def clear_data(package: str) -> str:
    return f"pm clear {q(package)}"


def launch(package: str, activity: str | None = None) -> str:
    """`am start -W` for a named activity; otherwise the launcher icon, as a user would tap it."""
    if activity:
        component = activity if "/" in activity else f"{package}/{activity}"
        return f"am start -W -n {q(component)}"
    return f"monkey -p {q(package)} -c {LAUNCHER} 1"


def keyevent(name: str) -> str:
    return f"input keyevent {name}"


def tap(x: int, y: int) -> str:
    return f"input tap {int(x)} {int(y)}"


def swipe(x1: int, y1: int, x2: int, y2: int, millis: int) -> str:
    return f"input swipe {int(x1)} {int(y1)} {int(x2)} {int(y2)} {int(millis)}"


def input_text(text: str) -> str:
    """`input text` takes ASCII only and reads `%s` as a space (non-ASCII needs an IME)."""
    return f"input text {q(text.replace(' ', '%s'))}"


def grant(package: str, permission: str) -> str:
    return f"pm grant {q(package)} {q(permission)}"


def revoke(package: str, permission: str) -> str:
    return f"pm revoke {q(package)} {q(permission)}"


def dumpsys_package(package: str) -> str:
    return f"dumpsys package {q(package)}"


def pidof(name: str) -> str:
    return f"pidof {q(name)}"


def install(remote_path: str, sdk: int, grant_all: bool = False) -> str:
    flags = ["-r", "-t"]
    if grant_all:
        flags.append("-g")
    if sdk >= BYPASS_FROM_SDK:
        flags.append(BYPASS_LOW_TARGET_SDK)
    return f"pm install {' '.join(flags)} {q(remote_path)}"


def uninstall(package: str) -> str:
    return f"pm uninstall {q(package)}"


def remove(path: str) -> str:
    return f"rm -f {q(path)}"


def ui_dump(path: str = UI_DUMP) -> str:
    return f"uiautomator dump {q(path)}"


def su(command: str) -> str:
    """Run as root through `su -c` (Magisk and the emulator's su both take this form)."""
    return f"su -c {q(command)}"


def getprop(name: str) -> str:
    return f"getprop {q(name)}"


# --- parsers ---------------------------------------------------------------------------
_GRANTED = re.compile(r"^\s*([\w.]+): granted=(true|false)", re.MULTILINE)
_GRANTED_FLAGS = re.compile(r"^\s*([\w.]+): granted=(true|false)(?:, flags=\[(.*)\])?")
_PIDS = re.compile(r"\d+")
_RESUMED = re.compile(r"(?:mResumedActivity|topResumedActivity|mFocusedApp)[:=].*?\s([\w.]+)/")
_FOCUS = re.compile(r"mCurrentFocus=Window\{\S+ \S+ ([\w.]+)/")


def granted_from_dumpsys(text: str) -> set[str]:
    """Permissions with `granted=true` in `dumpsys package` (install and runtime sections)."""
    return {name for name, granted in _GRANTED.findall(text) if granted == "true"}


def user_denied_from_dumpsys(text: str) -> set[str]:
    """Runtime permissions with `granted=false` and the USER_SET flag: the user said no.

    A permission never asked for is also `granted=false`, but without USER_SET; telling
    the two apart is what lets a scenario find out which dialog it just answered.
    """
    out = set()
    for line in text.splitlines():
        match = _GRANTED_FLAGS.match(line)
        if match and match.group(2) == "false" and "USER_SET" in (match.group(3) or ""):
            out.add(match.group(1))
    return out


def pid_from_pidof(text: str) -> int | None:
    found = _PIDS.findall(text)
    return int(found[0]) if found else None


def foreground_from_dumpsys(text: str) -> str | None:
    """The package of the resumed activity (`dumpsys activity activities`) or focused window."""
    for pattern in (_RESUMED, _FOCUS):
        match = pattern.search(text)
        if match:
            return match.group(1)
    return None


def install_ok(output: str) -> bool:
    return "Success" in output


def packages_from_list(text: str) -> list[str]:
    """`pm list packages` -> package names, sorted (the order is the phone's, not meaningful)."""
    return sorted({line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("package:")})


def parcel_string(text: str) -> str | None:
    """The UTF-16 string inside a `service call` Parcel dump (how IMEI is read over adb).

    The dump shows 32-bit little-endian words in hex with the text decoded on the right;
    the characters of interest are the printable ASCII ones, after the status and length
    words. Returns None when the call failed (an exception code instead of a string).
    """
    words = re.findall(r"\b([0-9a-f]{8})\b", text)
    if len(words) < 3 or words[0] != "00000000":
        return None
    raw = b"".join(int(w, 16).to_bytes(4, "little") for w in words[2:])
    chars = raw.decode("utf-16-le", errors="ignore")
    value = "".join(c for c in chars if c.isprintable() and c != "\x00").strip()
    return value or None
