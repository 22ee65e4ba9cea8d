"""TPC-H and other workloads on a test target, read back from pg_stat_statements; guarded connections."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import psycopg

from bench.tpch import load as tpch
from monitoring.targets.connect import Guard, connect_params
from pgsql.workload import WorkloadStatement
from tests.support.targets import TargetDb


def guarded(db: TargetDb, **guard: Any) -> psycopg.Connection[Any]:
    """A connection as the product opens it (read-only, timeouts), as the superuser so EXPLAIN may read
    every table; the advisor never needs more than SELECT and pg_monitor."""
    params = {"host": "127.0.0.1", "port": db.cluster.port, "dbname": db.dbname, "user": "postgres",
              "password": db.cluster.password, "sslmode": "disable"}
    return connect_params(params, Guard.default(**guard))


def scalar(conn: psycopg.Connection[Any], sql: str) -> Any:
    """The single value a query returns."""
    row = conn.execute(sql).fetchone()
    assert row is not None
    return row[0]


def run(db: TargetDb, statements: Iterable[str]) -> None:
    """Execute statements as an application would, so pg_stat_statements records them."""
    with db.connect() as conn:
        for sql in statements:
            conn.execute(sql)


def recorded(db: TargetDb, *, like: str = "%") -> list[WorkloadStatement]:
    """What pg_stat_statements holds for this test's database (normalized texts)."""
    with db.connect() as conn:
        rows = conn.execute(
            "SELECT s.queryid, s.query, s.calls, s.total_exec_time FROM pg_stat_statements AS s "
            "JOIN pg_database AS d ON d.oid = s.dbid WHERE d.datname = current_database() AND s.query LIKE %s",
            (like,),
        ).fetchall()
    return [WorkloadStatement(queryid=int(q), query=text, calls=int(calls), total_exec_time_ms=float(ms),
                              dbname=db.dbname) for q, text, calls, ms in rows]


def plant_tpch(db: TargetDb, numbers: Iterable[int] = range(1, 23)) -> dict[int, WorkloadStatement]:
    """The TPC-H schema, empty and analysed, and its queries run once: their normalized texts back, by
    query number (found by what each run adds to pg_stat_statements: PostgreSQL 18 no longer keeps the
    leading comment that names the query).

    Empty tables plan in microseconds and still exercise every construct of the 22 queries.
    """
    with db.connect() as conn:
        conn.execute((tpch.HERE / "schema.sql").read_text())
        conn.execute("ANALYZE")
    found: dict[int, WorkloadStatement] = {}
    seen = {s.queryid for s in recorded(db)}
    for number in numbers:
        run(db, [tpch.query_text(number)])
        new = [s for s in recorded(db) if s.queryid not in seen and "pg_stat_statements" not in s.query]
        assert len(new) == 1, [s.query[:60] for s in new]
        found[number] = new[0]
        seen = {s.queryid for s in recorded(db)}
    return found
