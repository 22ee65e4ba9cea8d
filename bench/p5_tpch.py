"""P5: index advisor quality on TPC-H SF1 against the Extend algorithm's figures on this machine.

    .venv/bin/python -m bench.p5_tpch [--budgets 100,200] [--time-limit 60]

1. Generate TPC-H SF1 with ``tpchgen-cli`` and load it into a PostgreSQL 15 cluster with HypoPG and no
   index at all (VACUUM ANALYZE); ``max_parallel_workers_per_gather=0``, ``shared_buffers=1GB``,
   ``work_mem=64MB``. Data and cluster are kept under ``.dbconsole-bench/`` for the next run.
2. Run the 19 queries (all but Q2, Q17, Q20) once so pg_stat_statements holds them.
3. For each budget, run the advisor on what pg_stat_statements holds — normalized texts with ``$n`` —
   over a guarded read-only connection as a role with only pg_monitor and pg_read_all_data. A budget
   is in MB of 10^6 bytes and checked against HypoPG's size estimates, as Extend's figures were
   (``size_measure="hypopg"``); the workload is read-only and has no window length, so the engine's
   net benefit is the cost reduction alone, Extend's objective.
4. Score: Σ EXPLAIN cost of the *concrete* queries with the recommended indexes as hypothetical
   indexes ÷ Σ without, next to the figure Extend reaches at that budget (DESIGN.md) and — the fair
   comparison — at *equal size*: Extend's curve interpolated linearly between its anchor budgets at
   the HypoPG size of the set chosen (from 100 % at 0 MB; flat past the last anchor).

stdout carries one ``bench p5 …`` line per budget and a summary line; progress goes to stderr. A
server this run started is stopped at the end.
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from bench.common import guarded_params, running, say, setup_django
from bench.tpch import load as tpch

# Relative workload cost (% of the no-index cost) Extend reaches on this machine, per budget in MB.
EXTEND_PCT = {100: 94.3, 200: 80.7, 300: 77.5, 425: 69.4, 575: 62.6, 800: 57.6, 1000: 55.5, 1500: 54.0}
TOLERANCE_PP = 0.5
RUNTIME_GOAL_S = 15.0
MB = 1000 * 1000  # budgets in MB of 10^6 bytes, as the index selection evaluation platform counts them


def extend_at(size_mb: float) -> float:
    """Extend's relative cost at ``size_mb``, linear between its anchors (100 % with no index)."""
    points = [(0.0, 100.0), *sorted((float(b), p) for b, p in EXTEND_PCT.items())]
    if size_mb >= points[-1][0]:
        return points[-1][1]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if x0 <= size_mb <= x1:
            return y0 + (y1 - y0) * (size_mb - x0) / (x1 - x0)
    return points[0][1]
_TAG = re.compile(r"TPC-H Q(\d+)")


def workload(conn: Any) -> tuple[list[Any], int]:
    """The benchmark's statements as pg_stat_statements holds them (found by their leading comment),
    and how many other entries of the database were left out."""
    from pgsql.workload import WorkloadStatement

    rows = conn.execute((tpch.HERE / "sql" / "workload.sql").read_text()).fetchall()
    chosen: list[WorkloadStatement] = []
    for queryid, query, calls, total_ms, _mean in rows:
        found = _TAG.search(query or "")
        if found and int(found.group(1)) in tpch.BENCH_QUERIES and query.lstrip().startswith("--"):
            chosen.append(WorkloadStatement(queryid=int(queryid), query=query, calls=int(calls),
                                            total_exec_time_ms=float(total_ms), dbname=tpch.DBNAME))
    return chosen, len(rows) - len(chosen)


def concrete_cost(conn: Any, definitions: Sequence[str]) -> float:
    """Σ planner cost of the concrete queries with ``definitions`` as hypothetical indexes."""
    conn.execute("SET jit = off")  # EXPLAIN would generate JIT code for nothing; costs do not change
    try:
        for definition in definitions:
            conn.execute("SELECT indexrelid FROM hypopg_create_index(%s)", (definition,))
        total = 0.0
        for number in tpch.BENCH_QUERIES:
            first = conn.execute(f"EXPLAIN (COSTS ON) {tpch.query_text(number)}", prepare=False).fetchone()
            total += float(re.search(r"\.\.([0-9.]+) ", first[0]).group(1))  # type: ignore[union-attr]
        return total
    finally:
        conn.execute("SELECT hypopg_reset()")


def concrete_texts(statements: Sequence[Any]) -> list[Any]:
    """The same statements with their concrete texts (diagnostic ``--concrete``)."""
    out = []
    for stmt in statements:
        found = _TAG.search(stmt.query)
        assert found is not None
        out.append(replace(stmt, query=tpch.query_text(int(found.group(1)))))
    return out


def result_line(budget: int, relative: float, advice: Any) -> tuple[str, bool]:
    """The ``bench p5`` line for one budget, and whether it meets the goal (within the tolerance of
    Extend at equal HypoPG size, and within the runtime goal)."""
    hypopg_mb = sum(c.hypopg_size_bytes or 0 for c in advice.choices) / MB
    estimated_mb = sum(c.size_bytes for c in advice.choices) / MB
    at_size = extend_at(hypopg_mb)
    diff_at_size = relative - at_size
    line = (f"bench p5 budget_mb={budget} relative_cost_pct={relative:.2f} runtime_s={advice.runtime_s:.1f} "
            f"hypopg_calls={advice.hypopg_calls} indexes={len(advice.choices)} "
            f"explain_calls={advice.explain_calls} hypopg_mb={hypopg_mb:.1f} estimated_mb={estimated_mb:.1f} "
            f"advisor_estimate_pct={advice.relative_cost_pct or 0.0:.2f} timed_out={str(advice.timed_out).lower()} "
            f"extend_at_size_pct={at_size:.2f} diff_at_size_pp={diff_at_size:+.2f}")
    ok = diff_at_size <= TOLERANCE_PP and advice.runtime_s <= RUNTIME_GOAL_S
    reference = EXTEND_PCT.get(budget)
    if reference is not None:
        line += f" extend_pct={reference:.1f} diff_pp={relative - reference:+.2f}"
    return line + f" {'ok' if ok else 'MISS'}", ok


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--budgets", default=",".join(str(b) for b in EXTEND_PCT),
                        help="comma-separated budgets in MB (default: the eight reference budgets)")
    parser.add_argument("--time-limit", type=float, default=30.0, help="advisor time limit per run (s)")
    parser.add_argument("--plan-mode", default="typical", choices=("typical", "generic"),
                        help="how the advisor plans $n statements (see advisor.selection.recommend_indexes)")
    parser.add_argument("--concrete", action="store_true",
                        help="diagnostic: give the advisor the concrete query texts instead of the normalized "
                             "ones, to separate the search's quality from what normalization hides")
    args = parser.parse_args(argv)
    budgets = [int(b) for b in args.budgets.split(",") if b.strip()]

    setup_django()
    from advisor.selection import recommend_indexes
    from monitoring.targets.connect import Guard, connect_params

    state = tpch.TpchState()
    tpch.generate(state)
    cluster = tpch.ensure_cluster(state)
    with running(cluster):
        tpch.load(state, cluster)
        password = tpch.ensure_advisor_role(state, cluster)
        tpch.run_workload(cluster)
        guard = Guard(statement_timeout_ms=30_000, lock_timeout_ms=1_000, idle_tx_timeout_ms=60_000)
        params = guarded_params(cluster, tpch.DBNAME, tpch.ADVISOR_ROLE, password)
        with connect_params(params, guard) as conn:
            statements, others = workload(conn)
            say(f"workload: {len(statements)} TPC-H statements from pg_stat_statements "
                f"({others} other entries of the database left out)")
            if args.concrete:
                statements = concrete_texts(statements)
            base = concrete_cost(conn, [])
            misses = 0
            for budget in budgets:
                advice = recommend_indexes(conn, statements, budget_bytes=budget * MB, size_measure="hypopg",
                                           plan_mode=args.plan_mode, time_limit_s=args.time_limit)
                for skipped in advice.skipped:
                    say(f"  skipped {skipped.queryid}: {skipped.reason}")
                for choice in advice.choices:
                    hypo = (choice.hypopg_size_bytes or 0) / MB
                    say(f"  {budget} MB: {choice.create_sql}  ({hypo:.1f} MB by HypoPG, "
                        f"{choice.size_bytes / MB:.1f} MB estimated)")
                relative = 100.0 * concrete_cost(conn, [c.create_sql for c in advice.choices]) / base
                line, ok = result_line(budget, relative, advice)
                misses += 0 if ok else 1
                print(line, flush=True)
            print(f"bench p5 summary budgets={len(budgets)} misses={misses} "
                  f"goal=within_{TOLERANCE_PP}pp_of_extend_at_equal_size_and_{RUNTIME_GOAL_S:.0f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
