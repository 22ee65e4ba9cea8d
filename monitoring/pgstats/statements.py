"""Statements: every entry of ``pg_stat_statements`` for the target's database, as per-interval deltas.

Each run reads the counters with ``showtext := false`` (the query-text file is not touched), and asks
for texts only for statement keys the history store does not know yet. It never calls
``pg_stat_statements_reset()``: resets by others, evictions and restarts are detected and recorded as
events (see ``monitoring.history.statement_delta``).

Column sets differ by extension version, not server version (an extension that was never updated
after ``pg_upgrade`` keeps its old columns), so the SQL is picked by the installed version, mapped to
the server major that first shipped it: 1.8 → 13, 1.9 → 14 (toplevel, pg_stat_statements_info),
1.10 → 15 (temp block I/O times), 1.11 → 17 (``blk_*_time`` renamed ``shared_blk_*_time``, local block
times, ``stats_since``), 1.12 → 18 (same columns for us).

Only the target's own database is read (as PgHero does): targets discovered per database on one
server must not each collect the whole server's statements.
"""

from __future__ import annotations

from typing import Any

import psycopg

from monitoring.collectors.base import CollectContext, Collector, register
from monitoring.collectors.sqlfiles import load_sql
from monitoring.history import statements as history
from monitoring.targets.connect import TargetError

EXTENSION_MAJOR = {(1, 8): 13, (1, 9): 14, (1, 10): 15, (1, 11): 17, (1, 12): 18}


def extension_major(extversion: str) -> int:
    """The server major whose SQL file matches an installed pg_stat_statements version."""
    try:
        version = tuple(int(p) for p in extversion.split(".")[:2])
    except ValueError:
        return 13
    if version in EXTENSION_MAJOR:
        return EXTENSION_MAJOR[version]  # type: ignore[index]
    return 18 if version > (1, 12) else 13


def read_statements(conn: psycopg.Connection[Any], known: history.Known | frozenset[Any]) -> history.Read:
    """Counters of every statement of this database, plus texts of the keys not in ``known``."""
    ext = conn.execute(load_sql("statements", 13, "extension")).fetchone()
    if ext is None:
        raise TargetError(
            "missing_extension", f"pg_stat_statements is not installed in database {conn.info.dbname!r}",
            "CREATE EXTENSION pg_stat_statements; (it must also be in shared_preload_libraries)",
        )
    major = extension_major(ext[0])
    meta = conn.execute(load_sql("statements", major, "info")).fetchone()
    assert meta is not None
    info = history.Info(started_at=meta[0], stats_reset=meta[1], dealloc=meta[2])
    # Text format: psycopg parses integers from text faster than from binary here (measured).
    rows = conn.execute(load_sql("statements", major)).fetchall()
    visible = [r for r in rows if r[2] is not None]
    keys = tuple(r[:4] for r in visible)
    known_keys = known.keys if isinstance(known, history.Known) else known
    unknown = {k[2] for k in set(keys).difference(known_keys)}
    texts: dict[Any, history.Text] = {}
    if unknown:
        for row in conn.execute(load_sql("statements", major, "texts"),
                                {"queryids": list(unknown)}).fetchall():
            texts[(row[0], row[1], row[2], row[3])] = history.Text(query=row[4], usename=row[5], datname=row[6])
    return history.Read(info=info, rows=tuple(visible), keys=keys, texts=texts, hidden=len(rows) - len(visible))


@register
class StatementsCollector(Collector[history.Read]):
    name = "statements"
    default_interval = 60
    queue = "collect"

    def prepare(self, ctx: CollectContext) -> history.Known:
        return history.known_keys(ctx.target.pk)

    def read(self, conn: psycopg.Connection[Any], ctx: CollectContext) -> history.Read:
        return read_statements(conn, ctx.prepared or frozenset())

    def store(self, snapshot: history.Read, ctx: CollectContext) -> int:
        return history.store(ctx.target.pk, snapshot, ctx.captured_at, ctx.prepared).rows

    def warnings(self, snapshot: history.Read) -> list[tuple[str, str]]:
        if snapshot.hidden:
            return [(f"{snapshot.hidden} statement(s) of other users are hidden from the monitoring role",
                     "GRANT pg_read_all_stats TO the monitoring role (pg_monitor includes it)")]
        return []
