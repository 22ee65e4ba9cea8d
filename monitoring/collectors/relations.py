"""The relations collector: every 5 min, sizes and statistics of every table and index, stored as one
columnar row; relation identities (renames, drops, redefined indexes) kept in ``Relation``."""

from __future__ import annotations

from typing import Any

import psycopg

from monitoring.collectors.base import CollectContext, Collector, register
from monitoring.history import relations as history
from monitoring.pgstats.relations import RelationsSnapshot, read_relations


@register
class RelationsCollector(Collector[RelationsSnapshot]):
    name = "relations"
    default_interval = 300
    queue = "collect"

    def read(self, conn: psycopg.Connection[Any], ctx: CollectContext) -> RelationsSnapshot:
        return read_relations(conn, ctx.major)

    def store(self, snapshot: RelationsSnapshot, ctx: CollectContext) -> int:
        return history.store(ctx.target.pk, snapshot, ctx.captured_at)

    def warnings(self, snapshot: RelationsSnapshot, ctx: CollectContext) -> list[tuple[str, str]]:
        again = "nothing to do: they are read again at the next collection, once the lock is gone"
        if snapshot.definitions_failed:
            return [(f"index definitions not read ({snapshot.definitions_failed}); sizes and statistics stored",
                     again)]
        if snapshot.unread:
            shown = ", ".join(snapshot.unread[:5]) + (" …" if len(snapshot.unread) > 5 else "")
            return [(f"index definitions of {len(snapshot.unread)} locked table(s) not read: {shown} "
                     "(ACCESS EXCLUSIVE held or awaited); sizes and statistics stored", again)]
        return []
