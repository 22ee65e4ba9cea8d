"""Advisor rules, one module per concern; ``load_all()`` imports them so ``base.REGISTRY`` is complete.

Kinds a rule produces and their human names live here (``KIND_TITLES``), so pages and filters can
name a kind without importing every rule.
"""

from __future__ import annotations

import importlib

MODULES = (
    "missing_indexes",
    "fk_indexes",
    "unused_indexes",
    "duplicate_indexes",
    "invalid_indexes",
    "index_bloat",
    "table_bloat",
    "autovacuum_lag",
    "wraparound",
    "sequence_overflow",
    "not_valid_constraints",
    "config_memory",
    "config_work_mem",
    "config_checkpoints",
    "config_storage",
    "config_autovacuum",
    "config_timeouts",
)

KIND_TITLES: dict[str, str] = {
    "missing_index": "Missing index",
    "fk_without_index": "Foreign key without index",
    "unused_index": "Unused index",
    "duplicate_index": "Duplicate index",
    "redundant_index": "Redundant index",
    "invalid_index": "Invalid index",
    "index_bloat": "Bloated index",
    "table_bloat": "Bloated table",
    "autovacuum_lag": "Dead tuples outrun autovacuum",
    "wraparound": "Wraparound risk",
    "sequence_overflow": "Sequence near overflow",
    "not_valid_constraint": "Constraint not validated",
    "config_memory": "Memory settings",
    "config_work_mem": "work_mem and temp files",
    "config_checkpoints": "Checkpoints",
    "config_storage": "Planner settings for the storage",
    "config_autovacuum": "Autovacuum capacity",
    "config_timeouts": "Timeouts",
}


def load_all() -> None:
    for module in MODULES:
        importlib.import_module(f"advisor.rules.{module}")


def kind_title(kind: str) -> str:
    return KIND_TITLES.get(kind, kind.replace("_", " "))
