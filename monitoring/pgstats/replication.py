"""Replication: ``pg_stat_replication`` lag in bytes and time per replica, replication slots (active,
WAL retained), ``pg_stat_archiver`` (failures, last archived WAL and its age); on a standby, the WAL
receiver and how far replay is behind."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.rows import dict_row

from pgsql.sqlfiles import SqlDir

SQL = SqlDir(__file__)


@dataclass(frozen=True)
class ReplicationSnapshot:
    values: dict[str, Any]   # in_recovery, replicas, slots, receiver, replay_delay_seconds, archiver fields


def read_replication(conn: psycopg.Connection[Any], major: int) -> ReplicationSnapshot:
    row = conn.cursor(row_factory=dict_row).execute(SQL.load("replication", major)).fetchone()
    return ReplicationSnapshot(values=dict(row or {}))
