"""Planners: each turns one kind of change into the steps that carry it out safely.

``plan_change`` dispatches on the change's type; one module per family of changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from advisor.drafts.changes import (
    AddForeignKey,
    AddForeignKeyIndex,
    AddUniqueConstraint,
    BigintMigration,
    Change,
    CreateIndex,
    DropIndex,
    ReduceTableBloat,
    ReindexIndex,
    SetAutovacuum,
    ValidateConstraint,
    WidenSequence,
)
from advisor.drafts.plan import Plan
from advisor.drafts.plans import bigint, constraints, indexes, maintenance

PLANNERS: dict[type[Change], Callable[[Any], Plan]] = {
    CreateIndex: indexes.plan_create_index,
    AddForeignKeyIndex: indexes.plan_fk_index,
    DropIndex: indexes.plan_drop_index,
    ReindexIndex: indexes.plan_reindex,
    ValidateConstraint: constraints.plan_validate,
    AddForeignKey: constraints.plan_add_foreign_key,
    AddUniqueConstraint: constraints.plan_add_unique,
    ReduceTableBloat: maintenance.plan_table_bloat,
    SetAutovacuum: maintenance.plan_autovacuum,
    WidenSequence: maintenance.plan_widen_sequence,
    BigintMigration: bigint.plan_bigint,
}


def plan_change(change: Change) -> Plan:
    """The plan for ``change``; ``TypeError`` for a change type no planner knows."""
    planner = PLANNERS.get(type(change))
    if planner is None:
        raise TypeError(f"no planner for {type(change).__name__}")
    return planner(change)
