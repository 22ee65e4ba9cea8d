"""Activity: every backend in ``pg_stat_activity`` — read live by the activity and connections pages,
summarised by the activity collector into counts (by state, database, user, application, client), the
longest query and transaction, idle-in-transaction sessions and wait events, against
``max_connections``."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.rows import class_row

from pgsql.sqlfiles import SqlDir

SQL = SqlDir(__file__)


@dataclass(frozen=True)
class Backend:
    pid: int
    leader_pid: int | None
    datname: str | None
    usename: str | None
    application_name: str | None
    client_addr: str | None
    backend_type: str | None
    state: str | None
    wait_event_type: str | None
    wait_event: str | None
    backend_start: dt.datetime | None
    xact_start: dt.datetime | None
    query_start: dt.datetime | None
    state_change: dt.datetime | None
    xid_age: int | None
    xmin_age: int | None
    query_id: int | None
    query: str | None

    @property
    def is_client(self) -> bool:
        return self.backend_type == "client backend"

    @property
    def idle_in_transaction(self) -> bool:
        return bool(self.state and self.state.startswith("idle in transaction"))


@dataclass(frozen=True)
class ActivitySnapshot:
    sampled_at: dt.datetime
    max_connections: int
    reserved_connections: int
    backends: tuple[Backend, ...]

    @property
    def clients(self) -> list[Backend]:
        return [b for b in self.backends if b.is_client]

    def count_by(self, attribute: str) -> Counter[str]:
        """Client backends counted by ``state``, ``datname``, ``usename``, ``application_name``…"""
        return Counter(str(getattr(b, attribute) or "") for b in self.clients)

    def query_age(self, backend: Backend) -> dt.timedelta | None:
        if backend.state != "active" or backend.query_start is None:
            return None
        return self.sampled_at - backend.query_start

    def xact_age(self, backend: Backend) -> dt.timedelta | None:
        return self.sampled_at - backend.xact_start if backend.xact_start else None

    def longest_query(self) -> Backend | None:
        running = [b for b in self.clients if self.query_age(b) is not None]
        return max(running, key=lambda b: self.query_age(b) or dt.timedelta(0), default=None)

    def longest_transaction(self) -> Backend | None:
        open_tx = [b for b in self.clients if b.xact_start is not None]
        return min(open_tx, key=lambda b: b.xact_start or self.sampled_at, default=None)

    @property
    def saturation(self) -> float:
        usable = self.max_connections - self.reserved_connections
        return len(self.clients) / usable if usable > 0 else 0.0


def read_activity(conn: psycopg.Connection[Any], major: int) -> ActivitySnapshot:
    """Two cheap catalog reads; no locks beyond what reading pg_stat_activity takes."""
    limits = conn.execute(SQL.load("activity/limits", major)).fetchone()
    assert limits is not None
    cur = conn.cursor(row_factory=class_row(Backend))
    backends = tuple(cur.execute(SQL.load("activity", major)).fetchall())
    return ActivitySnapshot(
        sampled_at=limits[0], max_connections=limits[1], reserved_connections=limits[2], backends=backends
    )

