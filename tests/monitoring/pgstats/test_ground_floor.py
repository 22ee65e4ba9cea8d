"""pgstats is the ground floor of monitoring: it reads PostgreSQL with psycopg and ``pgsql`` only, and
everything above it (history, live pages) reads through it, never through a collector."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from pgsql.sqlfiles import NoSqlForVersion, SqlDir

ROOT = Path(__file__).resolve().parents[3]
SQL_ROOT = ROOT / "monitoring" / "pgstats" / "sql"
SQL = SqlDir(SQL_ROOT.parent)
SUPPORTED = range(13, 19)
# Views that only exist from a later major: the reader goes without them on older servers.
NEWER_ONLY = {"database/io"}


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_it_loads_no_django_and_nothing_of_monitoring_above_it() -> None:
    script = (
        "import importlib, pkgutil, sys\n"
        "import monitoring.pgstats as package\n"
        "for m in pkgutil.iter_modules(package.__path__): importlib.import_module(f'{package.__name__}.{m.name}')\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.split()
    ours = {m for m in loaded if m.split(".")[0] in {"django", "monitoring", "dbconsole", "advisor", "pgsql"}}

    assert "monitoring.pgstats.statements" in ours and "psycopg" in loaded
    assert {m for m in ours if not m.startswith(("monitoring.pgstats", "pgsql"))} == {"monitoring"}


@pytest.mark.parametrize("folder", ["history", "live", "pgstats"])
def test_it_never_imports_a_collector_from_below_the_collectors(folder: str) -> None:
    files = sorted((ROOT / "monitoring" / folder).rglob("*.py"))
    offending = {str(p.relative_to(ROOT)): sorted(m for m in imports_of(p) if m.startswith("monitoring.collectors"))
                 for p in files}
    assert files
    assert {path: mods for path, mods in offending.items() if mods} == {}


def sql_queries() -> list[str]:
    """Every versioned query: a folder of ``<min_major>.sql`` files below ``pgstats/sql``."""
    folders = {p.parent for p in SQL_ROOT.rglob("*.sql")}
    return sorted(str(f.relative_to(SQL_ROOT)) for f in folders)


@pytest.mark.parametrize("query", sql_queries())
def test_it_has_tagged_sql_for_every_supported_major(query: str) -> None:
    oldest = SQL.versions(query)[0][0]
    if query not in NEWER_ONLY:
        assert oldest <= SUPPORTED[0]
    for major in SUPPORTED:
        if major < oldest:
            with pytest.raises(NoSqlForVersion):
                SQL.load(query, major)
        else:
            assert SQL.load(query, major).startswith("/* dbconsole */")
    with pytest.raises(NoSqlForVersion, match="needs PostgreSQL"):
        SQL.load(query, oldest - 1)
