"""The kinds of recommendation and their human names, beside the model that stores the kind.

Pages, filters, the CLI and the model itself name a kind from here without importing the rules; the
rules' registry test checks that every kind a rule produces has a title here.
"""

from __future__ import annotations

# A rule that could not see (all or part of) its evidence: one per rule, object key = the rule's name.
CANNOT_EVALUATE = "cannot_evaluate"

KIND_TITLES: dict[str, str] = {
    CANNOT_EVALUATE: "Cannot evaluate",
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


def kind_title(kind: str) -> str:
    return KIND_TITLES.get(kind, kind.replace("_", " "))
