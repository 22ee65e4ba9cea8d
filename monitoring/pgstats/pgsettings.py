"""Settings: a ``pg_settings`` snapshot; the store keeps current values and records every change
(what, when it was noticed, old → new) — the settings page's history and the charts' annotations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.rows import class_row

from monitoring.collectors.base import CollectContext, Collector, register
from monitoring.collectors.sqlfiles import load_sql


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
    return tuple(cur.execute(load_sql("settings", major)).fetchall())


@register
class SettingsCollector(Collector[tuple[Setting, ...]]):
    name = "settings"
    default_interval = 3600
    queue = "collect"

    def read(self, conn: psycopg.Connection[Any], ctx: CollectContext) -> tuple[Setting, ...]:
        return read_settings(conn, ctx.major)

    def store(self, snapshot: tuple[Setting, ...], ctx: CollectContext) -> int:
        from monitoring.history import configuration

        return configuration.store_settings(ctx.target.pk, snapshot, ctx.captured_at)
