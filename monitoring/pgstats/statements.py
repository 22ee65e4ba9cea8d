"""Statements: every entry of ``pg_stat_statements`` for the target's database, counters and the texts
the caller does not know yet.

The counters are read with ``showtext := false`` (the query-text file is not touched); texts are asked
for only for the keys the caller names as unknown. Nothing here calls ``pg_stat_statements_reset()``:
resets by others, evictions and restarts are for the store to notice (``monitoring.history``).

Column sets differ by extension version, not server version (an extension that was never updated
after ``pg_upgrade`` keeps its old columns), so the SQL is picked by the installed version, mapped to
the server major that first shipped it: 1.8 → 13, 1.9 → 14 (toplevel, pg_stat_statements_info),
1.10 → 15 (temp block I/O times), 1.11 → 17 (``blk_*_time`` renamed ``shared_blk_*_time``, local block
times, ``stats_since``), 1.12 → 18 (same columns for us).

Only the target's own database is read (as PgHero does): targets discovered per database on one
server must not each collect the whole server's statements.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Set
from dataclasses import dataclass
from typing import Any

import psycopg

from pgsql.sqlfiles import SqlDir

SQL = SqlDir(__file__)
EXTENSION_MAJOR = {(1, 8): 13, (1, 9): 14, (1, 10): 15, (1, 11): 17, (1, 12): 18}

# The counters every SQL file returns, in this order, times in integer microseconds.
COUNTERS = (
    "calls", "plans", "plan_us", "exec_us", "rows",
    "shared_blks_hit", "shared_blks_read", "shared_blks_dirtied", "shared_blks_written",
    "local_blks_hit", "local_blks_read", "local_blks_dirtied", "local_blks_written",
    "temp_blks_read", "temp_blks_written",
    "shared_read_us", "shared_write_us", "local_read_us", "local_write_us", "temp_read_us", "temp_write_us",
    "wal_records", "wal_fpi", "wal_bytes",
)
Key = tuple[int, int, int, bool]   # (userid, dbid, queryid, toplevel): pg_stat_statements' own key
ROW_LAYOUT = ("userid", "dbid", "queryid", "toplevel", *COUNTERS, "stats_since_us")


class ExtensionMissing(LookupError):
    """pg_stat_statements is not installed in the database read; ``hint`` says how to install it."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class Info:
    started_at: dt.datetime | None
    stats_reset: dt.datetime | None
    dealloc: int | None


@dataclass(frozen=True)
class Text:
    query: str
    usename: str
    datname: str


@dataclass(frozen=True)
class Read:
    """What the reader saw. ``rows`` are tuples in ``ROW_LAYOUT`` order — 5,000 of them a minute,
    too many to wrap each in a dataclass on the hot path."""

    info: Info
    rows: tuple[tuple[Any, ...], ...]
    keys: tuple[Key, ...]           # rows[i][:4]: built once, used by the read and the store
    texts: dict[Key, Text]
    hidden: int = 0   # entries whose queryid we may not see (no pg_read_all_stats)


def extension_major(extversion: str) -> int:
    """The server major whose SQL file matches an installed pg_stat_statements version."""
    try:
        version = tuple(int(p) for p in extversion.split(".")[:2])
    except ValueError:
        return 13
    if version in EXTENSION_MAJOR:
        return EXTENSION_MAJOR[version]  # type: ignore[index]
    return 18 if version > (1, 12) else 13


def read_statements(conn: psycopg.Connection[Any], known: Set[Key]) -> Read:
    """Counters of every statement of this database, plus texts of the keys not in ``known``."""
    ext = conn.execute(SQL.load("statements/extension", 13)).fetchone()
    if ext is None:
        raise ExtensionMissing(
            f"pg_stat_statements is not installed in database {conn.info.dbname!r}",
            "CREATE EXTENSION pg_stat_statements; (it must also be in shared_preload_libraries)",
        )
    major = extension_major(ext[0])
    meta = conn.execute(SQL.load("statements/info", major)).fetchone()
    assert meta is not None
    info = Info(started_at=meta[0], stats_reset=meta[1], dealloc=meta[2])
    # Text format: psycopg parses integers from text faster than from binary here (measured).
    rows = conn.execute(SQL.load("statements", major)).fetchall()
    visible = [r for r in rows if r[2] is not None]
    keys = tuple(r[:4] for r in visible)
    unknown = {k[2] for k in set(keys).difference(known)}
    texts: dict[Any, Text] = {}
    if unknown:
        for row in conn.execute(SQL.load("statements/texts", major), {"queryids": list(unknown)}).fetchall():
            texts[(row[0], row[1], row[2], row[3])] = Text(query=row[4], usename=row[5], datname=row[6])
    return Read(info=info, rows=tuple(visible), keys=keys, texts=texts, hidden=len(rows) - len(visible))
