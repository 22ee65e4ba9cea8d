"""The overview's "now" panel: one cheap query against the target."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from psycopg.rows import class_row

from monitoring.models import Target
from monitoring.targets.connect import Guard, connect

SQL_DIR = Path(__file__).resolve().parent / "sql"


@cache
def load_sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text()


@dataclass(frozen=True)
class Now:
    server_version: str
    started_at: dt.datetime
    max_connections: int
    connections: int
    active: int
    idle_in_transaction: int
    waiting_on_locks: int
    longest_query: dt.timedelta | None
    longest_transaction: dt.timedelta | None
    database_size: int
    cache_hit_ratio: float | None

    @property
    def saturation(self) -> float:
        return self.connections / self.max_connections if self.max_connections else 0.0


def read_now(target: Target) -> Now:
    """Raises ``TargetError`` when the target cannot answer within the guard's limits."""
    with connect(target, Guard.default(statement_timeout_ms=2000)) as conn:
        cur = conn.cursor(row_factory=class_row(Now))
        row = cur.execute(load_sql("now")).fetchone()  # type: ignore[arg-type]
    assert row is not None
    return row
