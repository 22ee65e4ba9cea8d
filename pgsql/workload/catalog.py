"""The part of the target's catalog the workload touches: tables, columns, types, statistics, indexes.

Read once per advisor run over the caller's (guarded, read-only) connection, so names in statements
resolve exactly as the server would resolve them: schema-qualified names as written, unqualified ones
through the session's ``search_path``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from psycopg.rows import dict_row

from pgsql.ident import quote_ident_if_needed
from pgsql.sqlfiles import SqlDir

SQL_FILES = SqlDir(__file__)
SYSTEM_SCHEMAS = frozenset({"pg_catalog", "information_schema", "pg_toast"})


@dataclass(frozen=True)
class Column:
    """A table column with the planner statistics that guide column order (``n_distinct`` as in pg_stats)."""

    name: str
    num: int
    cast_type: str  # schema-qualified type name usable in a cast, e.g. pg_catalog.int4
    display_type: str
    category: str  # pg_type.typcategory: N numeric, S string, D date/time, ...
    not_null: bool
    n_distinct: float | None
    avg_width: int | None
    null_frac: float | None
    correlation: float | None
    typlen: int = -1
    typalign: str = "i"
    dedup: bool = True  # a btree on it can deduplicate equal keys (PG 13+)
    c_collation: bool | None = None  # its collation is C or POSIX by name (None: not a collatable type)


@dataclass(frozen=True)
class ExistingIndex:
    """An index that already exists on a workload table (its key columns, None for an expression)."""

    oid: int
    table_oid: int
    name: str
    method: str
    columns: tuple[str | None, ...]
    key_count: int
    is_unique: bool
    is_primary: bool
    is_valid: bool
    is_partial: bool
    definition: str
    size_bytes: int

    @property
    def key_columns(self) -> tuple[str | None, ...]:
        return self.columns[: self.key_count]


@dataclass
class Table:
    """A relation of the workload. ``kind`` is pg_class.relkind (r table, p partitioned, m matview, v view)."""

    oid: int
    schema: str
    name: str
    kind: str
    reltuples: float
    relpages: int
    columns: dict[str, Column] = field(default_factory=dict)
    indexes: list[ExistingIndex] = field(default_factory=list)

    @property
    def qualified(self) -> str:
        return f"{quote_ident_if_needed(self.schema)}.{quote_ident_if_needed(self.name)}"

    @property
    def indexable(self) -> bool:
        """Plain tables and materialized views take (hypothetical) btree indexes; views and the system
        catalogs (which only the server itself may index) do not."""
        return self.kind in ("r", "m") and self.schema not in SYSTEM_SCHEMAS

    def __hash__(self) -> int:
        return hash(self.oid)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Table) and other.oid == self.oid


class Catalog:
    """Relations resolved against the target; build it with :func:`load_catalog`."""

    def __init__(self, rows: Iterable[dict[str, Any]]) -> None:
        self._by_name: dict[str, list[tuple[int | None, Table]]] = {}
        self.tables: dict[int, Table] = {}
        for row in rows:
            table = Table(oid=row["oid"], schema=row["schema"], name=row["name"], kind=row["kind"],
                          reltuples=row["reltuples"], relpages=row["relpages"])
            self.tables[table.oid] = table
            self._by_name.setdefault(table.name, []).append((row["search_rank"], table))

    def resolve(self, schema: str | None, name: str) -> Table | None:
        """The relation ``schema.name``, or the first ``name`` on the search path when unqualified."""
        found = self._by_name.get(name, [])
        if schema is not None:
            return next((t for _, t in found if t.schema == schema), None)
        visible = sorted(((rank, t) for rank, t in found if rank is not None), key=lambda pair: pair[0])
        return visible[0][1] if visible else None


def load_catalog(conn: Any, names: Iterable[str]) -> Catalog:
    """Read the relations called ``names`` (in any schema), their columns and existing indexes."""
    wanted = sorted(set(names))
    with conn.cursor(row_factory=dict_row) as cur:
        catalog = Catalog(cur.execute(SQL_FILES.load("relations"), {"names": wanted}).fetchall())
        oids = list(catalog.tables)
        if not oids:
            return catalog
        for row in cur.execute(SQL_FILES.load("columns"), {"oids": oids}).fetchall():
            column = Column(name=row["name"], num=row["num"], cast_type=row["cast_type"],
                            display_type=row["display_type"], category=row["category"],
                            not_null=row["not_null"], n_distinct=row["n_distinct"],
                            avg_width=row["avg_width"], null_frac=row["null_frac"],
                            correlation=row["correlation"], typlen=row["typlen"], typalign=row["typalign"],
                            dedup=row["dedup"], c_collation=row["c_collation"])
            catalog.tables[row["relid"]].columns[column.name] = column
        for row in cur.execute(SQL_FILES.load("indexes"), {"oids": oids}).fetchall():
            index = ExistingIndex(oid=row["oid"], table_oid=row["relid"], name=row["name"],
                                  method=row["method"], columns=tuple(row["columns"]),
                                  key_count=row["key_count"], is_unique=row["is_unique"],
                                  is_primary=row["is_primary"], is_valid=row["is_valid"],
                                  is_partial=row["is_partial"], definition=row["definition"],
                                  size_bytes=row["size_bytes"])
            catalog.tables[row["relid"]].indexes.append(index)
    return catalog


def distinct_values(table: Table, column: str) -> float:
    """How many distinct values the planner believes ``column`` has (pg_stats' negative form resolved)."""
    col = table.columns.get(column)
    if col is None or col.n_distinct is None:
        return 200.0  # the planner's own default when it knows nothing (DEFAULT_NUM_DISTINCT)
    if col.n_distinct < 0:
        return max(1.0, -col.n_distinct * max(table.reltuples, 1.0))
    return max(1.0, col.n_distinct)
