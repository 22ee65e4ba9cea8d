"""Structural facts read from the target's catalog — only what the history store does not keep.

The history store keeps numbers over time (sizes, scans, tuples, bloat, settings, sequences) and the
definitions of tables and indexes; constraints, storage parameters and the details a migration draft
must get exactly right (``pg_get_indexdef``, ``pg_get_constraintdef``, the sequence behind a column)
are read here, over the run's one guarded read-only connection, from SQL kept in ``sql/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg.rows import dict_row

from pgsql.sqlfiles import SqlDir

SQL_FILES = SqlDir(__file__)


@dataclass(frozen=True)
class ForeignKey:
    schema: str
    table: str
    name: str
    columns: tuple[str, ...]
    ref_schema: str
    ref_table: str
    validated: bool
    on_delete: str  # pg_constraint.confdeltype: a no action, r restrict, c cascade, n set null, d set default
    definition: str
    indexed: bool

    @property
    def qualified_table(self) -> str:
        return f"{self.schema}.{self.table}"

    @property
    def qualified_ref(self) -> str:
        return f"{self.ref_schema}.{self.ref_table}"


@dataclass(frozen=True)
class Constraint:
    schema: str
    table: str
    name: str
    contype: str  # c check, f foreign key
    definition: str


@dataclass(frozen=True)
class IntegerColumn:
    column_type: str
    not_null: bool
    identity: str
    sequence_schema: str | None
    sequence_name: str | None
    primary_key: str | None


@dataclass(frozen=True)
class ReferencingKey:
    schema: str
    table: str
    name: str
    definition: str


class Catalog:
    """Catalog reads over one connection; each method is one query."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def _rows(self, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        with self.conn.cursor(row_factory=dict_row) as cur:
            cur.execute(SQL_FILES.load(name), params or {})
            return list(cur.fetchall())

    def foreign_keys(self) -> list[ForeignKey]:
        return [
            ForeignKey(schema=r["schema"], table=r["table_name"], name=r["name"], columns=tuple(r["columns"]),
                       ref_schema=r["ref_schema"], ref_table=r["ref_table"], validated=r["validated"],
                       on_delete=r["on_delete"], definition=r["definition"], indexed=r["indexed"])
            for r in self._rows("foreign_keys")
        ]

    def not_valid_constraints(self) -> list[Constraint]:
        return [Constraint(schema=r["schema"], table=r["table_name"], name=r["name"], contype=r["contype"],
                           definition=r["definition"]) for r in self._rows("not_valid_constraints")]

    def reloptions(self) -> dict[str, dict[str, str]]:
        """``{"schema.table": {"autovacuum_enabled": "false", …}}`` for tables with storage parameters."""
        out: dict[str, dict[str, str]] = {}
        for r in self._rows("reloptions"):
            pairs = (opt.split("=", 1) for opt in r["options"] or [])
            out[f"{r['schema']}.{r['table_name']}"] = {k: v for k, v in pairs}
        return out

    def index_definition(self, schema: str, name: str) -> tuple[str, bool] | None:
        """``(pg_get_indexdef, indisvalid)`` of an index, None when it no longer exists."""
        rows = self._rows("index_definition", {"schema": schema, "name": name})
        return (rows[0]["definition"], rows[0]["valid"]) if rows else None

    def taken_names(self, schema: str, names: list[str]) -> set[str]:
        """Which of ``names`` already name a relation in ``schema`` (tables, indexes, sequences, …)."""
        return {r["name"] for r in self._rows("relation_names", {"schema": schema, "names": names})}

    def integer_column(self, schema: str, table: str, column: str) -> IntegerColumn | None:
        rows = self._rows("integer_column", {"schema": schema, "table": table, "column": column})
        if not rows:
            return None
        r = rows[0]
        return IntegerColumn(column_type=r["column_type"], not_null=r["not_null"], identity=r["identity"] or "",
                             sequence_schema=r["sequence_schema"], sequence_name=r["sequence_name"],
                             primary_key=r["primary_key"])

    def column_indexes(self, schema: str, table: str, column: str) -> list[str]:
        return [r["definition"] for r in self._rows("column_indexes",
                                                    {"schema": schema, "table": table, "column": column})]

    def referencing_keys(self, schema: str, table: str, column: str) -> list[ReferencingKey]:
        return [ReferencingKey(schema=r["schema"], table=r["table_name"], name=r["name"], definition=r["definition"])
                for r in self._rows("referencing_foreign_keys", {"schema": schema, "table": table, "column": column})]

    def sequence_owner(self, schema: str, name: str) -> tuple[str, str, str] | None:
        """``(schema, table, column)`` of the column a sequence feeds (serial or identity)."""
        rows = self._rows("sequence_owner", {"schema": schema, "name": name})
        return (rows[0]["schema"], rows[0]["table_name"], rows[0]["column_name"]) if rows else None

    def sequence_type(self, schema: str, name: str) -> str | None:
        rows = self._rows("sequence_type", {"schema": schema, "name": name})
        return rows[0]["data_type"] if rows else None
