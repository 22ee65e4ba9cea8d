"""The one loader of SQL files: plain files, and per-version files chosen as pgwatch does."""

from __future__ import annotations

from pathlib import Path

import pytest

from pgsql.sqlfiles import NoSqlForVersion, SqlDir


def sql_dir(tmp_path: Path, files: dict[str, str]) -> SqlDir:
    for name, text in files.items():
        path = tmp_path / "sql" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return SqlDir(tmp_path)


def test_it_reads_the_sql_folder_beside_a_module(tmp_path: Path) -> None:
    sql_dir(tmp_path, {"relations.sql": "SELECT 1 /* dbconsole */"})
    module = tmp_path / "catalog.py"
    module.write_text("", encoding="utf-8")
    assert SqlDir(module).load("relations") == "SELECT 1 /* dbconsole */"
    assert SqlDir(str(module)).load("relations", 15) == "SELECT 1 /* dbconsole */"


def test_it_picks_the_highest_version_not_above_the_server(tmp_path: Path) -> None:
    sql = sql_dir(tmp_path, {"io/13.sql": "old", "io/17.sql": "renamed columns"})
    assert sql.load("io", 13) == "old"
    assert sql.load("io", 16) == "old"
    assert sql.load("io", 17) == "renamed columns"
    assert sql.load("io", 18) == "renamed columns"
    assert [major for major, _ in sql.versions("io")] == [13, 17]


def test_it_says_when_the_server_is_older_than_every_version(tmp_path: Path) -> None:
    sql = sql_dir(tmp_path, {"io/14.sql": "x"})
    with pytest.raises(NoSqlForVersion, match="needs PostgreSQL 14 or newer"):
        sql.load("io", 13)


def test_it_wants_the_major_for_a_versioned_query_and_refuses_a_missing_one(tmp_path: Path) -> None:
    sql = sql_dir(tmp_path, {"io/14.sql": "x"})
    with pytest.raises(LookupError, match="versioned"):
        sql.load("io")
    with pytest.raises(NoSqlForVersion, match="no SQL files"):
        sql.load("missing", 18)
