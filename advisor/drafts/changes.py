"""What a recommendation wants done to a target, as plain frozen data.

The advisor's recommendations are mapped onto these; :func:`advisor.drafts.generate_draft` turns one
or several of them into SQL, Django and Alembic drafts. A change holds names exactly as the catalog
spells them (unquoted: ``Orders``, not ``"Orders"``); quoting happens when a draft is rendered.
Validation happens here, at construction, so a draft is never rendered from a change that cannot work.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Literal

from advisor.drafts.reloptions import AUTOVACUUM_PARAMETERS, autovacuum_value
from pgsql.ident import check_identifier_length, choose_name, normalize_expression

FK_ACTIONS = ("NO ACTION", "RESTRICT", "CASCADE", "SET NULL", "SET DEFAULT")
INDEX_METHODS = ("btree", "hash", "gist", "spgist", "gin", "brin")
DROP_REASONS = ("unused", "duplicate", "redundant", "invalid")

_OPCLASS = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class Change:
    """Base of every change: it acts on one table (``schema``.``table``)."""

    kind: ClassVar[str] = "change"
    schema: str
    table: str

    def __post_init__(self) -> None:
        for name in (self.schema, self.table):
            if not name:
                raise ValueError(f"{type(self).__name__}: schema and table are required")
            check_identifier_length(name)

    @property
    def slug(self) -> str:
        """A short file-name friendly description, e.g. ``create_index_orders_customer_id_idx``."""
        return f"{self.kind}_{self.table}"


@dataclass(frozen=True)
class IndexKey:
    """One key of an index: a column, or an expression (``lower(email)``), with its order and opclass."""

    column: str | None = None
    expression: str | None = None
    descending: bool = False
    opclass: str | None = None

    def __post_init__(self) -> None:
        if (self.column is None) == (self.expression is None):
            raise ValueError("an index key is either a column or an expression")
        if self.expression is not None:
            object.__setattr__(self, "expression", normalize_expression(self.expression))
        if self.opclass is not None and not _OPCLASS.match(self.opclass):
            raise ValueError(f"not an operator class name: {self.opclass!r}")

    @property
    def label(self) -> str:
        """The part of a generated index name this key contributes."""
        if self.column is not None:
            return self.column
        return re.sub(r"\W+", "_", self.expression or "").strip("_").lower() or "expr"


def _keys(keys: tuple[IndexKey | str, ...]) -> tuple[IndexKey, ...]:
    return tuple(k if isinstance(k, IndexKey) else IndexKey(column=k) for k in keys)


@dataclass(frozen=True)
class CreateIndex(Change):
    """A missing index: built with ``CREATE INDEX CONCURRENTLY IF NOT EXISTS``; rollback drops it."""

    kind: ClassVar[str] = "create_index"
    keys: tuple[IndexKey | str, ...] = ()
    unique: bool = False
    include: tuple[str, ...] = ()
    where: str | None = None
    method: str = "btree"
    name: str | None = None
    reason: str = "missing index"

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "keys", _keys(tuple(self.keys)))
        if not self.keys:
            raise ValueError("an index needs at least one key")
        if self.method not in INDEX_METHODS:
            raise ValueError(f"unknown index method {self.method!r}")
        if self.where is not None:
            object.__setattr__(self, "where", normalize_expression(self.where, what="predicate"))
        if self.name is None:
            labels = [k.label for k in self.index_keys]
            object.__setattr__(self, "name", choose_name(self.table, labels, "key" if self.unique else "idx"))
        check_identifier_length(self.index_name)

    @property
    def index_keys(self) -> tuple[IndexKey, ...]:
        return tuple(k for k in self.keys if isinstance(k, IndexKey))

    @property
    def index_name(self) -> str:
        assert self.name is not None
        return self.name

    @property
    def columns_only(self) -> bool:
        """True for a plain index on columns — the shape Django's ``models.Index(fields=…)`` can express."""
        return (self.method == "btree" and self.where is None
                and all(k.column is not None and k.opclass is None for k in self.index_keys))

    @property
    def slug(self) -> str:
        return f"create_index_{self.index_name}"


@dataclass(frozen=True)
class AddForeignKeyIndex(Change):
    """An index on a foreign key's referencing columns, so deletes on the parent don't scan the child."""

    kind: ClassVar[str] = "fk_index"
    columns: tuple[str, ...] = ()
    constraint: str = ""
    name: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.columns:
            raise ValueError("a foreign key index needs the referencing columns")

    def as_create_index(self) -> CreateIndex:
        """The index itself: a btree on the referencing columns, in the constraint's column order."""
        return CreateIndex(self.schema, self.table, keys=tuple(self.columns), name=self.name,
                           reason=f"supports foreign key {self.constraint}")

    @property
    def slug(self) -> str:
        return f"fk_index_{self.as_create_index().index_name}"


@dataclass(frozen=True)
class DropIndex(Change):
    """An unused, duplicate, redundant or invalid index; ``definition`` (``pg_get_indexdef``) rebuilds it."""

    kind: ClassVar[str] = "drop_index"
    name: str = ""
    definition: str = ""
    reason: Literal["unused", "duplicate", "redundant", "invalid"] = "unused"
    covered_by: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.name or not self.definition:
            raise ValueError("dropping an index needs its name and its definition (for the rollback)")
        if self.reason not in DROP_REASONS:
            raise ValueError(f"unknown reason {self.reason!r}")

    @property
    def slug(self) -> str:
        return f"drop_index_{self.name}"


@dataclass(frozen=True)
class ReindexIndex(Change):
    """A bloated (or invalid) index rebuilt with ``REINDEX INDEX CONCURRENTLY`` (PostgreSQL 12+)."""

    kind: ClassVar[str] = "reindex"
    name: str = ""

    @property
    def slug(self) -> str:
        return f"reindex_{self.name}"


@dataclass(frozen=True)
class ReduceTableBloat(Change):
    """A bloated table: guidance on VACUUM, pg_repack and VACUUM FULL; only a plain VACUUM runs."""

    kind: ClassVar[str] = "table_bloat"
    bloat_bytes: int | None = None
    table_bytes: int | None = None


@dataclass(frozen=True)
class SetAutovacuum(Change):
    """Per-table autovacuum settings; ``previous`` holds the table's current values for the rollback."""

    kind: ClassVar[str] = "autovacuum"
    settings: Mapping[str, str | int | float | bool] = field(default_factory=dict)
    previous: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.settings:
            raise ValueError("no autovacuum settings given")
        for key, value in [*self.settings.items(), *self.previous.items()]:
            expected = AUTOVACUUM_PARAMETERS.get(key)
            if expected is None:
                raise ValueError(f"not a per-table autovacuum parameter: {key!r}")
            autovacuum_value(key, value)


@dataclass(frozen=True)
class ValidateConstraint(Change):
    """A ``NOT VALID`` constraint to validate (SHARE UPDATE EXCLUSIVE: reads and writes go on)."""

    kind: ClassVar[str] = "validate_constraint"
    name: str = ""

    @property
    def slug(self) -> str:
        return f"validate_{self.name}"


@dataclass(frozen=True)
class AddForeignKey(Change):
    """A foreign key added ``NOT VALID`` and validated separately, with its supporting index first."""

    kind: ClassVar[str] = "add_foreign_key"
    columns: tuple[str, ...] = ()
    ref_schema: str = "public"
    ref_table: str = ""
    ref_columns: tuple[str, ...] = ()
    name: str | None = None
    on_delete: str = "NO ACTION"
    on_update: str = "NO ACTION"
    create_index: bool = True
    index_name: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.columns or len(self.columns) != len(self.ref_columns) or not self.ref_table:
            raise ValueError("a foreign key needs columns and as many referenced columns")
        for action in (self.on_delete, self.on_update):
            if action not in FK_ACTIONS:
                raise ValueError(f"unknown referential action {action!r}")
        if self.name is None:
            object.__setattr__(self, "name", choose_name(self.table, list(self.columns), "fkey"))
        check_identifier_length(self.constraint_name)

    @property
    def constraint_name(self) -> str:
        assert self.name is not None
        return self.name

    def supporting_index(self) -> CreateIndex:
        """The index on the referencing columns that keeps parent deletes and updates cheap."""
        return CreateIndex(self.schema, self.table, keys=tuple(self.columns), name=self.index_name,
                           reason=f"supports foreign key {self.constraint_name}")

    @property
    def slug(self) -> str:
        return f"add_fk_{self.constraint_name}"


@dataclass(frozen=True)
class AddUniqueConstraint(Change):
    """A unique constraint built from a concurrently created unique index (``USING INDEX``)."""

    kind: ClassVar[str] = "add_unique"
    columns: tuple[str, ...] = ()
    name: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.columns:
            raise ValueError("a unique constraint needs columns")
        if self.name is None:
            object.__setattr__(self, "name", choose_name(self.table, list(self.columns), "key"))
        check_identifier_length(self.constraint_name)

    @property
    def constraint_name(self) -> str:
        assert self.name is not None
        return self.name

    @property
    def slug(self) -> str:
        return f"add_unique_{self.constraint_name}"


@dataclass(frozen=True)
class WidenSequence(Change):
    """A sequence declared ``AS integer`` (or smallint) whose column is already bigint: ``AS bigint``.

    ``table`` is the sequence's name here (a sequence is a relation too).
    """

    kind: ClassVar[str] = "widen_sequence"
    previous_type: Literal["integer", "smallint"] = "integer"

    @property
    def slug(self) -> str:
        return f"widen_sequence_{self.table}"


@dataclass(frozen=True)
class ForeignKeyDef:
    """A foreign key of another table that references the column being migrated."""

    schema: str
    table: str
    name: str
    definition: str  # pg_get_constraintdef(oid), e.g. FOREIGN KEY (order_id) REFERENCES orders(id)


@dataclass(frozen=True)
class BigintMigration(Change):
    """An integer column near overflow moved to bigint as a staged plan (no table rewrite under lock).

    ``key_column`` orders the batched backfill (defaults to the column itself, right for a primary key).
    ``sequence``/``sequence_schema`` name the serial sequence behind the column's default, or
    ``identity`` is ``"a"``/``"d"`` (GENERATED ALWAYS / BY DEFAULT) for an identity column.
    ``other_indexes`` are ``pg_get_indexdef`` texts of non-primary-key indexes on the column; they are
    rebuilt on the new column. ``referencing_foreign_keys`` are moved to the new primary key.
    """

    kind: ClassVar[str] = "bigint"
    column: str = ""
    key_column: str | None = None
    primary_key: str | None = None
    not_null: bool = True
    sequence: str | None = None
    sequence_schema: str | None = None
    identity: Literal["", "a", "d"] = ""
    other_indexes: tuple[str, ...] = ()
    referencing_foreign_keys: tuple[ForeignKeyDef, ...] = ()
    batch_size: int = 10_000

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.column:
            raise ValueError("which column?")
        if self.identity and self.sequence:
            raise ValueError("a column is either an identity column or has a serial sequence, not both")
        if (self.primary_key or self.identity) and not self.not_null:
            raise ValueError("a primary key or identity column is NOT NULL")
        if self.batch_size < 1:
            raise ValueError("batch_size must be positive")
        for name in (self.new_column, self.old_column):
            check_identifier_length(name)

    @property
    def new_column(self) -> str:
        """The bigint column built beside the old one (named like the old one after the swap);
        ``<column>_bigint``, shortened with a hash when that would pass 63 bytes."""
        return choose_name(self.column, [], "bigint")

    @property
    def old_column(self) -> str:
        """What the old integer column is renamed to at the swap, kept until the cleanup stage."""
        return choose_name(self.column, [], "int")

    @property
    def batch_key(self) -> str:
        return self.key_column or self.column

    @property
    def slug(self) -> str:
        return f"bigint_{self.table}_{self.column}"


ALL_CHANGES: tuple[type[Change], ...] = (
    CreateIndex, AddForeignKeyIndex, DropIndex, ReindexIndex, ReduceTableBloat, SetAutovacuum,
    ValidateConstraint, AddForeignKey, AddUniqueConstraint, WidenSequence, BigintMigration,
)
