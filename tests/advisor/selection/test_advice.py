"""recommend_indexes: a set of indexes for the workload, verified with HypoPG, within a budget."""

from __future__ import annotations

import pglast

from advisor.selection import IndexAdvice, TableWrites, recommend_indexes
from pgsql.workload import WorkloadStatement
from tests.support.targets import TargetDb
from tests.support.tpch import guarded, run

SCHEMA = [
    "CREATE TABLE customers (id int, email text, region text, created_at timestamptz)",
    "INSERT INTO customers SELECT g, 'c' || g || '@example.com', 'r' || (g % 7), now() - g * interval '1 hour' "
    "FROM generate_series(1, 20000) g",
    "CREATE TABLE orders (id int, customer_id int, status text, created_at timestamptz, total numeric)",
    "INSERT INTO orders SELECT g, g % 20000, (ARRAY['new', 'paid', 'sent', 'done', 'void'])[1 + g % 5], "
    "now() - g * interval '1 minute', g % 500 FROM generate_series(1, 200000) g",
    "VACUUM ANALYZE",
]
SLOW_LOOKUP = WorkloadStatement(
    queryid=101, calls=5000, total_exec_time_ms=90_000.0,
    query="SELECT id, total FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT $2")
JOIN = WorkloadStatement(
    queryid=102, calls=2000, total_exec_time_ms=60_000.0,
    query="SELECT c.email, sum(o.total) FROM customers c JOIN orders o ON o.customer_id = c.id "
          "WHERE c.email = $1 GROUP BY c.email")
REPORT = WorkloadStatement(
    queryid=103, calls=50, total_exec_time_ms=2_000.0,
    query="SELECT count(*) FROM orders WHERE status = $1 AND created_at >= $2 AND created_at < $3")
WORKLOAD = [SLOW_LOOKUP, JOIN, REPORT]
MB = 1_000_000


def leading(advice: IndexAdvice, table: str) -> set[str]:
    """The leading key columns of the indexes recommended on ``table``."""
    return {c.columns[0] for c in advice.choices if c.table == f"public.{table}" and c.columns}


def test_it_recommends_the_indexes_the_slow_lookup_and_the_join_need(pg15_db: TargetDb) -> None:
    run(pg15_db, SCHEMA)
    with guarded(pg15_db) as conn:
        advice = recommend_indexes(conn, WORKLOAD, budget_bytes=100 * MB)
    assert advice.verified and advice.reason == "" and advice.skipped == []
    assert "customer_id" in leading(advice, "orders") and "email" in leading(advice, "customers")
    assert advice.final_cost is not None and advice.baseline_cost is not None
    assert advice.final_cost < advice.baseline_cost / 10
    assert advice.hypopg_calls > 0 and advice.explain_calls > 0 and advice.used_bytes <= 100 * MB
    assert len({c.name for c in advice.choices}) == len(advice.choices)
    for choice in advice.choices:
        assert choice.helps and choice.size_bytes > 0 and not choice.size_estimated
        for effect in choice.helps:
            assert effect.cost_after is not None and effect.cost_before is not None
            assert effect.cost_after < effect.cost_before
        assert pglast.parse_sql(choice.create_sql)  # plain, valid CREATE INDEX
    lookup = next(c for c in advice.choices if c.table == "public.orders" and c.columns[0] == "customer_id")
    assert {e.queryid for e in lookup.helps} >= {101, 102}
    assert "customer_id first: compared with =" in lookup.why

    # The advice is real: built for real, the planner uses it for the concrete statement.
    with pg15_db.connect() as writable:
        writable.execute(lookup.create_sql)
        plan = "\n".join(r[0] for r in writable.execute(
            "EXPLAIN SELECT id, total FROM orders WHERE customer_id = 42 ORDER BY created_at DESC LIMIT 10"))
    assert lookup.name in plan


def test_it_keeps_to_the_budget(pg15_db: TargetDb) -> None:
    run(pg15_db, SCHEMA)
    with guarded(pg15_db) as conn:
        roomy = recommend_indexes(conn, WORKLOAD, budget_bytes=100 * MB)
        smallest = min(c.size_bytes for c in roomy.choices)
        tight = recommend_indexes(conn, WORKLOAD, budget_bytes=smallest)
        nothing = recommend_indexes(conn, WORKLOAD, budget_bytes=8192)
    assert len(tight.choices) == 1 and tight.used_bytes == tight.choices[0].size_bytes <= smallest
    assert tight.final_cost is not None and roomy.final_cost is not None
    assert roomy.final_cost < tight.final_cost < (tight.baseline_cost or 0)
    assert nothing.choices == [] and nothing.final_cost == nothing.baseline_cost


def test_it_charges_the_writes_of_a_busy_table(pg15_db: TargetDb) -> None:
    run(pg15_db, SCHEMA)
    with guarded(pg15_db) as conn:
        flooded = recommend_indexes(conn, WORKLOAD, budget_bytes=100 * MB,
                                    write_load={"public.orders": TableWrites(n_tup_ins=1e9)})
        busy = recommend_indexes(conn, WORKLOAD, budget_bytes=100 * MB,
                                 write_load={"public.orders": TableWrites(n_tup_ins=10_000, n_tup_upd=5_000)})
    assert leading(flooded, "orders") == set() and "email" in leading(flooded, "customers")
    orders_choices = [c for c in busy.choices if c.table == "public.orders"]
    assert orders_choices and all(c.write_overhead > 0 for c in orders_choices)
    assert all(c.write_overhead == 0 for c in busy.choices if c.table == "public.customers")


def test_it_skips_a_statement_that_fails_to_plan_and_advises_on_the_rest(pg15_db: TargetDb) -> None:
    run(pg15_db, SCHEMA)
    broken = WorkloadStatement(queryid=104, calls=10, query="SELECT * FROM orders WHERE id = no_such_function($1)")
    with guarded(pg15_db) as conn:
        advice = recommend_indexes(conn, [*WORKLOAD, broken], budget_bytes=100 * MB, weighting="time")
    assert [(s.queryid, s.reason.split(":")[0]) for s in advice.skipped] == [(104, "could not be planned")]
    assert "no_such_function" in advice.skipped[0].reason
    assert advice.verified and "customer_id" in leading(advice, "orders")


def test_it_gives_unverified_heuristics_where_hypopg_is_missing(pg18_db: TargetDb) -> None:
    run(pg18_db, SCHEMA)
    with guarded(pg18_db) as conn:
        advice = recommend_indexes(conn, WORKLOAD, budget_bytes=100 * MB)
    assert not advice.verified and "HypoPG" in advice.reason and "unverified" in advice.reason
    assert advice.baseline_cost is None and advice.final_cost is None and advice.hypopg_calls == 0
    assert "customer_id" in leading(advice, "orders") and "email" in leading(advice, "customers")
    assert advice.used_bytes <= 100 * MB
    for choice in advice.choices:
        assert not choice.verified and choice.size_estimated and choice.benefit is None
        assert all(e.cost_before is None and e.cost_after is None for e in choice.helps)
    report = next(c for c in advice.choices if c.columns[:1] == ("status",))
    assert report.columns == ("status", "created_at")  # equality before range
    assert "range" in report.why


def test_it_proposes_expression_and_partial_indexes_where_the_workload_shows_them(pg15_db: TargetDb) -> None:
    run(pg15_db, [
        "CREATE TABLE users (id int, email text, account_id int, deleted_at timestamptz)",
        # nine users in ten are deleted: an index over the live ones is a tenth of the size
        "INSERT INTO users SELECT g, 'User' || g || '@Example.com', g % 5000, "
        "CASE WHEN g % 10 = 0 THEN NULL ELSE now() END FROM generate_series(1, 100000) g",
        "VACUUM ANALYZE users",
    ])
    workload = [
        WorkloadStatement(queryid=1, calls=1000, query="SELECT id FROM users WHERE lower(email) = $1"),
        WorkloadStatement(queryid=2, calls=1000,
                          query="SELECT id FROM users WHERE account_id = $1 AND deleted_at IS NULL"),
    ]
    with guarded(pg15_db) as conn:
        advice = recommend_indexes(conn, workload, budget_bytes=100 * MB)
    by_statement = {e.queryid: c for c in advice.choices for e in c.helps}
    assert by_statement[1].expression == "lower(email)" and "lower(email)" in by_statement[1].create_sql
    assert by_statement[2].where == "deleted_at IS NULL" and by_statement[2].columns[0] == "account_id"
    plain = 100_000 * 16  # a plain index on account_id holds every row
    assert by_statement[2].size_bytes < plain / 2
