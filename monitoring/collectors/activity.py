"""The activity collector: every 10 s, ``pg_stat_activity`` summarised into one history row — counts by
state, database, user, application, client and wait event; the longest query and transaction;
idle-in-transaction age — against ``max_connections``."""

from __future__ import annotations

from typing import Any

import psycopg

from monitoring.collectors.base import CollectContext, Collector, register
from monitoring.history import activity as history
from monitoring.pgstats.activity import ActivitySnapshot, read_activity


@register
class ActivityCollector(Collector[ActivitySnapshot]):
    name = "activity"
    default_interval = 10
    queue = "collect_fast"
    transient = frozenset()   # the next run is 10 s away: never retry

    def read(self, conn: psycopg.Connection[Any], ctx: CollectContext) -> ActivitySnapshot:
        return read_activity(conn, ctx.major)

    def store(self, snapshot: ActivitySnapshot, ctx: CollectContext) -> int:
        return history.store(ctx.target.pk, snapshot, ctx.captured_at)
