"""Constraint changes: validate a NOT VALID constraint, add a foreign key, add a unique constraint."""

from __future__ import annotations

from advisor.drafts.changes import AddForeignKey, AddUniqueConstraint, CreateIndex, ValidateConstraint
from advisor.drafts.plan import Plan, Step
from advisor.drafts.plans.common import (
    assert_index_valid_sql,
    create_index_sql,
    drop_index_sql,
    invalid_index_help,
)
from advisor.drafts.plans.indexes import index_steps
from pgsql.ident import qualified, quote_ident

VALIDATE_NOTES = (
    "VALIDATE CONSTRAINT scans the table under SHARE UPDATE EXCLUSIVE: reads and writes continue.",
    "For a foreign key it also takes ROW SHARE on the referenced table.",
)


def _columns(names: tuple[str, ...]) -> str:
    return ", ".join(quote_ident(c) for c in names)


def validate_step(schema: str, table: str, name: str, *, stage: int = 0) -> Step:
    """``ALTER TABLE … VALIDATE CONSTRAINT`` as a long-running, weak-lock step."""
    return Step(
        title=f"validate constraint {name} on {schema}.{table}",
        forward=(f"ALTER TABLE {qualified(schema, table)} VALIDATE CONSTRAINT {quote_ident(name)}",),
        mode="long",
        notes=VALIDATE_NOTES,
        on_failure=(
            "It fails when existing rows violate the constraint (the error names one). Fix those rows and",
            "run the step again; the constraint keeps being enforced for new rows meanwhile.",
        ),
        rollback_notes=("Nothing to roll back: validating only checks existing rows.",),
        stage=stage,
    )


def plan_validate(change: ValidateConstraint) -> Plan:
    """Validate a constraint that was added ``NOT VALID``."""
    return Plan(title=f"Validate {change.name}",
                steps=(validate_step(change.schema, change.table, change.name),))


def plan_add_foreign_key(change: AddForeignKey) -> Plan:
    """Supporting index concurrently, then ``ADD CONSTRAINT … NOT VALID``, then ``VALIDATE``."""
    table = qualified(change.schema, change.table)
    name = quote_ident(change.constraint_name)
    steps: list[Step] = []
    if change.create_index:
        steps.append(index_steps(change.supporting_index()))
    references = f"{qualified(change.ref_schema, change.ref_table)} ({_columns(change.ref_columns)})"
    add = (f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({_columns(change.columns)}) "
           f"REFERENCES {references} ON DELETE {change.on_delete} ON UPDATE {change.on_update} NOT VALID")
    steps.append(Step(
        title=f"add foreign key {change.constraint_name} NOT VALID",
        forward=(add,),
        rollback=(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}",),
        notes=(
            "NOT VALID skips the scan of existing rows, so the SHARE ROW EXCLUSIVE locks on both tables",
            "are held only for a moment; new and updated rows are checked from now on.",
        ),
        on_failure=("A lock timeout means another session held a conflicting lock: run the step again.",),
    ))
    steps.append(validate_step(change.schema, change.table, change.constraint_name))
    return Plan(title=f"Add foreign key {change.constraint_name}", steps=tuple(steps))


def plan_add_unique(change: AddUniqueConstraint) -> Plan:
    """``CREATE UNIQUE INDEX CONCURRENTLY``, then ``ADD CONSTRAINT … UNIQUE USING INDEX``."""
    table = qualified(change.schema, change.table)
    name = change.constraint_name
    index = CreateIndex(change.schema, change.table, keys=change.columns, unique=True, name=name,
                        reason=f"backs unique constraint {name}")
    build = Step(
        title=f"build unique index {name} concurrently",
        forward=(create_index_sql(index), assert_index_valid_sql(change.schema, name)),
        rollback=(drop_index_sql(change.schema, name),),
        mode="concurrent",
        notes=("The build checks uniqueness without blocking writes (SHARE UPDATE EXCLUSIVE).",),
        on_failure=invalid_index_help(change.schema, name),
    )
    attach = Step(
        title=f"attach it as constraint {name}",
        forward=(f"ALTER TABLE {table} ADD CONSTRAINT {quote_ident(name)} UNIQUE USING INDEX {quote_ident(name)}",),
        rollback=(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {quote_ident(name)}",),
        notes=("USING INDEX adopts the finished index: a brief ACCESS EXCLUSIVE lock, no scan.",),
        rollback_notes=("Dropping the constraint drops its index too; the next step's IF EXISTS covers both cases.",),
    )
    return Plan(title=f"Add unique constraint {name}", steps=(build, attach))
