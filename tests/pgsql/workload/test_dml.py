"""Writes and row locks are read as the SELECT of the rows they find: what an index can speed up."""

from __future__ import annotations

import pytest
from pglast.stream import RawStream

from pgsql.workload import WorkloadStatement, analyze_workload
from pgsql.workload.analyze import parse_rows
from tests.support.targets import TargetDb
from tests.support.tpch import guarded, run


@pytest.mark.parametrize("query, kind, select", [
    ("UPDATE orders o SET status = $1, updated_at = now() FROM customers c WHERE c.id = o.customer_id AND c.email = $2",
     "UPDATE", "SELECT o.ctid FROM orders AS o, customers AS c WHERE c.id = o.customer_id AND c.email = $2"),
    ("DELETE FROM sessions WHERE user_id = $1 RETURNING id", "DELETE", "SELECT sessions.ctid FROM sessions "
                                                                     "WHERE user_id = $1"),
    ("WITH old AS (SELECT id FROM jobs WHERE run_at < $1) DELETE FROM jobs USING old WHERE jobs.id = old.id",
     "DELETE", "WITH old AS (SELECT id FROM jobs WHERE run_at < $1) SELECT jobs.ctid FROM jobs, old "
               "WHERE jobs.id = old.id"),
    ("INSERT INTO archive SELECT * FROM orders WHERE created_at < $1", "INSERT SELECT",
     "SELECT * FROM orders WHERE created_at < $1"),
    ("SELECT id FROM jobs WHERE queue = $1 ORDER BY run_at LIMIT $2 FOR UPDATE SKIP LOCKED", "SELECT FOR UPDATE",
     "SELECT id FROM jobs WHERE queue = $1 ORDER BY run_at LIMIT $2"),
])
def test_it_reads_a_write_as_the_select_of_its_rows(query: str, kind: str, select: str) -> None:
    rows, reason = parse_rows(query)
    assert rows is not None and reason == "" and rows.kind == kind
    assert str(RawStream()(rows.select)) == select


@pytest.mark.parametrize("query, reason", [
    ("INSERT INTO t (a) VALUES ($1)", "INSERT … VALUES"),
    ("INSERT INTO t (a) SELECT $1", "INSERT … VALUES"),
    ("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE", "MERGE"),
    ("UPDATE t SET a = $1 WHERE CURRENT OF c", "CURRENT OF"),
])
def test_it_says_why_a_write_has_no_rows_to_find(query: str, reason: str) -> None:
    rows, why = parse_rows(query)
    assert rows is None and reason in why


def test_it_resolves_what_an_update_sets_and_only_analyses_writes_when_asked(target_db: TargetDb) -> None:
    run(target_db, ["CREATE TABLE accounts (id int PRIMARY KEY, email text, seen timestamptz, plan text)"])
    workload = [
        WorkloadStatement(queryid=1, query="UPDATE accounts SET seen = $1, plan = $2 WHERE email = $3"),
        WorkloadStatement(queryid=2, query="SELECT id FROM accounts WHERE email = $1 FOR SHARE"),
    ]
    with guarded(target_db) as conn:
        writes = analyze_workload(conn, workload, writes=True)
        reads = analyze_workload(conn, workload)
    update, locking = writes.statements
    assert update.kind == "UPDATE" and update.sets is not None and update.sets[1] == frozenset({"seen", "plan"})
    assert update.access.scans[0].equality == ["email"] and locking.kind == "SELECT FOR UPDATE"
    assert [s.queryid for s in reads.statements] == [2] and "UPDATE statement" in reads.skipped[0].reason
