"""Scoring index sets on a benchmark database: built for real, measured, dropped again.

A set is scored on the workload's *concrete* statements (real parameter values, a few per statement),
each weighted by its calls: Σ calls x EXPLAIN total cost with the set built, over the same without any
secondary index — the calls-weighted relative cost. The indexes are really built, so sizes are what
``pg_relation_size`` says and "unused" means no plan of the workload uses the index. The tables are not
analysed again: ANALYZE samples at random, and a fresh sample can flip a join plan, so every set is
costed on the very statistics the baseline had (an expression index has none, in every set alike).
A "best single column per statement" baseline (what PgHero-like tools suggest) is chosen with HypoPG,
then scored the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pglast
from pglast import ast
from pglast.stream import RawStream

PREFIX = "bench_ix_"


@dataclass(frozen=True)
class Concrete:
    """One statement as it ran, and how often per window."""

    name: str
    sql: str
    calls: float


@dataclass
class SetScore:
    label: str
    definitions: list[str]
    cost: float
    relative_pct: float
    size_bytes: int
    unused: list[str] = field(default_factory=list)
    per_statement: dict[str, float] = field(default_factory=dict)  # calls x cost


def named(definition: str, name: str) -> tuple[str, str]:
    """(definition with ``name`` as the index name, table name): every set gets its own names."""
    stmt = pglast.parse_sql(definition)[0].stmt
    assert isinstance(stmt, ast.IndexStmt) and stmt.relation is not None
    stmt.idxname = name
    stmt.concurrent = False
    return str(RawStream()(stmt)), str(stmt.relation.relname)


def explain(conn: Any, sql: str) -> tuple[float, set[str]]:
    """Total cost of the plan and the indexes it uses (EXPLAIN, never run)."""
    row = conn.execute(f"EXPLAIN (FORMAT JSON) {sql}", prepare=False).fetchone()
    plan = row[0][0]["Plan"]
    used: set[str] = set()

    def walk(node: dict[str, Any]) -> None:
        if "Index Name" in node:
            used.add(node["Index Name"])
        for child in node.get("Plans", ()):
            walk(child)

    walk(plan)
    return float(plan["Total Cost"]), used


def workload_cost(conn: Any, statements: Sequence[Concrete],
                  per_statement: dict[str, float] | None = None) -> tuple[float, set[str]]:
    total, used = 0.0, set()
    for stmt in statements:
        cost, names = explain(conn, stmt.sql)
        total += stmt.calls * cost
        used |= names
        if per_statement is not None:
            per_statement[stmt.name] = per_statement.get(stmt.name, 0.0) + stmt.calls * cost
    return total, used


def score(conn: Any, label: str, definitions: Sequence[str], statements: Sequence[Concrete],
          baseline: float) -> SetScore:
    """Build ``definitions`` for real, analyse their tables, cost the workload, drop them."""
    built: list[tuple[str, str]] = []
    try:
        for n, definition in enumerate(definitions):
            name = f"{PREFIX}{label}_{n}"
            sql, table = named(definition, name)
            conn.execute(sql)
            built.append((name, table))
        per_statement: dict[str, float] = {}
        cost, used = workload_cost(conn, statements, per_statement)
        size = sum(int(conn.execute("SELECT pg_relation_size(%s::regclass)", (name,)).fetchone()[0])
                   for name, _ in built)
        unused = [definitions[n] for n, (name, _) in enumerate(built) if name not in used]
    finally:
        for name, _ in built:
            conn.execute(f"DROP INDEX IF EXISTS {name}")
    return SetScore(label=label, definitions=list(definitions), cost=cost,
                    relative_pct=100.0 * cost / baseline if baseline else 0.0, size_bytes=size, unused=unused,
                    per_statement=per_statement)


def drop_leftovers(conn: Any) -> None:
    """Indexes a previous, interrupted run built."""
    for (name,) in conn.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE %s",
                                (PREFIX + "%",)).fetchall():
        conn.execute(f"DROP INDEX IF EXISTS {name}")


def best_single_columns(conn: Any, statements: Iterable[tuple[Concrete, dict[str, list[str]]]]) -> list[str]:
    """For each statement, the one single-column index (among the columns it filters or joins on) that
    lowers its cost most, by HypoPG; the union over the workload."""
    chosen: dict[str, None] = {}
    for stmt, columns in statements:
        base, _ = explain(conn, stmt.sql)
        best: tuple[float, str] | None = None
        for table, cols in columns.items():
            for col in cols:
                definition = f"CREATE INDEX ON {table} ({col})"
                conn.execute("SELECT hypopg_create_index(%s)", (definition,))
                try:
                    cost, _ = explain(conn, stmt.sql)
                finally:
                    conn.execute("SELECT hypopg_reset()")
                if cost < base * 0.99 and (best is None or cost < best[0]):
                    best = (cost, definition)
        if best is not None:
            chosen.setdefault(best[1], None)
    return list(chosen)


def mb(n: float) -> float:
    return n / 1_000_000


