"""INPUTS and category tables -> apps and categories (no engine, no scan)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from apptest.batch_inputs import InputError, category_for, collect, read_rows, unmatched_packages


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"PK")
    return path


def test_folders_are_searched_recursively_and_a_fifo_is_kept_not_dropped(tmp_path: Path) -> None:
    _touch(tmp_path / "a.apk")
    _touch(tmp_path / "deep" / "er" / "b.XAPK")
    _touch(tmp_path / "c.apks")
    _touch(tmp_path / "notes.txt")
    _touch(tmp_path / "d.apk.bak")
    (tmp_path / "dir.apk").mkdir()
    os.mkfifo(tmp_path / "x.apk")
    found = [a.path.relative_to(tmp_path).as_posix() for a in collect([tmp_path]).apps]
    assert found == ["a.apk", "c.apks", "deep/er/b.XAPK", "x.apk"]


def test_a_missing_command_line_path_stops_the_batch(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        collect([tmp_path / "typo.apk"])


def test_csv_rows_add_apps_with_categories_and_map_packages(tmp_path: Path) -> None:
    _touch(tmp_path / "dl" / "one.apk")
    _touch(tmp_path / "dl" / "sub" / "two.apk")
    _touch(tmp_path / "three.apk")
    table = tmp_path / "list.csv"
    table.write_text(
        "\ufeffPath,Category,Package,note\n"  # Excel's BOM, capitalised headers; other columns are ignored
        "dl,map_navigation,,all downloads\n"
        "three.apk,,,\n"
        "gone.apk,网络约车类,,\n"
        ",网络支付类,com.pay.app,\n"
        ",,,\n",
        encoding="utf-8",
    )
    inputs = collect([table])
    assert [(a.path.name, a.category.category if a.category else None) for a in inputs.apps] == [
        ("one.apk", "map_navigation"),
        ("two.apk", "map_navigation"),
        ("three.apk", None),
    ]
    assert inputs.apps[0].category.where == "list.csv:2"
    assert [a.given for a in inputs.missing] == ["gone.apk"]
    assert {k: v.category for k, v in inputs.by_package.items()} == {"com.pay.app": "网络支付类"}
    assert sorted({t.category for t in inputs.categories()}) == ["map_navigation", "网络支付类", "网络约车类"]


def test_gb18030_csv_from_chinese_windows_is_read(tmp_path: Path) -> None:
    table = tmp_path / "cats.csv"
    table.write_bytes("package,category\ncom.example.rental,网络约车类\n".encode("gb18030"))
    assert read_rows(table) == [(2, {"package": "com.example.rental", "category": "网络约车类"})]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,category\nx,y\n", "line 1: the header needs"),
        ("path,package,category\n,,map_navigation\n", "line 2: give a path or a package"),
        ("package,category\ncom.a,map_navigation\ncom.a,ride_hailing\n", "package com.a: category"),
    ],
)
def test_unusable_csvs_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    table = tmp_path / "bad.csv"
    table.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        collect([table])


def test_categories_map_gives_categories_by_path_folder_and_package_but_adds_no_apps(tmp_path: Path) -> None:
    a = _touch(tmp_path / "apps" / "a.apk")
    b = _touch(tmp_path / "apps" / "news" / "b.apk")
    _touch(tmp_path / "apps" / "c.apk")
    mapping = tmp_path / "map.csv"
    mapping.write_text(
        "path,package,category\napps/a.apk,,map_navigation\napps/news,,新闻资讯类\nunlisted.apk,,ride_hailing\n"
        ",com.c,online_payment\n",
        encoding="utf-8",
    )
    inputs = collect([tmp_path / "apps"], mapping)
    cats = {a.path.name: a.category.category if a.category else None for a in inputs.apps}
    assert cats == {"a.apk": "map_navigation", "b.apk": "新闻资讯类", "c.apk": None}
    assert not inputs.missing
    assert {a.path for a in inputs.apps} == {a, b, tmp_path / "apps" / "c.apk"}


def test_an_apps_own_category_wins_over_the_map(tmp_path: Path) -> None:
    _touch(tmp_path / "a.apk")
    (tmp_path / "in.csv").write_text("path,category\na.apk,ride_hailing\n", encoding="utf-8")
    (tmp_path / "map.csv").write_text("path,category\na.apk,map_navigation\n", encoding="utf-8")
    [app] = collect([tmp_path / "in.csv"], tmp_path / "map.csv").apps
    assert app.category is not None and app.category.category == "ride_hailing"


def test_the_same_file_twice_with_two_categories_is_an_error(tmp_path: Path) -> None:
    _touch(tmp_path / "a.apk")
    (tmp_path / "one.csv").write_text("path,category\na.apk,ride_hailing\n", encoding="utf-8")
    (tmp_path / "two.csv").write_text("path,category\na.apk,map_navigation\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"one.csv:2.*two.csv:2"):
        collect([tmp_path / "one.csv", tmp_path / "two.csv"])
    assert len(collect([tmp_path / "a.apk", tmp_path / "one.csv"]).apps) == 1


@pytest.mark.parametrize(
    ("own", "package", "expected"),
    [
        ("ride_hailing", "com.p", "ride_hailing"),  # by path first
        (None, "com.p", "map_navigation"),  # then by package
        (None, "com.other", None),  # none: judged on the category-independent rules
        (None, None, None),  # the manifest gave no package
    ],
)
def test_category_for(own: str | None, package: str | None, expected: str | None) -> None:
    assert category_for(own, package, {"com.p": "map_navigation"}) == expected


def test_unmatched_packages_are_the_named_ones_never_found() -> None:
    assert unmatched_packages(["com.a", "com.b", "com.c"], ["com.b", None, "com.x"]) == ["com.a", "com.c"]
