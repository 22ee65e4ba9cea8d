"""Change specs: what a finding wants done, as plain JSON a recommendation stores.

A rule writes specs (``{"type": "create_index", "schema": …, "table": …, …}``) from the history store
alone; nothing here reads the target. :mod:`advisor.review.changes` makes a spec exact against the
target's catalog when someone asks for a draft. The specs live with the rules, below review, so rules
never import review.
"""

from __future__ import annotations

from typing import Any

Spec = dict[str, Any]


def create_index(schema: str, table: str, *, columns: tuple[str, ...] = (), expression: str | None = None,
                 include: tuple[str, ...] = (), where: str | None = None, name: str | None = None,
                 opclasses: dict[str, str] | None = None) -> Spec:
    """``opclasses``: a non-default operator class for some columns (``{"sku": "text_pattern_ops"}``)."""
    return {"type": "create_index", "schema": schema, "table": table, "columns": list(columns),
            "expression": expression, "include": list(include), "where": where, "name": name,
            **({"opclasses": dict(opclasses)} if opclasses else {})}


def fk_index(schema: str, table: str, columns: tuple[str, ...], constraint: str) -> Spec:
    return {"type": "fk_index", "schema": schema, "table": table, "columns": list(columns), "constraint": constraint}


def drop_index(schema: str, table: str, name: str, reason: str, covered_by: str | None = None) -> Spec:
    return {"type": "drop_index", "schema": schema, "table": table, "name": name, "reason": reason,
            "covered_by": covered_by}


def reindex(schema: str, table: str, name: str) -> Spec:
    return {"type": "reindex", "schema": schema, "table": table, "name": name}


def table_bloat(schema: str, table: str, bloat_bytes: int | None, table_bytes: int | None) -> Spec:
    return {"type": "table_bloat", "schema": schema, "table": table, "bloat_bytes": bloat_bytes,
            "table_bytes": table_bytes}


def autovacuum(schema: str, table: str, settings: dict[str, Any]) -> Spec:
    return {"type": "autovacuum", "schema": schema, "table": table, "settings": settings}


def validate_constraint(schema: str, table: str, name: str) -> Spec:
    return {"type": "validate_constraint", "schema": schema, "table": table, "name": name}


def widen_sequence(schema: str, sequence: str) -> Spec:
    return {"type": "widen_sequence", "schema": schema, "sequence": sequence}


def bigint(sequence_schema: str, sequence: str, column_path: str) -> Spec:
    """The column a sequence feeds (``schema.table.column`` as the history store shows it), to migrate to
    bigint; the draft finds the column from the sequence's dependency and checks it is still that one."""
    return {"type": "bigint", "sequence_schema": sequence_schema, "sequence": sequence, "column_path": column_path}
