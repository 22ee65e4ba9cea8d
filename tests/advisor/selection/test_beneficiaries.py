"""Every statement kind is a beneficiary: planted workloads on PostgreSQL 15 with HypoPG, advised over a
connection of the monitoring role (pg_monitor and SELECT, nothing more), each proposal then built for
real and checked against the planner on a concrete statement."""

from __future__ import annotations

import re
from typing import Any

import psycopg

from advisor.selection import IndexAdvice, IndexChoice, TableWrites, recommend_indexes
from monitoring.targets.connect import Guard, connect_params
from pgsql.workload import WorkloadStatement
from tests.support.targets import MONITOR_PASSWORD, MONITOR_ROLE, TargetDb
from tests.support.tpch import run

HOUR = 3600.0


def as_monitor(db: TargetDb) -> psycopg.Connection[Any]:
    """The product's guarded connection as the monitoring role, with SELECT on the tables (EXPLAIN needs it)."""
    run(db, [f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {MONITOR_ROLE}"])
    params = {"host": "127.0.0.1", "port": db.cluster.port, "dbname": db.dbname, "user": MONITOR_ROLE,
              "password": MONITOR_PASSWORD, "sslmode": "disable"}
    return connect_params(params, Guard.default())


def serving(advice: IndexAdvice, queryid: int) -> list[IndexChoice]:
    return [c for c in advice.choices if any(h.queryid == queryid for h in c.helps)]


def plan_of(db: TargetDb, choice: IndexChoice, concrete: str) -> str:
    """Build the proposal for real and EXPLAIN a concrete statement with it."""
    with db.connect() as conn:
        conn.execute(choice.create_sql)
        conn.execute(f"ANALYZE {choice.table}")
        return "\n".join(r[0] for r in conn.execute(f"EXPLAIN {concrete}"))


def test_it_proposes_both_indexes_an_or_lookup_needs(pg15_db: TargetDb) -> None:
    run(pg15_db, [
        "CREATE TABLE contacts (id int PRIMARY KEY, email text, phone text, note text)",
        "INSERT INTO contacts SELECT g, 'c' || g || '@example.com', '+1555' || lpad(g::text, 7, '0'), "
        "repeat('n', 40) FROM generate_series(1, 60000) g",
        "VACUUM ANALYZE contacts",
    ])
    lookup = WorkloadStatement(queryid=1, calls=2000, query="SELECT id FROM contacts WHERE email = $1 OR phone = $2")
    with as_monitor(pg15_db) as conn:
        advice = recommend_indexes(conn, [lookup], window_s=HOUR)
    chosen = serving(advice, 1)
    # Neither index alone changes the plan (a sequential scan still reads everything for the other arm):
    # only the pair makes a BitmapOr, so they come as a set.
    assert sorted(c.columns for c in chosen) == [("email",), ("phone",)]
    assert all(c.helps[0].reduction_pct is not None and c.helps[0].reduction_pct > 95 for c in chosen)
    with pg15_db.connect() as writable:
        writable.execute(chosen[0].create_sql)
    plan = plan_of(pg15_db, chosen[1],
                   "SELECT id FROM contacts WHERE email = 'c7@example.com' OR phone = '+15550000009'")
    assert "BitmapOr" in plan


def test_it_proposes_a_pattern_index_for_a_prefix_search_under_a_linguistic_collation(pg15_db: TargetDb) -> None:
    run(pg15_db, [
        'CREATE TABLE products (id int PRIMARY KEY, sku text COLLATE "en-x-icu", title text)',
        "INSERT INTO products SELECT g, 'SKU-' || lpad((g * 7919 % 100000)::text, 6, '0'), 'product ' || g "
        "FROM generate_series(1, 100000) g",
        "VACUUM ANALYZE products",
    ])
    search = WorkloadStatement(queryid=2, calls=500, query="SELECT id, title FROM products WHERE sku LIKE $1")
    with as_monitor(pg15_db) as conn:
        advice = recommend_indexes(conn, [search], window_s=HOUR)
    (choice,) = serving(advice, 2)
    assert choice.opclasses == (("sku", "text_pattern_ops"),) and "sku text_pattern_ops" in choice.create_sql
    assert any("LIKE $1 on products.sku costed as the prefix search 'SKU-0" in e for e in choice.estimates)
    # Under en-x-icu a plain btree cannot serve LIKE 'prefix%'; the proposal can.
    plan = plan_of(pg15_db, choice, "SELECT id, title FROM products WHERE sku LIKE 'SKU-0123%'")
    assert choice.name in plan and "Seq Scan" not in plan


def test_it_costs_an_expression_lookup_with_statistics_it_can_stand_behind(pg15_db: TargetDb) -> None:
    run(pg15_db, [
        "CREATE TABLE accounts (id int PRIMARY KEY, email text, name text)",
        "INSERT INTO accounts SELECT g, 'User' || g || '@Example.com', 'name ' || g FROM generate_series(1, 80000) g",
        "VACUUM ANALYZE accounts",
    ])
    login = WorkloadStatement(queryid=3, calls=1000, query="SELECT id FROM accounts WHERE lower(email) = lower($1)")
    with as_monitor(pg15_db) as conn:
        advice = recommend_indexes(conn, [login], window_s=HOUR)
    (choice,) = serving(advice, 3)
    assert choice.expression == "lower(email)"
    # With the planner's default for an expression without statistics (0.5 % of the rows) the index
    # would "cut" the lookup by two thirds; with email's statistics standing in, it finds one row.
    reduction = choice.helps[0].reduction_pct
    assert reduction is not None and reduction > 99
    assert any("taken from column email's statistics" in e and "sample" in e for e in choice.estimates)
    assert "expression width and distinct values from a sample" in choice.size_source


def test_it_indexes_the_rows_a_delete_finds_and_the_lookups_its_foreign_key_runs(pg15_db: TargetDb) -> None:
    run(pg15_db, [
        "CREATE TABLE orders (id int PRIMARY KEY, placed_at timestamptz)",
        "CREATE TABLE order_items (id int PRIMARY KEY, order_id int REFERENCES orders ON DELETE CASCADE, qty int)",
        "INSERT INTO orders SELECT g, now() FROM generate_series(1, 20000) g",
        "INSERT INTO order_items SELECT g, 1 + g % 20000, 1 FROM generate_series(1, 100000) g",
        "VACUUM ANALYZE",
    ])
    delete = WorkloadStatement(queryid=4, calls=300, rows=1500, query="DELETE FROM order_items WHERE order_id = $1")
    with as_monitor(pg15_db) as conn:
        advice = recommend_indexes(conn, [delete], window_s=HOUR,
                                   write_load={"public.order_items": TableWrites(n_tup_del=1500)})
    (choice,) = serving(advice, 4)
    assert choice.columns == ("order_id",) and advice.skipped == []
    assert choice.helps[0].reduction_pct is not None and choice.helps[0].reduction_pct > 90
    plan = plan_of(pg15_db, choice, "DELETE FROM order_items WHERE order_id = 42")
    assert choice.name in plan


def test_it_keeps_row_locks_and_updates_as_beneficiaries_and_counts_the_hot_updates_an_index_ends(
        pg15_db: TargetDb) -> None:
    run(pg15_db, [
        "CREATE TABLE jobs (id int PRIMARY KEY, queue text, run_at timestamptz, attempts int) WITH (fillfactor = 80)",
        "INSERT INTO jobs SELECT g, (ARRAY['mail', 'default', 'reports'])[1 + g % 3], now() + g * interval '1 s', 0 "
        "FROM generate_series(1, 60000) g",
        "VACUUM ANALYZE jobs",
    ])
    workload = [
        WorkloadStatement(queryid=5, calls=3600, query="SELECT id FROM jobs WHERE queue = $1 AND run_at <= $2 "
                          "ORDER BY run_at LIMIT $3 FOR UPDATE SKIP LOCKED"),
        WorkloadStatement(queryid=6, calls=20000, rows=20000,
                          query="UPDATE jobs SET attempts = attempts + $1, run_at = $2 WHERE id = $3"),
    ]
    writes: dict[str | int, TableWrites] = {"public.jobs": TableWrites(n_tup_upd=20000, n_tup_hot_upd=19000)}
    with as_monitor(pg15_db) as conn:
        advice = recommend_indexes(conn, workload, window_s=HOUR, write_load=writes, profile="read-optimised")
    (choice,) = serving(advice, 5)
    assert "run_at" in choice.columns and advice.skipped == []
    # The UPDATE sets run_at: with this index its HOT updates (95 % of 20,000) become ordinary ones.
    assert choice.hot_lost is not None and choice.hot_lost_per_hour is not None
    assert abs(choice.hot_lost_per_hour - 19000) < 1
    assert choice.entries_per_hour is not None and choice.entries_per_hour >= 19000
    # Each lost HOT update writes into the primary key as well (a random page of it) and moves its row.
    rates = advice.rates
    assert choice.write_overhead > 19000 * (rates["entry_descent"] + rates["entry_page"] + rates["hot_heap_page"])


def test_it_serves_keyset_pagination_with_the_columns_of_the_row_comparison(pg15_db: TargetDb) -> None:
    run(pg15_db, [
        "CREATE TABLE tickets (id int PRIMARY KEY, project_id int, created_at timestamptz, subject text)",
        "INSERT INTO tickets SELECT g, 1 + g % 300, timestamptz '2025-01-01' + g * interval '1 minute', 's' || g "
        "FROM generate_series(1, 90000) g",
        "VACUUM ANALYZE tickets",
    ])
    page = WorkloadStatement(queryid=7, calls=3000, query=(
        "SELECT id, subject FROM tickets WHERE project_id = $1 AND (created_at, id) < ($2, $3) "
        "ORDER BY created_at DESC, id DESC LIMIT $4"))
    with as_monitor(pg15_db) as conn:
        advice = recommend_indexes(conn, [page], window_s=HOUR)
    (choice,) = serving(advice, 7)
    assert choice.columns[:2] == ("project_id", "created_at")
    plan = plan_of(pg15_db, choice, "SELECT id, subject FROM tickets WHERE project_id = 7 AND (created_at, id) < "
                                    "('2025-02-01', 40000) ORDER BY created_at DESC, id DESC LIMIT 25")
    # Read backwards in (project_id, created_at) order: at most an incremental sort among equal timestamps.
    assert choice.name in plan and "Seq Scan" not in plan and not re.search(r"(^|->  )Sort  \(", plan, re.M)
