"""Statements with ``$n`` placeholders get generic plans on every major, tricky forms included."""

from __future__ import annotations

import pytest

from advisor.whatif import GenericPlanner, PlanError
from pgsql.workload import WorkloadStatement, analyze_workload
from tests.support.targets import TargetDb
from tests.support.tpch import guarded, plant_tpch, run, scalar

# Normalized texts as pg_stat_statements writes them, and as no server accepts them back.
TRICKY = [
    "SELECT * FROM t WHERE d >= date $1 AND d < date $2 + interval $3 day (3)",
    "SELECT $1 + $2, $3 FROM t WHERE s LIKE $4",
    "SELECT * FROM t WHERE n BETWEEN $1 AND $2 + $3",
    "SELECT extract($1 from d), sum(case when s = $2 then $3 else $4 end) FROM t GROUP BY 1",
    "SELECT * FROM t WHERE i IN ($1 /*, ... */) ORDER BY d LIMIT $2",
    "SELECT substring(s from $1 for $2) FROM t WHERE ts > timestamp with time zone $3 - interval $4",
    "SELECT i FROM t WHERE $1 IS NULL OR i = $2",
    "SELECT * FROM t WHERE n * $1 > $2 - $3",
    # A bare placeholder beside a date or timestamp: "operator is not unique: date + unknown" unless typed.
    "SELECT count(*) FROM t t1 JOIN t t3 ON t3.i = t1.i WHERE t3.d > t1.d + $1",
    "SELECT * FROM t WHERE ts > now() - $1 AND d >= current_date - $2 AND $3 - d < $4",
]


@pytest.mark.parametrize("typical", [False, True], ids=["generic", "typical"])
def test_it_plans_tricky_normalized_statements(target_db: TargetDb, typical: bool) -> None:
    run(target_db, ["CREATE TABLE t (d date, ts timestamptz, n numeric, i int, s text)",
                    "INSERT INTO t SELECT current_date - g, now(), g, g, 'x' || g FROM generate_series(1, 500) g",
                    "ANALYZE t"])
    with guarded(target_db) as conn:
        workload = analyze_workload(conn, [WorkloadStatement(queryid=i, query=q) for i, q in enumerate(TRICKY)],
                                    typical=typical)
        assert workload.skipped == []
        planner = GenericPlanner(conn, target_db.major)
        planner.begin()
        try:
            for stmt in workload.statements:
                sql, params = stmt.plannable_sql(target_db.major, typical=typical)
                assert "date $" not in sql and "interval $" not in sql
                plan = planner.explain(sql, set(params))
                assert plan.cost > 0
        finally:
            planner.end()
        assert planner.explains == len(TRICKY)
        assert scalar(conn, "SHOW jit") == "on"  # session settings restored


def test_it_plans_all_22_tpch_queries_from_their_normalized_text(target_db: TargetDb) -> None:
    statements = plant_tpch(target_db)
    with guarded(target_db) as conn:
        workload = analyze_workload(conn, statements.values())
        planner = GenericPlanner(conn, target_db.major)
        planner.begin()
        failures = {}
        for stmt in workload.statements:
            for typical in (False, True):
                sql, params = stmt.plannable_sql(target_db.major, typical=typical)
                try:
                    planner.explain(sql, set(params))
                except PlanError as exc:
                    failures[(stmt.statement.query[:14], typical)] = str(exc)
        planner.end()
    assert failures == {}
    assert planner.explains == 44


def test_it_reports_a_statement_the_server_cannot_plan(target_db: TargetDb) -> None:
    run(target_db, ["CREATE TABLE t (i int)"])
    with guarded(target_db) as conn:
        planner = GenericPlanner(conn, target_db.major)
        planner.begin()
        with pytest.raises(PlanError, match="no_such_function"):
            planner.explain("SELECT * FROM t WHERE i = no_such_function($1)", {1})
        # The failed PREPARE left nothing behind: the same name prepares again.
        assert planner.explain("SELECT * FROM t WHERE i = $1", {1}).cost > 0
        planner.end()
