"""Bloated tables: much of the heap is empty space → the options, each with the lock it takes.

A plain VACUUM makes dead space reusable but rarely gives it back; getting it back means rewriting
the table: pg_repack (brief ACCESS EXCLUSIVE locks at start and end, needs the extension and a primary
key or unique index) or VACUUM FULL / CLUSTER (ACCESS EXCLUSIVE for the whole rewrite: no reads, no
writes). Bloat is read from the history store's bloat collection.

Sizes in the history store are ``pg_class.relpages`` (read without touching the table), which only
VACUUM and ANALYZE bring up to date: a table nobody vacuums keeps its old size there while it grows,
and its estimated bloat stays near zero. Its dead tuples, counted exactly by the statistics, then
give the better figure — dead tuples times the average row size — and the evidence says which was
used.

A table with neither figure (no statistics the monitoring role may read, no dead tuples counted) is
evidence the rule could not see: reported as such with the fix, never taken for "not bloated". A
recommendation is resolved only when the table's bloat was measured again below the thresholds (or
the table is gone).
"""

from __future__ import annotations

from advisor.models import Recommendation
from advisor.rules.base import Rule, register
from advisor.rules.bloat_common import severity, worth_it
from advisor.rules.changes import table_bloat
from advisor.rules.context import RuleContext
from advisor.rules.evidence import Evidence, fmt_bytes, fmt_count, fmt_pct, fmt_time, size_class
from advisor.rules.facts import BloatInfo, TableInfo
from advisor.rules.findings import Finding, RuleSkipped
from dbconsole.thresholds import INFO
from pgsql.ident import quote_ident_if_needed


def dead_tuple_bloat(table: TableInfo) -> BloatInfo | None:
    """Space the dead tuples take: their count (exact, from the statistics) times the average row size
    (from the catalog's pages and rows at the last VACUUM or ANALYZE)."""
    dead, live = table.n_dead_tup or 0, table.n_live_tup or 0
    if not dead or not table.reltuples or not table.heap_bytes:
        return None
    row = table.heap_bytes / table.reltuples
    return BloatInfo(size_bytes=int((dead + live) * row), bloat_bytes=int(dead * row), exact=False, captured_at=None)


@register
class TableBloat(Rule):
    name = "table_bloat"
    kinds = ("table_bloat",)
    category = "maintenance"
    title = "Bloated tables"
    order = 55
    absence_is_proof = True  # when the table's bloat was measured again (see resolution)

    def evaluate(self, ctx: RuleContext) -> list[Finding]:
        bloat = ctx.history.bloat()
        if bloat is None:
            raise RuleSkipped("no bloat collection yet", ctx.history.collect_hint("bloat"))
        findings = []
        unseen = []
        for table, _deltas in ctx.history.tables_with_deltas():
            seq = table.seq
            b, from_dead = _figure(table, bloat.get(seq))
            if b is None or b.bloat_bytes is None:
                if ctx.thresholds["bloat_bytes"].reaches(table.heap_bytes or 0, INFO):  # could hide bloat
                    unseen.append(table.qualified)
                continue
            if not worth_it(b, ctx.thresholds):
                continue
            ev = Evidence()
            ev.fact("Table", table.qualified)
            ev.fact("Heap size (from its rows)" if from_dead else "Heap size", b.size_bytes, fmt_bytes(b.size_bytes))
            ev.fact("Bloat", b.bloat_bytes, f"{fmt_bytes(b.bloat_bytes)} ({fmt_pct(b.ratio)})",
                    hint="dead tuples times the average row size" if from_dead else
                    "measured with pgstattuple_approx" if b.exact else "estimated from statistics")
            ev.fact("Dead tuples now", table.n_dead_tup, fmt_count(table.n_dead_tup))
            ev.fact("Live tuples", table.n_live_tup, fmt_count(table.n_live_tup))
            ev.fact("Last autovacuum", table.last_autovacuum, fmt_time(table.last_autovacuum))
            ev.fact("Last manual vacuum", table.last_vacuum, fmt_time(table.last_vacuum))
            if from_dead:
                ev.note("Its size in the catalog (relpages) dates from its last VACUUM or ANALYZE, so the "
                        "bloat is reckoned from its dead tuples instead; the table on disk is larger.")
            elif b.captured_at is not None:
                ev.fact("Measured", b.captured_at, fmt_time(b.captured_at))
            ev.option("VACUUM (the draft runs this)", "SHARE UPDATE EXCLUSIVE: reads and writes go on",
                      "Makes dead space reusable by new rows and truncates empty pages at the end of the table. "
                      "Stops the growth; gives little space back.")
            copy = (b.size_bytes or 0) - (b.bloat_bytes or 0)
            ev.option("pg_repack", "ACCESS EXCLUSIVE only for moments at the start and the end",
                      "Rewrites the table compactly online. Needs the pg_repack extension, a primary key or unique "
                      f"index, and free space for a copy (about {fmt_bytes(copy)}).")
            ev.option("VACUUM FULL (or CLUSTER)", "ACCESS EXCLUSIVE for the whole rewrite: blocks reads and writes",
                      "Gives all the space back, but the table is unusable until it finishes: a maintenance "
                      "window only.")
            if table.n_dead_tup and table.n_dead_tup > (table.n_live_tup or 0) * 0.2:
                ev.note("Dead tuples are piling up right now: see the autovacuum recommendation for this table, "
                        "or the bloat comes back after any rewrite.")
            ev.ids(table_seq=seq)
            ev.chart("table-tuples", "Live and dead tuples")
            findings.append(Finding(
                kind="table_bloat", object_key=table.qualified, object_label=table.qualified,
                severity=severity(b, ctx.thresholds), title=f"Bloated table {table.name}",
                summary=f"{table.qualified} is {fmt_bytes(b.size_bytes)} on disk, of which about "
                        f"{fmt_bytes(b.bloat_bytes)} ({fmt_pct(b.ratio)}) is empty or dead space.",
                evidence=ev.to_dict(), material={"size_class": size_class(b.bloat_bytes)},
                benefit=f"up to {fmt_bytes(b.bloat_bytes)} back and fewer pages per sequential scan",
                cost="VACUUM: none blocking; a rewrite: pg_repack (brief locks) or VACUUM FULL (ACCESS EXCLUSIVE)",
                benefit_score=float(b.bloat_bytes or 0), table=table.qualified,
                changes=[table_bloat(table.schema, table.name, b.bloat_bytes, b.size_bytes)],
            ))
        if unseen:
            role = quote_ident_if_needed(ctx.target.username)
            ctx.blind("no_statistics", f"bloat of {len(unseen)} table(s) unknown: no statistics the monitoring "
                      "role may read", hint=f"ANALYZE them and GRANT SELECT ON them TO {role} (or "
                      f"GRANT pg_read_all_data TO {role} on PostgreSQL 14+): pg_stats hides the "
                      "columns a role may not read", objects=tuple(unseen))
        return findings

    def resolution(self, ctx: RuleContext, rec: Recommendation, *, comparable: bool) -> str | None:
        """Resolved when the table was measured again (below the thresholds) or is gone — never when
        its bloat could not be estimated this time."""
        bloat = ctx.history.bloat() or {}
        schema, _dot, name = rec.object_key.partition(".")
        table = ctx.history.table_by_name(schema, name)
        if table is not None:
            figure, _from_dead = _figure(table, bloat.get(table.seq))
            if figure is None or figure.bloat_bytes is None:
                return None
        return super().resolution(ctx, rec, comparable=comparable)


def _figure(table: TableInfo, measured: BloatInfo | None) -> tuple[BloatInfo | None, bool]:
    """The better of the measured (or estimated) bloat and the dead-tuple reckoning, and whether it is
    the latter."""
    dead = dead_tuple_bloat(table)
    from_dead = dead is not None and (dead.bloat_bytes or 0) > ((measured.bloat_bytes or 0) if measured else 0)
    return (dead if from_dead else measured), from_dead
