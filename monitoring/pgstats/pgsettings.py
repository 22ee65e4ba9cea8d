"""Settings: a ``pg_settings`` snapshot, one frozen row per setting (the history store turns
successive snapshots into changes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.rows import class_row

from pgsql.sqlfiles import SqlDir

SQL = SqlDir(__file__)


@dataclass(frozen=True)
class Setting:
    name: str
    setting: str
    unit: str
    source: str
    category: str
    vartype: str
    boot_val: str
    reset_val: str
    pending_restart: bool


def read_settings(conn: psycopg.Connection[Any], major: int) -> tuple[Setting, ...]:
    cur = conn.cursor(row_factory=class_row(Setting))
    return tuple(cur.execute(SQL.load("settings", major)).fetchall())
