"""The bloat collector: hourly, estimated bloat of every relation and exact figures (pgstattuple) for
the ``BLOAT_EXACT_TOP`` largest, each exact measurement limited to ``BLOAT_EXACT_TIMEOUT_MS``."""

from __future__ import annotations

from typing import Any

import psycopg
from django.conf import settings

from monitoring.collectors.base import CollectContext, Collector, register
from monitoring.history import bloat as history
from monitoring.pgstats.bloat import BloatSnapshot, read_bloat


@register
class BloatCollector(Collector[BloatSnapshot]):
    name = "bloat"
    default_interval = 3600
    queue = "collect_slow"
    statement_timeout_ms = 30000   # the estimate joins pg_stats for every column of every table
    after = ("relations",)         # its store keeps only relations the relations collector registered

    def read(self, conn: psycopg.Connection[Any], ctx: CollectContext) -> BloatSnapshot:
        return read_bloat(conn, ctx.major, settings.BLOAT_EXACT_TOP, settings.BLOAT_EXACT_TIMEOUT_MS)

    def store(self, snapshot: BloatSnapshot, ctx: CollectContext) -> int:
        return history.store(ctx.target.pk, snapshot, ctx.captured_at)

    def warnings(self, snapshot: BloatSnapshot, ctx: CollectContext) -> list[tuple[str, str]]:
        found = []
        blind = [e for e in snapshot.estimates if not e.has_stats and e.size_bytes > 0]
        if blind:
            found.append((f"no visible statistics for {len(blind)} relation(s), their bloat is not estimated",
                          "ANALYZE them, and GRANT SELECT on them (or pg_read_all_data, PG 14+) to the "
                          "monitoring role: pg_stats hides columns it may not read"))
        if not snapshot.pgstattuple:
            found.append(("pgstattuple is not installed: no exact bloat figures",
                          "CREATE EXTENSION pgstattuple; (pg_monitor may use it)"))
        if snapshot.skipped:
            found.append((f"exact bloat skipped for {len(snapshot.skipped)} relation(s) (locked or timed out)",
                          "they are measured again next hour"))
        return found
