"""The overview's "now" panel: one cheap query against the target."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from psycopg.rows import class_row

from monitoring.live.session import live_connection
from monitoring.models import Target
from pgsql.sqlfiles import SqlDir

SQL = SqlDir(__file__)


@dataclass(frozen=True)
class Now:
    server_version: str
    started_at: dt.datetime
    max_connections: int
    connections: int
    active: int
    idle_in_transaction: int
    waiting_on_locks: int
    hidden_sessions: int                 # sessions whose state the monitoring role may not see
    longest_query: dt.timedelta | None
    longest_transaction: dt.timedelta | None
    database_size: int
    cache_hit_ratio: float | None
    cache_blocks: int | None             # blocks requested since the statistics were reset
    stats_reset: dt.datetime | None

    @property
    def saturation(self) -> float:
        return self.connections / self.max_connections if self.max_connections else 0.0


def read_now(target: Target) -> Now:
    """Raises ``TargetError`` when the target cannot answer within the guard's limits."""
    with live_connection(target) as (conn, _major):
        cur = conn.cursor(row_factory=class_row(Now))
        row = cur.execute(SQL.load("now")).fetchone()
    assert row is not None
    return row
