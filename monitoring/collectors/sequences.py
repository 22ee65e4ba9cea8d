"""The sequences collector: daily, how much of its range every sequence has used."""

from __future__ import annotations

from typing import Any

import psycopg

from monitoring.collectors.base import CollectContext, Collector, register
from monitoring.history import sequences as history
from monitoring.pgstats.sequences import SequenceUse, read_sequences
from pgsql.ident import quote_ident_to_print


@register
class SequencesCollector(Collector[tuple[SequenceUse, ...]]):
    name = "sequences"
    default_interval = 86400
    queue = "collect"

    def read(self, conn: psycopg.Connection[Any], ctx: CollectContext) -> tuple[SequenceUse, ...]:
        return read_sequences(conn, ctx.major)

    def store(self, snapshot: tuple[SequenceUse, ...], ctx: CollectContext) -> int:
        return history.store(ctx.target.pk, snapshot, ctx.captured_at)

    def warnings(self, snapshot: tuple[SequenceUse, ...], ctx: CollectContext) -> list[tuple[str, str]]:
        hidden = [s for s in snapshot if not s.readable]
        if hidden:
            role = quote_ident_to_print(ctx.target.username)
            grants = " ".join(f"GRANT SELECT ON ALL SEQUENCES IN SCHEMA {quote_ident_to_print(schema)} TO {role};"
                              for schema in sorted({s.schema for s in hidden}))
            return [(f"{len(hidden)} sequence(s) not readable by the monitoring role",
                     f"{grants} (or, PostgreSQL 14+: GRANT pg_read_all_data TO {role};)")]
        return []
