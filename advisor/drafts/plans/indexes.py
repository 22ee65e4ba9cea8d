"""Index changes: create (missing, FK-supporting), drop (unused, duplicate, redundant, invalid), reindex."""

from __future__ import annotations

from pglast import ast, parse_sql
from pglast.enums import SortByDir
from pglast.parser import ParseError
from pglast.stream import RawStream

from advisor.drafts.changes import AddForeignKeyIndex, CreateIndex, DropIndex, ReindexIndex
from advisor.drafts.plan import DjangoIndexSpec, Plan, Step
from advisor.drafts.plans.common import (
    assert_index_valid_sql,
    create_index_sql,
    drop_index_sql,
    invalid_index_help,
)
from pgsql.ident import qualified, quote_literal

BUILD_NOTES = (
    "CONCURRENTLY takes SHARE UPDATE EXCLUSIVE: reads and writes continue during the build; it scans",
    "the table twice and waits for transactions older than the build, so a long-running transaction",
    "delays it. It cannot run inside a transaction block: run this file with psql -f, not in BEGIN.",
)


def index_steps(index: CreateIndex) -> Step:
    """The step that builds ``index`` concurrently and checks that the result is valid."""
    return Step(
        title=f"create index {index.index_name} on {index.schema}.{index.table} ({index.reason})",
        forward=(create_index_sql(index), assert_index_valid_sql(index.schema, index.index_name)),
        rollback=(drop_index_sql(index.schema, index.index_name),),
        mode="concurrent",
        notes=BUILD_NOTES,
        on_failure=invalid_index_help(index.schema, index.index_name),
    )


def _django_spec(index: CreateIndex, operation: str) -> DjangoIndexSpec | None:
    if not index.columns_only or index.unique:
        return None  # Django's Index cannot say UNIQUE, WHERE, opclasses or other methods without Q/expressions
    keys = index.index_keys
    return DjangoIndexSpec(
        operation="add" if operation == "add" else "remove", schema=index.schema, table=index.table,
        name=index.index_name, columns=tuple(k.column or "" for k in keys),
        descending=tuple(k.descending for k in keys), include=index.include,
    )


def plan_create_index(index: CreateIndex) -> Plan:
    """A missing index, built concurrently; rollback drops it concurrently."""
    return Plan(title=f"Create index {index.index_name}", steps=(index_steps(index),),
                django_index=_django_spec(index, "add"))


def plan_fk_index(change: AddForeignKeyIndex) -> Plan:
    """The index a foreign key's referencing side lacks (deletes/updates on the parent scan the child)."""
    index = change.as_create_index()
    return Plan(title=f"Index for foreign key {change.constraint}", steps=(index_steps(index),),
                django_index=_django_spec(index, "add"))


def recreate_index_sql(change: DropIndex) -> str:
    """The dropped index's definition rewritten as ``CREATE INDEX CONCURRENTLY IF NOT EXISTS``."""
    try:
        stmts = parse_sql(change.definition)
    except ParseError as exc:
        raise ValueError(f"index definition does not parse: {exc}") from None
    if len(stmts) != 1 or not isinstance(stmts[0].stmt, ast.IndexStmt):
        raise ValueError("index definition must be one CREATE INDEX statement (pg_get_indexdef)")
    stmt = stmts[0].stmt
    stmt.concurrent = True
    stmt.if_not_exists = True
    stmt.idxname = change.name
    if stmt.relation is not None and not stmt.relation.schemaname:
        stmt.relation.schemaname = change.schema
    return str(RawStream()(stmt))


def plan_drop_index(change: DropIndex) -> Plan:
    """Drop an index concurrently; the rollback rebuilds it concurrently from its definition."""
    why = {
        "unused": "no scans over the observed window (usage on replicas that are not targets is unknown)",
        "duplicate": f"same definition as {change.covered_by or 'another index'}",
        "redundant": f"its keys are a prefix of {change.covered_by or 'another index'}",
        "invalid": "INVALID: a failed concurrent build; never used by queries, still maintained on writes",
    }[change.reason]
    rollback = (recreate_index_sql(change), assert_index_valid_sql(change.schema, change.name))
    step = Step(
        title=f"drop index {change.name} on {change.schema}.{change.table}: {why}",
        forward=(drop_index_sql(change.schema, change.name),),
        rollback=rollback,
        mode="concurrent",
        notes=(
            "DROP INDEX CONCURRENTLY takes SHARE UPDATE EXCLUSIVE: reads and writes continue.",
            f"Before: {change.definition}",
        ),
        on_failure=("If it fails, the index may be left INVALID; run the same DROP again.",),
        rollback_notes=("The rollback rebuilds the index concurrently from its saved definition.",),
    )
    spec = None
    try:
        parsed = parse_sql(change.definition)[0].stmt
    except ParseError:
        parsed = None
    if isinstance(parsed, ast.IndexStmt) and _is_plain(parsed):
        cols = tuple(e.name for e in parsed.indexParams or ())
        desc = tuple(e.ordering == SortByDir.SORTBY_DESC for e in parsed.indexParams or ())
        spec = DjangoIndexSpec(operation="remove", schema=change.schema, table=change.table,
                               name=change.name, columns=cols, descending=desc)
    return Plan(title=f"Drop index {change.name}", steps=(step,), django_index=spec)


def _is_plain(stmt: ast.IndexStmt) -> bool:
    return (stmt.accessMethod == "btree" and not stmt.unique and stmt.whereClause is None
            and not stmt.indexIncludingParams
            and all(e.name and not e.opclass and not e.collation for e in stmt.indexParams or ()))


def plan_reindex(change: ReindexIndex) -> Plan:
    """Rebuild a bloated index with ``REINDEX INDEX CONCURRENTLY``; nothing to roll back."""
    target = qualified(change.schema, change.name)
    leftover = quote_literal(change.name + "_ccnew%")
    step = Step(
        title=f"rebuild bloated index {change.name} on {change.schema}.{change.table}",
        forward=(f"REINDEX INDEX CONCURRENTLY {target}",),
        mode="concurrent",
        notes=(
            "REINDEX CONCURRENTLY (PostgreSQL 12+) builds a fresh copy beside the old index and swaps",
            "them; SHARE UPDATE EXCLUSIVE, so reads and writes continue. Needs free disk for the copy.",
        ),
        on_failure=(
            "A failed REINDEX CONCURRENTLY leaves an INVALID copy named like <index>_ccnew. Find it:",
            "  SELECT i.indexrelid::regclass FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c "
            f"ON c.oid = i.indexrelid WHERE NOT i.indisvalid AND c.relname LIKE {leftover};",
            "and drop each with DROP INDEX CONCURRENTLY IF EXISTS <that name>; then run the step again.",
        ),
        rollback_notes=("Nothing to roll back: the rebuilt index has the same definition and name.",),
    )
    return Plan(title=f"Reindex {change.name}", steps=(step,))
