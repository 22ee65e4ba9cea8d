"""Database: size, commits/rollbacks, blocks hit/read, tuples, temp files/bytes, deadlocks, conflicts,
sessions (14+), ``datfrozenxid``/``datminmxid`` age; cluster-wide checkpointer/bgwriter
(``pg_stat_checkpointer`` from 17), WAL (``pg_stat_wal``, 14+) and ``pg_stat_io`` (16+) per backend type.

Values are the cumulative counters as the server shows them (one ``column → value`` map matching
``monitoring_database_raw``); rates and reset handling belong to the history selectors.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.rows import dict_row

from pgsql.sqlfiles import NoSqlForVersion, SqlDir

SQL = SqlDir(__file__)


@dataclass(frozen=True)
class DatabaseSnapshot:
    values: dict[str, Any]     # column name → value, matching monitoring_database_raw

    @property
    def started_at(self) -> dt.datetime | None:
        return self.values.get("started_at")


def read_database(conn: psycopg.Connection[Any], major: int) -> DatabaseSnapshot:
    cur = conn.cursor(row_factory=dict_row)
    values: dict[str, Any] = dict(cur.execute(SQL.load("database/main", major)).fetchone() or {})
    values.update(cur.execute(SQL.load("database/cluster", major)).fetchone() or {})
    try:
        io = cur.execute(SQL.load("database/io", major)).fetchone()
    except NoSqlForVersion:
        io = None
    values["io"] = io["io"] if io else None
    return DatabaseSnapshot(values=values)
