"""The settings collector: hourly, ``pg_settings``; the store keeps current values and records every
change (what, when it was noticed, old → new) for the settings page and the charts' annotations."""

from __future__ import annotations

from typing import Any

import psycopg

from monitoring.collectors.base import CollectContext, Collector, register
from monitoring.history import configuration as history
from monitoring.pgstats.pgsettings import Setting, read_settings


@register
class SettingsCollector(Collector[tuple[Setting, ...]]):
    name = "settings"
    default_interval = 3600
    queue = "collect"

    def read(self, conn: psycopg.Connection[Any], ctx: CollectContext) -> tuple[Setting, ...]:
        return read_settings(conn, ctx.major)

    def store(self, snapshot: tuple[Setting, ...], ctx: CollectContext) -> int:
        return history.store_settings(ctx.target.pk, snapshot, ctx.captured_at)
