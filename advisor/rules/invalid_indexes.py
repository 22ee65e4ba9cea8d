"""Invalid indexes: left behind by a failed ``CREATE INDEX CONCURRENTLY`` or ``REINDEX CONCURRENTLY``.

An invalid index is never used by the planner, yet every write still maintains it. The history store
knows each index's validity (``Relation.is_valid``) from the relations collector.
"""

from __future__ import annotations

from advisor.rules.base import Rule, register
from advisor.rules.changes import drop_index
from advisor.rules.context import RuleContext
from advisor.rules.evidence import Evidence, fmt_bytes, fmt_time
from advisor.rules.findings import Finding, RuleSkipped


@register
class InvalidIndexes(Rule):
    name = "invalid_indexes"
    kinds = ("invalid_index",)
    category = "indexes"
    title = "Invalid indexes"
    order = 40
    absence_is_proof = True

    def evaluate(self, ctx: RuleContext) -> list[Finding]:
        if ctx.history.relations_collected_at() is None:
            raise RuleSkipped("no relations collection yet", ctx.history.collect_hint("relations"))
        indexes = ctx.history.indexes()
        findings = []
        for index in indexes:
            if index.is_valid:
                continue
            ev = Evidence()
            ev.fact("Index", index.qualified_name)
            ev.fact("Size", index.bytes, fmt_bytes(index.bytes))
            ev.fact("Invalid since at least", index.first_seen, fmt_time(index.first_seen),
                    hint="first time the history store saw it")
            ev.sql("Definition", index.definition)
            ev.note("The planner never uses an invalid index, but inserts and updates keep maintaining it.")
            ev.note("Drop it with DROP INDEX CONCURRENTLY; if the index is wanted, build it again concurrently — "
                    "or run REINDEX INDEX CONCURRENTLY on it, which rebuilds it valid in place.")
            ev.caveat("If a CREATE INDEX CONCURRENTLY is running right now, this is its build in progress: check "
                      "the Activity page before dropping it (the drop would wait for the build anyway).")
            ev.ids(index_seq=index.seq, table_seq=index.table_seq)
            findings.append(Finding(
                kind="invalid_index", object_key=index.qualified_name, object_label=index.qualified_name,
                severity="warning", title=f"Invalid index {index.name} on {index.table_name}",
                summary=f"{index.qualified_name} is INVALID: unused by every query, still paid for by every write "
                        f"to {index.table_name}.",
                evidence=ev.to_dict(), material={"definition": index.definition},
                benefit=f"cheaper writes to {index.table_name}; {fmt_bytes(index.bytes)} of disk",
                cost="DROP INDEX CONCURRENTLY: waits for running transactions, blocks no reads or writes",
                benefit_score=float(index.bytes or 0), table=index.table_qualified,
                changes=[drop_index(index.schema, index.table_name, index.name, "invalid")],
            ))
        return findings
