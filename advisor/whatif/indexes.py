"""A btree index that may not exist yet: key columns (or one expression), INCLUDE columns, predicate."""

from __future__ import annotations

from dataclasses import dataclass, field

from pgsql.ident import quote_ident_if_needed
from pgsql.workload.catalog import Table


@dataclass(frozen=True)
class IndexSpec:
    """An index definition on ``table``.

    ``columns`` are the key columns in order. ``expression`` (SQL, columns unqualified) is an extra
    leading key such as ``lower(email)``; ``expression_columns`` are the columns it reads. ``where``
    makes it a partial index. ``opclasses`` names a non-default operator class for some key columns
    (``text_pattern_ops``: LIKE 'prefix%' under a collation other than C). Two specs are equal when
    they define the same index.
    """

    table: Table
    columns: tuple[str, ...]
    include: tuple[str, ...] = ()
    where: str | None = None
    expression: str | None = None
    expression_columns: tuple[str, ...] = field(default=(), compare=False)
    opclasses: tuple[tuple[str, str], ...] = ()

    def opclass(self, column: str) -> str | None:
        return dict(self.opclasses).get(column)

    @property
    def keys(self) -> tuple[str, ...]:
        """Key items as written in the definition (the expression in parentheses first)."""
        lead = (f"({self.expression})",) if self.expression else ()
        return lead + tuple(quote_ident_if_needed(c) + (f" {self.opclass(c)}" if self.opclass(c) else "")
                            for c in self.columns)

    @property
    def mentions(self) -> frozenset[str]:
        """Every table column the index stores or filters on (what makes it relevant to a statement)."""
        where_cols = frozenset(self.expression_columns) if self.where else frozenset()
        return frozenset(self.columns) | frozenset(self.include) | frozenset(self.expression_columns) | where_cols

    @property
    def width(self) -> int:
        return len(self.columns) + (1 if self.expression else 0)

    def create_sql(self, name: str | None = None, *, concurrently: bool = False) -> str:
        """``CREATE INDEX`` for this spec (HypoPG takes it without a name)."""
        parts = ["CREATE INDEX"]
        if concurrently:
            parts.append("CONCURRENTLY")
        if name:
            parts.append(quote_ident_if_needed(name))
        parts.append(f"ON {self.table.qualified} USING btree ({', '.join(self.keys)})")
        if self.include:
            parts.append(f"INCLUDE ({', '.join(quote_ident_if_needed(c) for c in self.include)})")
        if self.where:
            parts.append(f"WHERE {self.where}")
        return " ".join(parts)

    def label(self) -> str:
        """Short human form: ``public.orders (o_custkey, o_orderdate)``."""
        text = f"{self.table.qualified} ({', '.join(self.keys)})"
        if self.include:
            text += f" INCLUDE ({', '.join(self.include)})"
        if self.where:
            text += f" WHERE {self.where}"
        return text

    def suggested_name(self, taken: set[str] | None = None) -> str:
        """A readable index name within PostgreSQL's 63 bytes: ``orders_o_custkey_o_orderdate_idx``;
        numbered when ``taken`` (names used by the same advice) already has it."""
        stem = "_".join([self.table.name, *(self.columns or ("expr",))])
        if self.expression and self.columns:
            stem = "_".join([self.table.name, "expr", *self.columns])
        if self.opclasses:
            stem += "_pattern"
        if self.include:
            stem += "_incl"
        if self.where:
            stem += "_part"
        stem = stem.lower()[:56]
        name, number = f"{stem}_idx", 1
        while taken is not None and name in taken:
            number += 1
            name = f"{stem}_idx{number}"
        if taken is not None:
            taken.add(name)
        return name

    def extended(self, column: str) -> IndexSpec:
        """This index with one more key column at the end (Extend's step)."""
        return IndexSpec(table=self.table, columns=(*self.columns, column), include=tuple(
            c for c in self.include if c != column), where=self.where, expression=self.expression,
            expression_columns=self.expression_columns, opclasses=self.opclasses)

    def prefix(self, width: int) -> IndexSpec:
        """The index on the first ``width`` key columns only."""
        columns = self.columns[:width]
        return IndexSpec(table=self.table, columns=columns, where=self.where, expression=self.expression,
                         expression_columns=self.expression_columns,
                         opclasses=tuple((c, o) for c, o in self.opclasses if c in columns))

    def is_prefix_of(self, other: IndexSpec) -> bool:
        """True when ``other`` can serve every lookup this index serves (same table, same leading keys)."""
        return (self.table.oid == other.table.oid and self.where == other.where
                and self.expression == other.expression and len(self.columns) <= len(other.columns)
                and other.columns[: len(self.columns)] == self.columns
                and all(self.opclass(c) == other.opclass(c) for c in self.columns))

    def sort_key(self) -> tuple[str, ...]:
        """A stable order for specs (sets of specs iterate in hash order, which varies by process)."""
        return (self.table.qualified, *self.keys, "|", *self.include, "|", self.where or "")
