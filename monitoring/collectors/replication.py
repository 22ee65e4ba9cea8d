"""The replication collector: every minute, replicas and their lag, slots, the archiver and, on a
standby, the WAL receiver — one row per collection."""

from __future__ import annotations

from typing import Any

import psycopg

from monitoring.collectors.base import CollectContext, Collector, register
from monitoring.history import snapshots as history
from monitoring.pgstats.replication import ReplicationSnapshot, read_replication


@register
class ReplicationCollector(Collector[ReplicationSnapshot]):
    name = "replication"
    default_interval = 60
    queue = "collect"

    def read(self, conn: psycopg.Connection[Any], ctx: CollectContext) -> ReplicationSnapshot:
        return read_replication(conn, ctx.major)

    def store(self, snapshot: ReplicationSnapshot, ctx: CollectContext) -> int:
        return history.store_replication(ctx.target.pk, snapshot.values, ctx.captured_at)
