"""The locks collector: every 10 s, the trees of waiting backends (``pg_blocking_pids()``), each stored
as a replayable lock incident."""

from __future__ import annotations

from typing import Any

import psycopg

from monitoring.collectors.base import CollectContext, Collector, register
from monitoring.history import locks as history
from monitoring.pgstats.locks import LockSnapshot, read_locks


@register
class LocksCollector(Collector[LockSnapshot]):
    name = "locks"
    default_interval = 10
    queue = "collect_fast"
    transient = frozenset()   # the next run is 10 s away: never retry

    def read(self, conn: psycopg.Connection[Any], ctx: CollectContext) -> LockSnapshot:
        return read_locks(conn, ctx.major)

    def store(self, snapshot: LockSnapshot, ctx: CollectContext) -> int:
        return history.store(ctx.target.pk, snapshot, ctx.captured_at)
