"""`apptest batch` INPUTS and category tables -> the list of apps and their categories.

Labs receive apps three ways: a folder of downloads, a list of files, or a spreadsheet
("these are the apps the prosecutor named, with their category"). A CSV here has a header
row and the columns `path`, `package` and `category` (others are ignored, so a lab's own
sheet with a name or a case number column works as it is):

* a row with a `path` (relative to the CSV's folder; a folder means every APK in it) names
  apps to test, when the CSV is one of the INPUTS, and gives them the row's category;
* a row with only a `package` gives that package its category; the package is learned
  when the app is scanned, so a store download with an unhelpful file name still finds
  its category, and a package named but never found is reported.

`--categories MAP.csv` uses the same columns but adds no apps. Excel saves CSV with a BOM
and Chinese Windows with GB18030; both are read. Nothing here knows the categories
themselves: the wiring resolves each category name once, before any app is scanned.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from apptest.errors import UnreadableInput

APK_SUFFIXES = (".apk", ".apks", ".xapk")
COLUMNS = ("path", "package", "category")


class InputError(UnreadableInput):
    """An INPUT that does not exist, or a CSV that cannot be used; names the file and line."""


@dataclass(frozen=True)
class Tagged:
    """A category name and where it was given (`apps.csv:4`), for error messages."""

    category: str
    where: str


@dataclass(frozen=True)
class AppInput:
    """One app to test: its file, how the user named it, and its category when known by path."""

    path: Path
    given: str
    category: Tagged | None = None


@dataclass
class Inputs:
    apps: list[AppInput] = field(default_factory=list)
    by_package: dict[str, Tagged] = field(default_factory=dict)
    missing: list[AppInput] = field(default_factory=list)  # CSV rows whose file is not there

    def categories(self) -> list[Tagged]:
        """Every category name given anywhere (to resolve once, before the scan)."""
        found = [a.category for a in (*self.apps, *self.missing) if a.category]
        return [*found, *self.by_package.values()]


def _decode(raw: bytes, path: Path) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(f"{path}: not UTF-8 or GB18030 text")


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(line number, {path, package, category}) for each non-empty row of a CSV."""
    try:
        text = _decode(Path(path).read_bytes(), path)
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    if not any(h in ("path", "package") for h in header):
        raise InputError(f"{path}: line 1: the header needs a `path` or a `package` column (and `category`)")
    out = []
    for row in reader:
        values = {h: (row[n].strip() if n < len(row) else "") for n, h in enumerate(header) if h in COLUMNS}
        if not any(values.values()):
            continue
        if not values.get("path") and not values.get("package"):
            raise InputError(f"{path}: line {reader.line_num}: give a path or a package")
        out.append((reader.line_num, values))
    return out


def apk_files(folder: Path) -> list[Path]:
    """Every .apk/.apks/.xapk under a folder, in a stable order; a FIFO or a device with
    an APK name is kept (the batch reports it as failed rather than silently skip it)."""
    found = [p for p in folder.rglob("*") if p.suffix.lower() in APK_SUFFIXES and not p.is_dir()]
    return sorted(found)


def _add(inputs: Inputs, seen: dict[Path, int], app: AppInput) -> None:
    key = app.path
    if key not in seen:
        seen[key] = len(inputs.apps)
        inputs.apps.append(app)
        return
    earlier = inputs.apps[seen[key]]
    if app.category and earlier.category and app.category.category != earlier.category.category:
        raise InputError(
            f"{app.given}: category {earlier.category.category!r} ({earlier.category.where}) "
            f"and {app.category.category!r} ({app.category.where})"
        )
    if app.category and not earlier.category:
        inputs.apps[seen[key]] = AppInput(earlier.path, earlier.given, app.category)


def _package_row(inputs: Inputs, package: str, tag: Tagged) -> None:
    earlier = inputs.by_package.get(package)
    if earlier and earlier.category != tag.category:
        raise InputError(
            f"package {package}: category {earlier.category!r} ({earlier.where}) and {tag.category!r} ({tag.where})"
        )
    inputs.by_package.setdefault(package, tag)


def _csv_input(inputs: Inputs, seen: dict[Path, int], csv_path: Path, adds_apps: bool) -> dict[Path, Tagged]:
    """Read one CSV; returns its path rows (resolved) -> category, for a --categories map."""
    by_path: dict[Path, Tagged] = {}
    for line, row in read_rows(csv_path):
        where = f"{csv_path.name}:{line}"
        tag = Tagged(row["category"], where) if row.get("category") else None
        if row.get("package") and tag and not row.get("path"):
            _package_row(inputs, row["package"], tag)
            continue
        if not row.get("path"):
            continue
        target = (csv_path.parent / row["path"]).resolve()
        if row.get("package") and tag:
            _package_row(inputs, row["package"], tag)
        if not adds_apps:
            if tag:
                by_path[target] = tag
            continue
        if target.is_dir():
            for apk in apk_files(target):
                _add(inputs, seen, AppInput(apk, str(apk), tag))
        elif target.exists() or target.is_symlink():
            _add(inputs, seen, AppInput(target, row["path"], tag))
        else:
            inputs.missing.append(AppInput(target, row["path"], tag))
    return by_path


def collect(paths: Sequence[Path], categories_csv: Path | None = None) -> Inputs:
    """The apps named by INPUTS (files, folders, CSVs), with categories from the CSVs.

    A command-line path that does not exist is an error (a typo should stop the batch);
    a CSV row whose file is missing is kept in `missing` and reported as failed.
    """
    inputs = Inputs()
    seen: dict[Path, int] = {}
    for given in paths:
        path = Path(given)
        if not path.exists() and not path.is_symlink():
            raise InputError(f"{given}: no such file or folder")
        if path.suffix.lower() == ".csv" and not path.is_dir():
            _csv_input(inputs, seen, path.resolve(), adds_apps=True)
        elif path.is_dir():
            for apk in apk_files(path):
                _add(inputs, seen, AppInput(apk.resolve(), str(apk)))
        else:
            _add(inputs, seen, AppInput(path.resolve(), str(given)))
    if categories_csv is not None:
        if not Path(categories_csv).is_file():
            raise InputError(f"--categories {categories_csv}: no such file")
        by_path = _csv_input(inputs, seen, Path(categories_csv).resolve(), adds_apps=False)
        inputs.apps = [_with_map(app, by_path) for app in inputs.apps]
    return inputs


def _with_map(app: AppInput, by_path: Mapping[Path, Tagged]) -> AppInput:
    """An app's own category wins; else the map's row for its path or for a folder above it."""
    if app.category:
        return app
    for candidate in (app.path, *app.path.parents):
        if candidate in by_path:
            return AppInput(app.path, app.given, by_path[candidate])
    return app


def category_for(app_category: str | None, package: str | None, by_package: Mapping[str, str]) -> str | None:
    """The category an app is judged against: by path first, then by its package."""
    if app_category:
        return app_category
    if package and package in by_package:
        return by_package[package]
    return None


def unmatched_packages(by_package: Iterable[str], found: Iterable[str | None]) -> list[str]:
    """Packages a CSV named that no scanned app turned out to be (an app the lab lacks)."""
    have = {p for p in found if p}
    return sorted(p for p in by_package if p not in have)
