"""The bloat collector: hourly, estimated bloat of every relation and exact figures (pgstattuple) for
the ``BLOAT_EXACT_TOP`` largest, each exact measurement limited to ``BLOAT_EXACT_TIMEOUT_MS``."""

from __future__ import annotations

from typing import Any

import psycopg
from django.conf import settings

from monitoring.collectors.base import CollectContext, Collector, register
from monitoring.history import bloat as history
from monitoring.pgstats.bloat import BloatSnapshot, read_bloat
from pgsql.ident import quote_ident_to_print


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
            role = quote_ident_to_print(ctx.target.username)
            found.append((f"no visible statistics for {len(blind)} relation(s), their bloat is not estimated",
                          f"ANALYZE them, and GRANT pg_read_all_data TO {role}; (PostgreSQL 14+; before: GRANT "
                          f"SELECT ON ALL TABLES IN SCHEMA … TO {role};) — pg_stats hides columns it may not read"))
        if not snapshot.pgstattuple:
            found.append(("pgstattuple is not installed: no exact bloat figures",
                          "CREATE EXTENSION pgstattuple; (pg_monitor may use it)"))
        if snapshot.skipped:
            shown = ", ".join(snapshot.skipped[:5]) + (" …" if len(snapshot.skipped) > 5 else "")
            found.append((f"exact bloat skipped for {len(snapshot.skipped)} relation(s) (locked or timed out): "
                          f"{shown}", "nothing to do: they are measured again at the next collection"))
        return found
