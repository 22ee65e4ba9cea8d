"""Relations: per table — sizes (heap, TOAST, indexes), row estimates, scans, writes, live/dead tuples,
(auto)vacuum/analyze times and counts, ``relfrozenxid``/``relminmxid`` age; per index — size, scans,
tuples read/fetched, ``last_idx_scan`` (PG 16+), validity, definition, unique/primary/constraint flags.

Partitions roll up to their top-level parent (sums of sizes and counters, latest of the times, oldest
xid age). Sizes and statistics come from catalogs and statistics views without opening any relation
(``pg_class.relpages``, never ``pg_relation_size()``, which takes an AccessShareLock), so DDL never
waits for this reader and this reader never waits for DDL.

Index definitions are the exception: ``pg_get_indexdef()`` and ``pg_get_expr()`` open the index's
table with an AccessShareLock (measured on PostgreSQL 15 and 18: both wait behind an ACCESS EXCLUSIVE
lock, as do ``pg_relation_size``, ``pg_table_size``, ``pg_indexes_size`` and
``pg_total_relation_size``; ``relpages``, ``pg_stats``, ``pg_stat_all_*``, ``pg_partition_root`` and
``::regclass`` do not). They are read by a second statement that skips the indexes of a relation
somebody holds or awaits an ACCESS EXCLUSIVE lock on, and reports them in ``unread``: one lock chain
never blinds the collection of every other relation. Should a lock arrive between that check and the
deparsing (a race), the statement is tried once more, then the run goes on without definitions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import psycopg
from psycopg.rows import class_row

from pgsql.sqlfiles import SqlDir

SQL = SqlDir(__file__)


@dataclass(frozen=True)
class TableStats:
    oid: int
    schema: str
    name: str
    kind: str
    heap_bytes: int
    toast_bytes: int
    index_bytes: int
    reltuples: int
    seq_scan: int
    seq_tup_read: int
    idx_scan: int
    idx_tup_fetch: int
    n_tup_ins: int
    n_tup_upd: int
    n_tup_del: int
    n_tup_hot_upd: int
    n_live_tup: int
    n_dead_tup: int
    n_mod_since_analyze: int
    vacuum_count: int
    autovacuum_count: int
    analyze_count: int
    autoanalyze_count: int
    xid_age: int
    mxid_age: int
    last_vacuum: dt.datetime | None
    last_autovacuum: dt.datetime | None
    last_analyze: dt.datetime | None
    last_autoanalyze: dt.datetime | None
    last_seq_scan: dt.datetime | None


@dataclass(frozen=True)
class IndexStats:
    oid: int
    schema: str
    name: str
    kind: str
    table_oid: int
    is_unique: bool
    is_primary: bool
    is_valid: bool
    constraint_type: str
    method: str
    bytes: int
    scans: int
    tup_read: int
    tup_fetch: int
    last_scan: dt.datetime | None
    # None: not read this time (its table was locked); the history keeps what it knew.
    definition: str | None = None
    key_columns: list[str] | None = None
    predicate: str | None = None


@dataclass(frozen=True)
class Definition:
    oid: int
    table_schema: str
    table_name: str
    readable: bool
    definition: str | None
    key_columns: list[str] | None
    predicate: str | None


@dataclass(frozen=True)
class RelationsSnapshot:
    tables: tuple[TableStats, ...]
    indexes: tuple[IndexStats, ...]
    unread: tuple[str, ...] = ()     # schema.table whose index definitions were not read (locked)
    definitions_failed: str = ""     # why no definition at all could be read this time


def read_relations(conn: psycopg.Connection[Any], major: int) -> RelationsSnapshot:
    tables = conn.cursor(row_factory=class_row(TableStats)).execute(
        SQL.load("relations/tables", major)).fetchall()
    indexes = conn.cursor(row_factory=class_row(IndexStats)).execute(
        SQL.load("relations/indexes", major)).fetchall()
    definitions, failed = _definitions(conn, major)
    unread = sorted({f"{d.table_schema}.{d.table_name}" for d in definitions.values() if not d.readable})
    merged = []
    for index in indexes:
        found = definitions.get(index.oid)
        if found is not None and found.readable:
            index = replace(index, definition=found.definition, key_columns=found.key_columns,
                            predicate=found.predicate)
        merged.append(index)
    return RelationsSnapshot(tables=tuple(tables), indexes=tuple(merged), unread=tuple(unread),
                             definitions_failed=failed)


def _definitions(conn: psycopg.Connection[Any], major: int) -> tuple[dict[int, Definition], str]:
    cur = conn.cursor(row_factory=class_row(Definition))
    failed = ""
    for _attempt in (1, 2):
        try:
            return {d.oid: d for d in cur.execute(SQL.load("relations/definitions", major)).fetchall()}, ""
        except psycopg.errors.LockNotAvailable as exc:   # a lock taken after the statement looked
            failed = str(exc).strip().splitlines()[0]
    return {}, failed
