"""The activity collector: every 10 s, ``pg_stat_activity`` summarised into one history row — counts by
state, database, user, application, client and wait event; the longest query and transaction;
idle-in-transaction age — against ``max_connections``."""

from __future__ import annotations

from typing import Any

import psycopg

from monitoring.collectors.base import CollectContext, Collector, register
from monitoring.history import activity as history
from monitoring.pgstats.activity import ActivitySnapshot, read_activity
from pgsql.ident import quote_ident_to_print


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

    def warnings(self, snapshot: ActivitySnapshot, ctx: CollectContext) -> list[tuple[str, str]]:
        # Without pg_read_all_stats other roles' sessions show no type, state or wait: the counts stored
        # cannot include them (and the health checks reading them say unknown rather than ok).
        hidden = sum(1 for b in snapshot.backends if b.backend_type is None)
        if hidden:
            return [(f"{hidden} session(s) of other roles not visible to the monitoring role",
                     f"GRANT pg_read_all_stats TO {quote_ident_to_print(ctx.target.username)}; "
                     "(pg_monitor includes it)")]
        return []
