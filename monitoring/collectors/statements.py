"""The statements collector: every minute, every ``pg_stat_statements`` entry of the target's database,
stored as per-interval deltas (``monitoring.history.statements``).

``prepare`` asks the store which statement keys it already holds a text for, so the read fetches
texts only for new ones. It never calls ``pg_stat_statements_reset()``: resets by others, evictions and
restarts are detected by the store and recorded as events.
"""

from __future__ import annotations

from typing import Any

import psycopg

from monitoring.collectors.base import CollectContext, Collector, register
from monitoring.history import statements as history
from monitoring.pgstats.statements import ExtensionMissing, Read, read_statements
from monitoring.targets.connect import TargetError
from pgsql.ident import quote_ident_to_print


@register
class StatementsCollector(Collector[Read]):
    name = "statements"
    default_interval = 60
    queue = "collect"

    def prepare(self, ctx: CollectContext) -> history.Known:
        return history.known_keys(ctx.target.pk)

    def read(self, conn: psycopg.Connection[Any], ctx: CollectContext) -> Read:
        try:
            return read_statements(conn, ctx.prepared.keys if ctx.prepared else frozenset())
        except ExtensionMissing as exc:
            raise TargetError("missing_extension", str(exc), exc.hint) from None

    def store(self, snapshot: Read, ctx: CollectContext) -> int:
        return history.store(ctx.target.pk, snapshot, ctx.captured_at, ctx.prepared).rows

    def warnings(self, snapshot: Read, ctx: CollectContext) -> list[tuple[str, str]]:
        if snapshot.hidden:
            return [(f"{snapshot.hidden} statement(s) of other users are hidden from the monitoring role",
                     f"GRANT pg_read_all_stats TO {quote_ident_to_print(ctx.target.username)}; "
                     "(pg_monitor includes it)")]
        return []
