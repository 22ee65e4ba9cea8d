"""Maintenance changes: table bloat (guidance + plain VACUUM), per-table autovacuum, sequence type."""

from __future__ import annotations

from advisor.drafts.changes import ReduceTableBloat, SetAutovacuum, WidenSequence
from advisor.drafts.plan import Plan, Step
from advisor.drafts.reloptions import autovacuum_value
from pgsql.ident import qualified, quote_literal


def _size(n: int | None) -> str:
    if n is None:
        return "unknown"
    value = float(n)
    for unit in ("bytes", "kB", "MB", "GB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"


def plan_table_bloat(change: ReduceTableBloat) -> Plan:
    """Guidance on the ways to shrink a bloated table; only a plain VACUUM is run by the draft."""
    table = qualified(change.schema, change.table)
    guidance = (
        f"Table {table}: about {_size(change.bloat_bytes)} of {_size(change.table_bytes)} is dead space.",
        "Options, from least to most disruptive:",
        "1. VACUUM (below): SHARE UPDATE EXCLUSIVE, reads and writes continue. It makes dead space",
        "   reusable by new rows but returns to the OS only empty pages at the end of the table.",
        "   Also check what kept autovacuum from keeping up: long transactions, abandoned replication",
        "   slots, prepared transactions, and the table's autovacuum settings.",
        "2. pg_repack (extension + client, run by hand): rebuilds the table and its indexes online.",
        "   It holds ACCESS EXCLUSIVE only briefly at the start and the end, needs a primary key or a",
        "   NOT NULL unique index, and free disk for a full copy of the table and its indexes:",
        f"     pg_repack --no-order --table={quote_literal(change.schema + '.' + change.table)} --dbname=<db>",
        "3. VACUUM FULL / CLUSTER: rewrite the table under ACCESS EXCLUSIVE for the whole run — every",
        "   read and write waits until it ends (minutes to hours on a big table), and it needs free disk",
        "   for a full copy. Only in a maintenance window, never as part of a deploy:",
        f"     -- VACUUM (FULL, VERBOSE, ANALYZE) {table};",
    )
    step = Step(
        title=f"vacuum {change.schema}.{change.table} (makes dead space reusable; does not shrink the file)",
        forward=(f"VACUUM (VERBOSE, ANALYZE) {table}",),
        mode="concurrent",
        notes=("VACUUM cannot run inside a transaction block.",),
        rollback_notes=("Nothing to roll back: VACUUM changes no data and no schema.",),
    )
    return Plan(title=f"Reduce bloat of {change.table}", steps=(step,), guidance=guidance)


def plan_autovacuum(change: SetAutovacuum) -> Plan:
    """``ALTER TABLE … SET (autovacuum_…)``; rollback restores the previous values or RESETs them."""
    table = qualified(change.schema, change.table)
    sets = ", ".join(f"{k} = {autovacuum_value(k, v)}" for k, v in change.settings.items())
    rollback: list[str] = []
    to_reset = [k for k in change.settings if k not in change.previous]
    if to_reset:
        rollback.append(f"ALTER TABLE {table} RESET ({', '.join(to_reset)})")
    if change.previous:
        restore = ", ".join(f"{k} = {autovacuum_value(k, v)}" for k, v in change.previous.items())
        rollback.append(f"ALTER TABLE {table} SET ({restore})")
    previous = ", ".join(f"{k}={v}" for k, v in change.previous.items()) or "defaults"
    step = Step(
        title=f"tune autovacuum for {change.schema}.{change.table}",
        forward=(f"ALTER TABLE {table} SET ({sets})",),
        rollback=tuple(rollback),
        notes=(
            "Setting autovacuum storage parameters takes SHARE UPDATE EXCLUSIVE: reads and writes continue;",
            "it waits only for a running VACUUM or DDL on the table.",
            f"Previous settings: {previous}.",
        ),
    )
    return Plan(title=f"Autovacuum settings for {change.table}", steps=(step,))


def plan_widen_sequence(change: WidenSequence) -> Plan:
    """``ALTER SEQUENCE … AS bigint`` for a sequence still typed integer behind a bigint column."""
    seq = qualified(change.schema, change.table)
    step = Step(
        title=f"widen sequence {change.schema}.{change.table} to bigint",
        forward=(f"ALTER SEQUENCE {seq} AS bigint",),
        rollback=(f"ALTER SEQUENCE {seq} AS {change.previous_type}",),
        notes=(
            "AS bigint also raises MAXVALUE when it was the old type's maximum. The column the sequence",
            "feeds must already be bigint, or inserts fail past 2^31-1 anyway (see the bigint plan).",
        ),
        rollback_notes=("The rollback fails if the sequence has already gone past the old type's maximum.",),
    )
    return Plan(title=f"Widen sequence {change.table}", steps=(step,))
