"""Server events a live chart can mark: when the server started and when this database's statistics
were last reset (counters restart from zero there)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.rows import class_row

from monitoring.events import DATABASE_STATS_RESET, RESTART, Marker
from pgsql.sqlfiles import SqlDir

SQL = SqlDir(__file__)


@dataclass(frozen=True)
class ServerEvents:
    started_at: dt.datetime
    stats_reset: dt.datetime | None

    def markers(self) -> list[Marker]:
        out = [Marker.of(RESTART, self.started_at, "PostgreSQL started")]
        if self.stats_reset is not None:
            out.append(Marker.of(DATABASE_STATS_RESET, self.stats_reset, "pg_stat_database reset"))
        return out


def read_server_events(conn: psycopg.Connection[Any]) -> ServerEvents:
    row = conn.cursor(row_factory=class_row(ServerEvents)).execute(SQL.load("server_events")).fetchone()
    assert row is not None
    return row
