"""Bloated btree indexes: pages mostly empty after deletes and non-HOT updates → REINDEX CONCURRENTLY.

Bloat comes from the history store's bloat collection (exact ``pgstatindex`` figures for the largest
indexes when pgstattuple is installed, estimates otherwise). ``REINDEX INDEX CONCURRENTLY`` (PG 12+)
builds a fresh copy beside the old one and swaps them, blocking no reads or writes.

A btree index of a megabyte or more with no figure (no statistics the monitoring role may read) is
reported as evidence the rule could not see; a recommendation is resolved only when the index was
measured again below the thresholds, or is gone.
"""

from __future__ import annotations

from advisor.models import Recommendation
from advisor.rules.base import Rule, register
from advisor.rules.bloat_common import severity, worth_it
from advisor.rules.changes import reindex
from advisor.rules.context import RuleContext
from advisor.rules.evidence import Evidence, fmt_bytes, fmt_pct, fmt_time, size_class
from advisor.rules.findings import Finding, RuleSkipped
from dbconsole.thresholds import INFO
from pgsql.ident import quote_ident_if_needed


@register
class IndexBloat(Rule):
    name = "index_bloat"
    kinds = ("index_bloat",)
    category = "maintenance"
    title = "Bloated indexes"
    order = 50
    absence_is_proof = True  # when the index's bloat was measured again (see resolution)
    depends_on = ("duplicate_indexes", "unused_indexes", "invalid_indexes")

    def evaluate(self, ctx: RuleContext) -> list[Finding]:
        bloat = ctx.history.bloat()
        if bloat is None:
            raise RuleSkipped("no bloat collection yet", ctx.history.collect_hint("bloat"))
        indexes = {i.seq: i for i in ctx.history.indexes()}
        dropping = {f.object_key for f in ctx.findings if f.kind.endswith("_index") and f.changes
                    and f.changes[0].get("type") == "drop_index"}
        findings = []
        unseen = sorted(i.qualified_name for i in indexes.values()
                        if i.is_valid and i.method == "btree"
                        and ctx.thresholds["bloat_bytes"].reaches(i.bytes or 0, INFO)
                        and (bloat.get(i.seq) is None or bloat[i.seq].bloat_bytes is None))
        if unseen:
            role = quote_ident_if_needed(ctx.target.username)
            ctx.blind("no_statistics", f"bloat of {len(unseen)} index(es) unknown: no statistics the monitoring "
                      "role may read", hint=f"ANALYZE their tables and GRANT SELECT ON them TO "
                      f"{role} (or GRANT pg_read_all_data, PostgreSQL 14+)", objects=tuple(unseen))
        for seq, b in bloat.items():
            index = indexes.get(seq)
            if index is None or not index.is_valid or index.method != "btree" or not worth_it(b, ctx.thresholds):
                continue
            if index.qualified_name in dropping:
                continue  # about to be dropped: rebuilding it first would be wasted work
            ev = Evidence()
            ev.fact("Index", index.qualified_name)
            ev.fact("Size", b.size_bytes, fmt_bytes(b.size_bytes))
            ev.fact("Bloat", b.bloat_bytes, f"{fmt_bytes(b.bloat_bytes)} ({fmt_pct(b.ratio)})",
                    hint="measured with pgstatindex" if b.exact else "estimated from statistics")
            ev.fact("Measured", b.captured_at, fmt_time(b.captured_at))
            ev.sql("Definition", index.definition)
            ev.option("REINDEX INDEX CONCURRENTLY", "SHARE UPDATE EXCLUSIVE on the table (reads and writes go on)",
                      "Builds a compact copy and swaps it in; needs room for the copy meanwhile. If it fails it "
                      "leaves an invalid *_ccnew index to drop.")
            ev.option("REINDEX INDEX", "ACCESS EXCLUSIVE on the index: blocks every query that would use it",
                      "Faster, but only for a maintenance window.")
            if not b.exact:
                ev.caveat("Estimated from catalog statistics; run the bloat collector with pgstattuple installed "
                          "for an exact figure.")
            ev.ids(index_seq=seq, table_seq=index.table_seq)
            findings.append(Finding(
                kind="index_bloat", object_key=index.qualified_name, object_label=index.qualified_name,
                severity=severity(b, ctx.thresholds), title=f"Rebuild bloated index {index.name}",
                summary=f"{index.qualified_name} is {fmt_bytes(b.size_bytes)}, of which about "
                        f"{fmt_bytes(b.bloat_bytes)} ({fmt_pct(b.ratio)}) is empty space.",
                evidence=ev.to_dict(), material={"size_class": size_class(b.bloat_bytes)},
                benefit=f"about {fmt_bytes(b.bloat_bytes)} back; fewer pages per index scan",
                cost="REINDEX CONCURRENTLY: a full build of the index beside the old one, no blocking",
                benefit_score=float(b.bloat_bytes or 0), table=index.table_qualified,
                changes=[reindex(index.schema, index.table_name, index.name)],
            ))
        return findings

    def resolution(self, ctx: RuleContext, rec: Recommendation, *, comparable: bool) -> str | None:
        index = next((i for i in ctx.history.indexes() if i.qualified_name == rec.object_key), None)
        bloat = ctx.history.bloat() or {}
        if index is not None and (bloat.get(index.seq) is None or bloat[index.seq].bloat_bytes is None):
            return None   # not measured this time: nothing proves the bloat went
        return super().resolution(ctx, rec, comparable=comparable)
