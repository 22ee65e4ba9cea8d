"""Relations: per table — sizes (heap, TOAST, indexes), row estimates, scans, writes, live/dead tuples,
(auto)vacuum/analyze times and counts, ``relfrozenxid``/``relminmxid`` age; per index — size, scans,
tuples read/fetched, ``last_idx_scan`` (PG 16+), validity, definition, unique/primary/constraint flags.

Partitions roll up to their top-level parent (sums of sizes and counters, latest of the times, oldest
xid age). Everything comes from catalogs and statistics views; no relation is opened, so DDL never
waits for this reader and this reader never waits for DDL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
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
    definition: str
    key_columns: list[str]
    predicate: str
    bytes: int
    scans: int
    tup_read: int
    tup_fetch: int
    last_scan: dt.datetime | None


@dataclass(frozen=True)
class RelationsSnapshot:
    tables: tuple[TableStats, ...]
    indexes: tuple[IndexStats, ...]


def read_relations(conn: psycopg.Connection[Any], major: int) -> RelationsSnapshot:
    tables = conn.cursor(row_factory=class_row(TableStats)).execute(
        SQL.load("relations/tables", major)).fetchall()
    indexes = conn.cursor(row_factory=class_row(IndexStats)).execute(
        SQL.load("relations/indexes", major)).fetchall()
    return RelationsSnapshot(tables=tuple(tables), indexes=tuple(indexes))
