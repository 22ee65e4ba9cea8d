"""Bloat: estimated table and btree-index bloat for every relation (catalog statistics only, see the
SQL files for the formula and its limits), and exact figures for the largest relations from
``pgstattuple_approx`` / ``pgstatindex`` when the pgstattuple extension is installed.

The exact functions read the relation, holding an AccessShareLock while they do: each one runs alone,
only on a relation nobody holds or waits for an ACCESS EXCLUSIVE lock on, with a short lock timeout
and a statement timeout, so a DDL statement is never kept waiting for more than a moment. A relation
that times out is skipped and reported, and the others are still measured.

Partitions fold into their top-level table (and partition indexes into the partitioned index).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.rows import class_row

from pgsql.sqlfiles import SqlDir

SQL = SqlDir(__file__)

FREE_OF_CONFLICTS = """
SELECT NOT EXISTS (
    SELECT 1 FROM pg_locks AS l WHERE l.relation = %s AND l.mode = 'AccessExclusiveLock'
)
"""
NAME_OF = """
SELECT n.nspname || '.' || c.relname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.oid = %s
"""
TABLE_EXACT = """
SELECT
    a.table_len,
    a.approx_tuple_len + 4 * a.approx_tuple_count,
    coalesce((SELECT o.option_value::int FROM pg_class AS c, pg_options_to_table(c.reloptions) AS o
              WHERE c.oid = %(oid)s AND o.option_name = 'fillfactor'), 100)
FROM pgstattuple_approx(%(oid)s) AS a
"""
INDEX_EXACT = """
SELECT
    s.index_size,
    s.leaf_pages * s.avg_leaf_density / 100.0,
    s.internal_pages,
    coalesce((SELECT o.option_value::int FROM pg_class AS c, pg_options_to_table(c.reloptions) AS o
              WHERE c.oid = %(oid)s AND o.option_name = 'fillfactor'), 90)
FROM pgstatindex(%(oid)s) AS s
"""


@dataclass(frozen=True)
class Estimate:
    oid: int
    root_oid: int
    kind: str
    size_bytes: int
    est_bloat_bytes: int | None
    has_stats: bool


@dataclass(frozen=True)
class Exact:
    oid: int
    root_oid: int
    size_bytes: int
    bloat_bytes: int


@dataclass(frozen=True)
class BloatSnapshot:
    estimates: tuple[Estimate, ...]
    exact: tuple[Exact, ...]
    pgstattuple: bool
    skipped: tuple[str, ...] = field(default_factory=tuple)    # schema.name of relations not measured


def read_bloat(conn: psycopg.Connection[Any], major: int, top: int, exact_timeout_ms: int) -> BloatSnapshot:
    """Estimates for every relation; exact figures for the ``top`` largest, each measurement limited to
    ``exact_timeout_ms``."""
    cur = conn.cursor(row_factory=class_row(Estimate))
    estimates = [*cur.execute(SQL.load("bloat/tables", major)).fetchall(),
                 *cur.execute(SQL.load("bloat/indexes", major)).fetchall()]
    has_ext = conn.execute(SQL.load("bloat/extension", major)).fetchone() is not None
    exact: list[Exact] = []
    skipped: list[str] = []
    if has_ext and top > 0:
        conn.execute("SET lock_timeout = '100ms'")
        conn.execute(f"SET statement_timeout = '{int(exact_timeout_ms)}ms'")
        block = int(conn.execute("SELECT current_setting('block_size')").fetchone()[0])  # type: ignore[index]
        largest = sorted((e for e in estimates if e.size_bytes > 0), key=lambda e: -e.size_bytes)[:top]
        for est in largest:
            measured = _exact(conn, est, block)
            if measured is None:
                skipped.append(_name_of(conn, est.oid))
            else:
                exact.append(measured)
    return BloatSnapshot(estimates=tuple(estimates), exact=tuple(exact), pgstattuple=has_ext,
                         skipped=tuple(skipped))


def _name_of(conn: psycopg.Connection[Any], oid: int) -> str:
    """A relation's name from the catalog (no lock taken), or its oid when it vanished meanwhile."""
    row = conn.execute(NAME_OF, [oid]).fetchone()
    return str(row[0]) if row else f"oid {oid}"


def _exact(conn: psycopg.Connection[Any], est: Estimate, block: int) -> Exact | None:
    """pgstattuple on one relation, or None when it is locked, timed out or vanished meanwhile."""
    try:
        free = conn.execute(FREE_OF_CONFLICTS, [est.oid]).fetchone()
        if not free or not free[0]:
            return None
        if est.kind == "table":
            row = conn.execute(TABLE_EXACT, {"oid": est.oid}).fetchone()
            assert row is not None
            size, live, fillfactor = int(row[0]), float(row[1]), int(row[2])
            usable = (block - 24) * fillfactor / 100.0
            needed = -(-live // usable) * block
        else:
            row = conn.execute(INDEX_EXACT, {"oid": est.oid}).fetchone()
            assert row is not None
            size, full_leaves, internal, fillfactor = int(row[0]), float(row[1]), int(row[2]), int(row[3])
            needed = (-(-full_leaves * 100 // fillfactor) + internal + 1) * block
        return Exact(oid=est.oid, root_oid=est.root_oid, size_bytes=size, bloat_bytes=max(0, int(size - needed)))
    except (psycopg.errors.QueryCanceled, psycopg.errors.LockNotAvailable, psycopg.errors.UndefinedTable,
            psycopg.errors.FeatureNotSupported, psycopg.errors.WrongObjectType, psycopg.errors.InternalError):
        return None
