"""Database: size, commits/rollbacks, blocks hit/read, tuples, temp files/bytes, deadlocks, conflicts,
sessions (14+), ``datfrozenxid``/``datminmxid`` age; cluster-wide checkpointer/bgwriter
(``pg_stat_checkpointer`` from 17), WAL (``pg_stat_wal``, 14+) and ``pg_stat_io`` (16+) per backend type.

Values are stored as cumulative counters, as the server shows them; rates and reset handling are the
selectors' job (``selectors/database.py``). A server restart seen here is recorded as an event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.rows import dict_row

from monitoring.collectors.base import CollectContext, Collector, register
from monitoring.collectors.sqlfiles import NoSqlForVersion, load_sql


@dataclass(frozen=True)
class DatabaseSnapshot:
    values: dict[str, Any]     # column name → value, matching monitoring_database_raw

    @property
    def started_at(self) -> dt.datetime | None:
        return self.values.get("started_at")


def read_database(conn: psycopg.Connection[Any], major: int) -> DatabaseSnapshot:
    cur = conn.cursor(row_factory=dict_row)
    values: dict[str, Any] = dict(cur.execute(load_sql("database", major, "main")).fetchone() or {})
    values.update(cur.execute(load_sql("database", major, "cluster")).fetchone() or {})
    try:
        io = cur.execute(load_sql("database", major, "io")).fetchone()
    except NoSqlForVersion:
        io = None
    values["io"] = io["io"] if io else None
    return DatabaseSnapshot(values=values)


@register
class DatabaseCollector(Collector[DatabaseSnapshot]):
    name = "database"
    default_interval = 300
    queue = "collect"

    def read(self, conn: psycopg.Connection[Any], ctx: CollectContext) -> DatabaseSnapshot:
        return read_database(conn, ctx.major)

    def store(self, snapshot: DatabaseSnapshot, ctx: CollectContext) -> int:
        from monitoring.history import snapshots

        return snapshots.store_database(ctx.target.pk, snapshot, ctx.captured_at)
