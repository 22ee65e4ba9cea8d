"""Constraints added ``NOT VALID`` and never validated.

``NOT VALID`` is the safe way to add a CHECK or FOREIGN KEY to a big table: new rows are checked at
once and the existing rows later, by ``VALIDATE CONSTRAINT``, under a lock that lets reads and writes
go on. Left unvalidated, the old rows are never checked and the planner cannot rely on a CHECK
constraint (constraint exclusion, NOT NULL proofs). Constraints are read from the target's catalog
(the history store does not keep them); the table's size comes from the history store.
"""

from __future__ import annotations

from advisor.rules.base import Rule, register
from advisor.rules.changes import validate_constraint
from advisor.rules.context import RuleContext
from advisor.rules.evidence import Evidence, fmt_bytes, fmt_count
from advisor.rules.findings import Finding

KINDS = {"c": "CHECK", "f": "FOREIGN KEY"}


@register
class NotValidConstraints(Rule):
    name = "not_valid_constraints"
    kinds = ("not_valid_constraint",)
    category = "maintenance"
    title = "Constraints to validate"
    order = 90
    absence_is_proof = True  # read from the catalog each run: validated or dropped

    def evaluate(self, ctx: RuleContext) -> list[Finding]:
        findings = []
        for con in ctx.catalog.not_valid_constraints():
            qualified = f"{con.schema}.{con.table}"
            table = ctx.history.table_by_name(con.schema, con.table)
            ev = Evidence()
            ev.fact("Constraint", f"{con.name} ({KINDS.get(con.contype, con.contype)})")
            ev.fact("Table", qualified)
            if table is not None:
                ev.fact("Table size", table.total_bytes, fmt_bytes(table.total_bytes),
                        hint="VALIDATE reads all of it once")
                ev.fact("Rows (estimate)", table.reltuples, fmt_count(table.reltuples))
            ev.sql("Definition", con.definition)
            lock = "SHARE UPDATE EXCLUSIVE on the table"
            if con.contype == "f":
                lock += " and ROW SHARE on the referenced table"
            ev.option("ALTER TABLE … VALIDATE CONSTRAINT", lock,
                      "Checks the existing rows; reads and writes go on meanwhile (only DDL, VACUUM and other "
                      "validations wait). It fails, changing nothing, if an old row violates the constraint.")
            ev.note("New rows are already checked; the old ones never were.")
            findings.append(Finding(
                kind="not_valid_constraint", object_key=f"{qualified}.{con.name}",
                object_label=f"{qualified} {con.name}",
                severity="info", title=f"Validate {con.name} on {con.table}",
                summary=f"{KINDS.get(con.contype, 'The')} constraint {con.name} on {qualified} was added NOT VALID and "
                        "never validated: rows older than the constraint were never checked.",
                evidence=ev.to_dict(), material={"definition": con.definition},
                benefit="the constraint holds for every row; a CHECK can then be used by the planner",
                cost=f"one scan of {qualified} under {lock}",
                benefit_score=None, table=qualified,
                changes=[validate_constraint(con.schema, con.table, con.name)],
            ))
        return findings
