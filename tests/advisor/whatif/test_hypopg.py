"""What-if costs through HypoPG, on a read-only guarded connection, cached, and always cleaned up."""

from __future__ import annotations

import psycopg
import pytest

from advisor.whatif import HypoPG, IndexSpec, WhatIfEngine, hypopg_status
from pgsql.workload import WorkloadStatement, analyze_workload
from tests.support.targets import TargetDb
from tests.support.tpch import guarded, run, scalar

SCHEMA = [
    "CREATE TABLE accounts (id int, owner text, region text, balance numeric)",
    "INSERT INTO accounts SELECT g, 'owner' || g, 'r' || (g % 10), g FROM generate_series(1, 30000) g",
    "CREATE TABLE audit (id int, account_id int, note text)",
    "INSERT INTO audit SELECT g, g % 30000, 'n' FROM generate_series(1, 30000) g",
    "ANALYZE",
]
LOOKUP = "SELECT * FROM accounts WHERE owner = $1"


def engine_for(db: TargetDb, conn: psycopg.Connection[object], queries: list[str]) -> WhatIfEngine:
    workload = analyze_workload(conn, [WorkloadStatement(queryid=i, query=q) for i, q in enumerate(queries)])
    status = hypopg_status(conn)
    assert status.usable, status.reason
    return WhatIfEngine(conn, workload.statements, server_major=db.major, hypopg=HypoPG(conn, status))


def test_it_simulates_an_index_in_a_read_only_session_and_removes_it(pg15_db: TargetDb) -> None:
    run(pg15_db, SCHEMA)
    with guarded(pg15_db) as conn:
        assert scalar(conn, "SHOW transaction_read_only") == "on"
        with engine_for(pg15_db, conn, [LOOKUP]) as engine:
            stmt = engine.statements[0]
            table = stmt.access.scans[0].table
            before = engine.cost(stmt, ()).cost
            index = IndexSpec(table=table, columns=("owner",))
            after = engine.cost(stmt, [index])
            assert after.cost < before / 10 and after.used == {index}
            assert engine.size(index) > 8192
            with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
                conn.execute("CREATE TABLE nope (i int)")
            assert scalar(conn, "SELECT count(*) FROM hypopg_list_indexes") >= 1
        assert scalar(conn, "SELECT count(*) FROM hypopg_list_indexes") == 0
        assert engine.hypopg.calls >= 3 and engine.explain_calls == 2
        assert scalar(conn, "SHOW plan_cache_mode") == "auto"


def test_it_caches_costs_by_the_indexes_a_statement_could_use(pg15_db: TargetDb) -> None:
    run(pg15_db, SCHEMA)
    query = "SELECT id, balance FROM accounts WHERE owner = $1"
    with guarded(pg15_db) as conn, engine_for(pg15_db, conn, [query, "SELECT note FROM audit WHERE id = $1"]) as engine:
        lookup, notes = engine.statements[0], engine.statements[1]
        accounts, audit = lookup.access.scans[0].table, notes.access.scans[0].table
        owner = IndexSpec(table=accounts, columns=("owner",))
        first = engine.cost(lookup, [owner])
        calls = engine.explain_calls
        # Indexes the statement cannot use (a column it never reads, another table) change nothing.
        region = IndexSpec(table=accounts, columns=("region",))
        note_id = IndexSpec(table=audit, columns=("id",))
        assert engine.relevant(lookup, [owner, region, note_id]) == {owner}
        assert engine.cost(lookup, [owner, region, note_id]).cost == first.cost
        assert engine.explain_calls == calls
        # A wider index on the same column is another question, planned once and then remembered.
        wider = IndexSpec(table=accounts, columns=("owner", "balance", "id"))
        covered = engine.cost(lookup, [wider])
        assert engine.cost(lookup, [wider, region]) == covered
        assert engine.explain_calls == calls + 1
        assert engine.cache_hits == 2


def test_it_says_why_hypopg_is_unusable(pg18_db: TargetDb) -> None:
    with guarded(pg18_db) as conn:
        status = hypopg_status(conn)
    assert not status.usable and "HypoPG is not installed" in status.reason
