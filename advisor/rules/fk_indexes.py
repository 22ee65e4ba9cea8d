"""Foreign keys without a supporting index on the referencing side — proposed only with evidence.

Deleting or updating the key of a parent row makes PostgreSQL look for child rows referencing it —
with a sequential scan of the child table when no index leads with the foreign key's columns, once
per parent row, while holding locks. Whether that happens is evidence, not a rule of thumb:

* **with evidence** — parent rows deleted in the window, or lock incidents that waited on the child —
  a ``fk_without_index`` finding proposes the index (a warning when the child is big). Parent deletes
  normally make the missing-index engine propose it already: it weighs the lookups the server runs for
  them (``advisor.selection.foreign_keys``) against the index's upkeep;
* **without evidence** the index would only cost writes and storage, so it is a separate *safety*
  finding: low severity (info), marked ``safety_only``, saying what would make it matter — and
  ``advise --format sql`` leaves it out, as it leaves out everything the net-benefit default does
  not propose.

When the missing-index rule already proposes an index that serves the foreign key, no second
recommendation is made: that one says it also supports the foreign key.
"""

from __future__ import annotations

from advisor.rules.base import Rule, register
from advisor.rules.catalog import ForeignKey
from advisor.rules.changes import fk_index
from advisor.rules.context import RuleContext
from advisor.rules.evidence import Evidence, fmt_bytes, fmt_count
from advisor.rules.findings import Finding
from dbconsole.thresholds import INFO, WARNING
from pgsql.ident import choose_name, quote_ident_if_needed

ON_DELETE = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


def _covered_by_proposal(ctx: RuleContext, fk: ForeignKey) -> Finding | None:
    for finding in ctx.findings:
        if finding.kind != "missing_index":
            continue
        ids = finding.evidence.get("ids", {})
        columns = ids.get("columns") or []
        if (ids.get("schema"), ids.get("table")) == (fk.schema, fk.table) and not ids.get("expression") \
                and not ids.get("where") and set(columns[: len(fk.columns)]) == set(fk.columns):
            return finding
    return None


@register
class ForeignKeyIndexes(Rule):
    name = "fk_indexes"
    kinds = ("fk_without_index",)
    category = "indexes"
    title = "Foreign keys without an index"
    order = 20  # after missing_indexes (10), whose proposals it reads
    depends_on = ("missing_indexes",)

    def evaluate(self, ctx: RuleContext) -> list[Finding]:
        findings = []
        for fk in ctx.catalog.foreign_keys():
            if fk.indexed:
                continue
            proposal = _covered_by_proposal(ctx, fk)
            if proposal is not None:
                proposal.evidence.setdefault("notes", []).append(
                    f"It also supports foreign key {fk.name} ({fk.qualified_table} → {fk.qualified_ref}), which "
                    "has no index: deletes and key updates on the parent check the child through it.")
                continue
            findings.append(self._finding(ctx, fk))
        return findings

    def _finding(self, ctx: RuleContext, fk: ForeignKey) -> Finding:
        child = ctx.history.table_by_name(fk.schema, fk.table)
        parent = ctx.history.table_by_name(fk.ref_schema, fk.ref_table)
        parent_writes = ctx.history.table_deltas(parent.seq) if parent is not None else None
        on_delete = ON_DELETE.get(fk.on_delete, fk.on_delete)
        name = choose_name(fk.table, list(fk.columns), "idx")
        q = quote_ident_if_needed
        create = (f"CREATE INDEX {q(name)} ON {q(fk.schema)}.{q(fk.table)} "
                  f"({', '.join(q(c) for c in fk.columns)})")
        ev = Evidence()
        ev.fact("Foreign key", fk.name)
        ev.fact("Referencing table", fk.qualified_table)
        ev.fact("Referenced table", fk.qualified_ref)
        ev.fact("ON DELETE", on_delete)
        rows = child.reltuples if child is not None else None
        if child is not None:
            ev.fact("Referencing table size", child.total_bytes, fmt_bytes(child.total_bytes))
            ev.fact("Referencing rows (estimate)", rows, fmt_count(rows),
                    hint="what each parent delete scans without the index")
        if parent_writes is not None:
            ev.fact("Parent rows deleted in the window", parent_writes.n_tup_del, fmt_count(parent_writes.n_tup_del))
            ev.fact("Parent rows updated in the window", parent_writes.n_tup_upd, fmt_count(parent_writes.n_tup_upd),
                    hint="an update that changes the key checks the children too")
        ev.sql("Constraint", fk.definition)
        ev.sql("Suggested index", create + ";")
        ev.set("create_sql", create + ";")
        ev.note(f"No valid index of {fk.qualified_table} leads with ({', '.join(fk.columns)}): every delete of a "
                f"{fk.ref_table} row (and every update of its key) scans {fk.table} to find referencing rows"
                + (f", and ON DELETE {on_delete} then changes them." if on_delete in ("CASCADE", "SET NULL")
                   else "."))
        ev.ids(schema=fk.schema, table=fk.table, columns=list(fk.columns), table_seq=child.seq if child else None)
        big = ctx.thresholds.grade("fk_child_rows", rows) == WARNING
        deletes = bool(parent_writes and parent_writes.n_tup_del)
        waits = ctx.history.lock_incidents_on(fk.schema, fk.table)
        ev.fact("Lock incidents on the referencing table", waits, fmt_count(waits),
                hint="lock trees in the window that waited on it")
        evidence = deletes or waits > 0
        severity = WARNING if big and evidence else INFO
        if not evidence:
            # Nothing in the window says the index would be used: a safety net, not a proposal.
            ev.set("safety_only", True)
            ev.note("Safety only: no parent row was deleted and no lock waited on the referencing table in the "
                    "window, so the index would cost writes and storage and save nothing yet. It matters once "
                    f"{fk.ref_table} rows are deleted (or their key changed). Not part of advise --format sql.")
        title = (f"Index the foreign key {fk.table}({', '.join(fk.columns)})" if evidence else
                 f"Safety: foreign key {fk.table}({', '.join(fk.columns)}) has no index")
        return Finding(
            kind="fk_without_index", object_key=f"{fk.qualified_table}.{fk.name}",
            object_label=f"{fk.qualified_table} ({', '.join(fk.columns)})", severity=severity,
            title=title,
            summary=f"Foreign key {fk.name} from {fk.qualified_table} to {fk.qualified_ref} has no supporting index: "
                    f"each delete on {fk.ref_table} scans {fk.table}."
                    + ("" if evidence else " Nothing in the window deleted a parent row: a safety finding only."),
            evidence=ev.to_dict(),
            material={"columns": list(fk.columns), "big": big, "parent_writes": deletes, "lock_waits": waits > 0},
            benefit=f"parent deletes and key updates find children by index instead of scanning {fk.table}",
            cost=f"a new index on {fk.qualified_table}: disk, and work on every insert and update of {fk.table}",
            benefit_score=float(rows or 0), table=fk.qualified_table,
            changes=[fk_index(fk.schema, fk.table, fk.columns, fk.name)],
        )
