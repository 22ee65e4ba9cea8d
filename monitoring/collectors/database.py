"""The database collector: every 5 min, the database's and the cluster's cumulative counters as the
server shows them (rates and resets are the selectors' job); a restart or a statistics reset seen
here is recorded as an event."""

from __future__ import annotations

from typing import Any

import psycopg

from monitoring.collectors.base import CollectContext, Collector, register
from monitoring.history import snapshots as history
from monitoring.pgstats.database import DatabaseSnapshot, read_database


@register
class DatabaseCollector(Collector[DatabaseSnapshot]):
    name = "database"
    default_interval = 300
    queue = "collect"

    def read(self, conn: psycopg.Connection[Any], ctx: CollectContext) -> DatabaseSnapshot:
        return read_database(conn, ctx.major)

    def store(self, snapshot: DatabaseSnapshot, ctx: CollectContext) -> int:
        return history.store_database(ctx.target.pk, snapshot, ctx.captured_at)
