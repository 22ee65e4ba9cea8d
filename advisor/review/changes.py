"""Change specs made exact: a recommendation's specs (:mod:`advisor.rules.changes`) → draft changes.

A rule writes specs from the history store. Turning them into :mod:`advisor.drafts` changes happens
when someone asks for a draft, with the target's catalog at hand, because a draft must be exact *now*:
the index name still free (``IF NOT EXISTS`` would silently keep a different index of the same name),
the index's ``pg_get_indexdef`` for the rollback of a drop, the table's current storage parameters for
the rollback of a ``SET``, the sequence, identity, indexes and foreign keys around a column moving to
bigint.
"""

from __future__ import annotations

from collections.abc import Callable

from advisor.drafts import (
    AddForeignKeyIndex,
    BigintMigration,
    Change,
    CreateIndex,
    DropIndex,
    ForeignKeyDef,
    IndexKey,
    ReduceTableBloat,
    ReindexIndex,
    SetAutovacuum,
    ValidateConstraint,
    WidenSequence,
)
from advisor.drafts.reloptions import AUTOVACUUM_PARAMETERS
from advisor.rules.catalog import Catalog
from advisor.rules.changes import Spec


class StaleChange(ValueError):
    """The catalog no longer matches the recommendation (the index was dropped, the column changed)."""


def _create_index(spec: Spec, catalog: Catalog) -> Change:
    keys: list[IndexKey | str] = [IndexKey(expression=spec["expression"])] if spec.get("expression") else []
    opclasses = spec.get("opclasses") or {}
    keys += [IndexKey(column=c, opclass=opclasses[c]) if c in opclasses else c for c in spec.get("columns") or []]
    change = CreateIndex(spec["schema"], spec["table"], keys=tuple(keys), include=tuple(spec.get("include") or ()),
                         where=spec.get("where"), name=spec.get("name"))
    free = free_name(catalog, spec["schema"], change.index_name)
    if free != change.index_name:
        change = CreateIndex(spec["schema"], spec["table"], keys=tuple(keys),
                             include=tuple(spec.get("include") or ()), where=spec.get("where"), name=free)
    return change


def _fk_index(spec: Spec, catalog: Catalog) -> Change:
    change = AddForeignKeyIndex(spec["schema"], spec["table"], columns=tuple(spec["columns"]),
                                constraint=spec["constraint"])
    wanted = change.as_create_index().index_name
    free = free_name(catalog, spec["schema"], wanted)
    if free != wanted:
        change = AddForeignKeyIndex(spec["schema"], spec["table"], columns=tuple(spec["columns"]),
                                    constraint=spec["constraint"], name=free)
    return change


def _drop_index(spec: Spec, catalog: Catalog) -> Change:
    found = catalog.index_definition(spec["schema"], spec["name"])
    if found is None:
        raise StaleChange(f"index {spec['schema']}.{spec['name']} no longer exists")
    return DropIndex(spec["schema"], spec["table"], name=spec["name"], definition=found[0], reason=spec["reason"],
                     covered_by=spec.get("covered_by"))


def _reindex(spec: Spec, catalog: Catalog) -> Change:
    if catalog.index_definition(spec["schema"], spec["name"]) is None:
        raise StaleChange(f"index {spec['schema']}.{spec['name']} no longer exists")
    return ReindexIndex(spec["schema"], spec["table"], name=spec["name"])


def _table_bloat(spec: Spec, catalog: Catalog) -> Change:
    return ReduceTableBloat(spec["schema"], spec["table"], bloat_bytes=spec.get("bloat_bytes"),
                            table_bytes=spec.get("table_bytes"))


def _autovacuum(spec: Spec, catalog: Catalog) -> Change:
    current = catalog.reloptions().get(f"{spec['schema']}.{spec['table']}", {})
    # Only autovacuum parameters are ours to restore; fillfactor and friends are left alone.
    previous = {k: v for k, v in current.items() if k in AUTOVACUUM_PARAMETERS}
    return SetAutovacuum(spec["schema"], spec["table"], settings=dict(spec["settings"]), previous=previous)


def _validate(spec: Spec, catalog: Catalog) -> Change:
    return ValidateConstraint(spec["schema"], spec["table"], name=spec["name"])


def _widen_sequence(spec: Spec, catalog: Catalog) -> Change:
    declared = catalog.sequence_type(spec["schema"], spec["sequence"])
    if declared == "integer":
        return WidenSequence(spec["schema"], spec["sequence"], previous_type="integer")
    if declared == "smallint":
        return WidenSequence(spec["schema"], spec["sequence"], previous_type="smallint")
    raise StaleChange(f"sequence {spec['schema']}.{spec['sequence']} is {declared or 'gone'}, not integer")


def _bigint(spec: Spec, catalog: Catalog) -> Change:
    owner = catalog.sequence_owner(spec["sequence_schema"], spec["sequence"])
    if owner is None:
        raise StaleChange(f"sequence {spec['sequence_schema']}.{spec['sequence']} no longer feeds a column")
    schema, table, column = owner
    if f"{schema}.{table}.{column}" != spec["column_path"]:
        raise StaleChange(f"sequence {spec['sequence']} now feeds {schema}.{table}.{column}, "
                          f"not {spec['column_path']}")
    info = catalog.integer_column(schema, table, column)
    if info is None:
        raise StaleChange(f"column {schema}.{table}.{column} no longer exists")
    if info.column_type not in ("integer", "smallint"):
        raise StaleChange(f"column {schema}.{table}.{column} is already {info.column_type}")
    primary_key = info.primary_key
    referencing = tuple(ForeignKeyDef(k.schema, k.table, k.name, k.definition)
                        for k in catalog.referencing_keys(schema, table, column)) if primary_key else ()
    identity = info.identity if info.identity in ("a", "d") else ""
    return BigintMigration(
        schema, table, column=column, primary_key=primary_key, not_null=info.not_null,
        sequence=None if identity else info.sequence_name,
        sequence_schema=None if identity else info.sequence_schema,
        identity=identity,  # type: ignore[arg-type]
        other_indexes=tuple(catalog.column_indexes(schema, table, column)),
        referencing_foreign_keys=referencing,
    )


BUILDERS: dict[str, Callable[[Spec, Catalog], Change]] = {
    "create_index": _create_index,
    "fk_index": _fk_index,
    "drop_index": _drop_index,
    "reindex": _reindex,
    "table_bloat": _table_bloat,
    "autovacuum": _autovacuum,
    "validate_constraint": _validate,
    "widen_sequence": _widen_sequence,
    "bigint": _bigint,
}


def build_change(spec: Spec, catalog: Catalog, reserved: set[str] | None = None) -> Change:
    """The draft change for ``spec``, exact against the catalog; raises ``StaleChange``.

    New index names are checked against the catalog and against ``reserved`` (names earlier changes of
    the same draft create); the name a change ends up creating is added to ``reserved``.
    """
    builder = BUILDERS.get(spec.get("type", ""))
    if builder is None:
        raise ValueError(f"unknown change type {spec.get('type')!r}")
    reserved = reserved if reserved is not None else set()
    change = builder(spec, _Reserving(catalog, reserved))
    created = created_index_name(change)
    if created:
        reserved.add(created)
    return change


def created_index_name(change: Change) -> str | None:
    if isinstance(change, CreateIndex):
        return change.index_name
    if isinstance(change, AddForeignKeyIndex):
        return change.as_create_index().index_name
    return None


class _Reserving(Catalog):
    """The catalog as seen by one change of a draft: names reserved by earlier changes count as taken."""

    def __init__(self, inner: Catalog, reserved: set[str]) -> None:
        super().__init__(inner.conn)
        self.reserved = reserved

    def taken_names(self, schema: str, names: list[str]) -> set[str]:
        return super().taken_names(schema, names) | (self.reserved & set(names))


def free_name(catalog: Catalog, schema: str, wanted: str) -> str:
    """``wanted`` if no relation of ``schema`` holds it, else ``wanted`` with the first free suffix."""
    candidates = [wanted] + [_suffixed(wanted, n) for n in range(1, 10)]
    taken = catalog.taken_names(schema, candidates)
    for name in candidates:
        if name not in taken:
            return name
    raise StaleChange(f"no free name near {wanted!r} in schema {schema}")


def _suffixed(name: str, n: int) -> str:
    tail = f"{n}"
    base = name.encode()[: 63 - len(tail)].decode(errors="ignore")
    return base + tail
