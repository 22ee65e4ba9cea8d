"""Versioned SQL: ``sql/<collector>/<min_major>.sql`` (or ``sql/<collector>/<query>/<min_major>.sql``).

As pgwatch does, each query is keyed by the lowest PostgreSQL major it supports; we pick the highest
key that is ≤ the server's major. Renamed columns (``blk_read_time`` → ``shared_blk_read_time``,
``pg_stat_bgwriter`` → ``pg_stat_checkpointer``) live in separate files, never in string templates.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

SQL_ROOT = Path(__file__).resolve().parent / "sql"
MIN_MAJOR = 13


class NoSqlForVersion(LookupError):
    pass


@cache
def versions(collector: str, query: str | None = None) -> tuple[tuple[int, Path], ...]:
    folder = SQL_ROOT / collector / query if query else SQL_ROOT / collector
    found = sorted((int(p.stem), p) for p in folder.glob("*.sql") if p.stem.isdigit())
    if not found:
        raise NoSqlForVersion(f"no SQL files in {folder}")
    return tuple(found)


@cache
def load_sql(collector: str, major: int, query: str | None = None) -> str:
    """The text of the query for ``major``; raises ``NoSqlForVersion`` below the oldest supported."""
    chosen = None
    for min_major, path in versions(collector, query):
        if min_major <= major:
            chosen = path
    if chosen is None:
        what = f"{collector}/{query}" if query else collector
        raise NoSqlForVersion(f"{what} needs PostgreSQL {versions(collector, query)[0][0]} or newer (server: {major})")
    return chosen.read_text()
