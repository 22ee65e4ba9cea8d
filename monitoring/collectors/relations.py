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
