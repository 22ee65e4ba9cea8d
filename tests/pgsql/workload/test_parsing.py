"""The index advisor reads pg_stat_statements' normalized texts into per-table access patterns."""

from __future__ import annotations

import pytest

from pgsql.workload import ScanPattern, WorkloadStatement, analyze_workload
from pgsql.workload.plannable import drop_interval_precision
from tests.support.targets import TargetDb
from tests.support.tpch import guarded, plant_tpch, run


def test_it_reads_the_access_patterns_of_tpch_from_normalized_text(target_db: TargetDb) -> None:
    statements = plant_tpch(target_db)
    assert "date $" in statements[4].query  # what makes naive approaches fail
    with guarded(target_db) as conn:
        workload = analyze_workload(conn, statements.values())
    assert workload.skipped == []
    by_number = {n: next(a for a in workload.statements if a.queryid == s.queryid)
                 for n, s in statements.items()}

    def scans_of(number: int) -> list[ScanPattern]:
        return by_number[number].access.scans

    q21 = {scan.alias: scan for scan in scans_of(21)}
    assert {q21[a].table.name for a in ("l1", "l2", "l3")} == {"lineitem"}
    assert set(q21["l1"].joins) == {"l_suppkey", "l_orderkey"}
    assert q21["l2"].joins == ["l_orderkey"]  # the correlated EXISTS: outer reference resolved
    assert q21["orders"].equality == ["o_orderstatus"] and q21["nation"].equality == ["n_name"]

    q19 = {scan.table.name: scan for scan in scans_of(19)}
    # (p_partkey = l_partkey AND …) OR (p_partkey = l_partkey AND …): the common join is pulled out
    assert q19["part"].joins == ["p_partkey"] and q19["lineitem"].joins == ["l_partkey"]
    assert q19["part"].or_arms == [["p_brand", "p_container", "p_size"]]  # equality, IN, range
    assert q19["lineitem"].or_arms == [["l_shipinstruct", "l_shipmode", "l_quantity"]]

    q18 = scans_of(18)
    assert [s.joins for s in q18 if s.table.name == "lineitem"] == [["l_orderkey"], ["l_orderkey"]]
    assert [s.group_by for s in q18 if s.table.name == "lineitem"] == [[], ["l_orderkey"]]
    assert {s.table.name for s in scans_of(15)} == {"lineitem", "supplier"}  # the CTE is no table
    assert [s.joins for s in scans_of(13) if s.table.name == "orders"] == [["o_custkey"]]
    q1 = scans_of(1)[0]
    assert q1.ranges == ["l_shipdate"] and q1.group_by == ["l_returnflag", "l_linestatus"]
    assert [c for c, _ in q1.order_by] == ["l_returnflag", "l_linestatus"]
    q16 = {scan.table.name: scan for scan in scans_of(16)}
    assert q16["part"].in_lists == ["p_size"] and q16["supplier"].likes == ["s_comment"]


def test_it_skips_what_it_cannot_analyse_and_says_why(pg18_db: TargetDb) -> None:
    run(pg18_db, ["CREATE TABLE items (id int, name text)"])

    def stmt(queryid: int, query: str, *, calls: int = 3, dbname: str = pg18_db.dbname) -> WorkloadStatement:
        return WorkloadStatement(queryid=queryid, query=query, calls=calls, dbname=dbname)

    workload_in = [
        stmt(1, "UPDATE items SET name = $1 WHERE id = $2"),
        stmt(2, "VACUUM items"),
        stmt(3, "SELEC id FROM items"),
        stmt(4, "SELECT * FROM no_such_table WHERE id = $1"),
        stmt(5, "SELECT relname FROM pg_class WHERE oid = $1"),
        stmt(6, "SELECT * INTO copy_of_items FROM items"),
        stmt(7, "SELECT * FROM items WHERE id = $1", dbname="another_db"),
        stmt(8, "SELECT * FROM items WHERE id = $1", calls=0),
        stmt(9, ""),
        stmt(10, "SELECT * FROM items WHERE id = $1"),
    ]
    with guarded(pg18_db) as conn:
        workload = analyze_workload(conn, workload_in)
    reasons = {s.queryid: s.reason for s in workload.skipped}
    assert [s.queryid for s in workload.statements] == [10]
    assert "UPDATE" in reasons[1] and "utility statement (Vacuum)" in reasons[2]
    assert reasons[3].startswith("does not parse") and "no_such_table" in reasons[4]
    assert "system catalogs" in reasons[5]
    assert "SELECT INTO" in reasons[6] and "another_db" in reasons[7]
    assert reasons[8] == "no calls in the window" and "no query text" in reasons[9]


def test_it_resolves_tables_through_schemas_aliases_and_outer_queries(pg18_db: TargetDb) -> None:
    run(pg18_db, ["CREATE SCHEMA app", "CREATE TABLE app.events (id int, kind text, at timestamptz)",
                  "CREATE TABLE public.events (id int, payload text)"])
    queries = [
        "SELECT * FROM app.events WHERE kind = $1 ORDER BY at DESC LIMIT $2",
        "SELECT e.payload FROM events AS e WHERE e.id = $1",
        "SELECT count(*) FROM events e WHERE EXISTS (SELECT 1 FROM app.events a WHERE a.id = e.id AND a.kind = $1)",
        "SELECT x.n FROM (SELECT id AS n FROM app.events WHERE at > $1) AS x WHERE x.n = $2",
    ]
    with guarded(pg18_db) as conn:
        workload = analyze_workload(conn, [WorkloadStatement(queryid=i, query=q) for i, q in enumerate(queries)])
    assert workload.skipped == []
    first, second, third, fourth = (s.access.scans for s in workload.statements)
    assert (first[0].table.qualified, first[0].equality, first[0].limited) == ("app.events", ["kind"], True)
    assert first[0].order_by == [("at", True)]
    assert (second[0].table.qualified, second[0].alias, second[0].equality) == ("public.events", "e", ["id"])
    outer, inner = third
    assert (outer.table.schema, outer.joins) == ("public", ["id"])
    assert (inner.table.schema, inner.joins, inner.equality) == ("app", ["id"], ["kind"])
    assert fourth[0].ranges == ["at"] and fourth[0].equality == []  # x.n belongs to the derived table


@pytest.mark.parametrize("text, expected", [
    ("SELECT * FROM t WHERE d < date $1 + interval $2 day (3)", "SELECT * FROM t WHERE d < date $1 + interval $2 day "),
    ("SELECT interval $1 day to second (3)", "SELECT interval $1 day to second (3)"),
    ("SELECT 'interval $1 day (3)'", "SELECT 'interval $1 day (3)'"),
])
def test_it_drops_the_leading_field_precision_postgresql_never_had(text: str, expected: str) -> None:
    assert drop_interval_precision(text) == expected
