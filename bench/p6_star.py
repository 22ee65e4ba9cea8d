"""P6 (star schema): the engine on a large analytic workload — 87 statements, 24 tables, no index.

    .venv/bin/python -m bench.p6_star [--scale 1] [--budgets 250,500,1000,2500,none] [--time-limit 60]

1. A retail star schema of our own (``bench/star``: 7 fact tables, 17 dimensions, TPC-DS-like in
   shape), generated in SQL with a fixed seed and kept under ``.dbconsole-bench/``.
2. The 87 reporting statements run once each (``statement_timeout`` 10 minutes) so pg_stat_statements
   holds their normalized texts.
3. For each budget (MB of 10^6 bytes checked against HypoPG's sizes, as in P5; ``none``: the default,
   no budget) the advisor runs under the product's default time limit, over a guarded read-only
   connection as a role with pg_monitor and pg_read_all_data.
4. Score: Σ EXPLAIN cost of the concrete statements with the chosen indexes as hypothetical indexes ÷
   Σ without; and whether the search finished within its limit (``timed_out``, ``stopped_in``).

stdout: one ``bench p6_star …`` line per budget and a summary; progress on stderr.
"""

from __future__ import annotations

import argparse
import re
import secrets
import sys
import time
from collections.abc import Sequence
from typing import Any

import psycopg

from bench.common import guarded_params, running, say, setup_django
from bench.star import load as star
from bench.star.queries import statements as star_statements

MB = 1000 * 1000
ADVISOR_ROLE = "bench_advisor"
_TAG = re.compile(r"-- star Q(\d+)")


def ensure_role(state: star.StarState, cluster: Any) -> str:
    if not state.advisor_password_file.exists():
        state.advisor_password_file.write_text(secrets.token_urlsafe(18) + "\n")
        state.advisor_password_file.chmod(0o600)
    password = state.advisor_password_file.read_text().strip()
    with psycopg.connect(cluster.conninfo(), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (ADVISOR_ROLE,)).fetchone()
        conn.execute(f"{'ALTER' if exists else 'CREATE'} ROLE {ADVISOR_ROLE} LOGIN PASSWORD '{password}'")
        conn.execute(f"GRANT pg_monitor, pg_read_all_data TO {ADVISOR_ROLE}")
    return password


def recorded(conn: Any) -> dict[int, tuple[int, str, int]]:
    """Statement number -> (queryid, normalized text, calls) from pg_stat_statements."""
    out: dict[int, tuple[int, str, int]] = {}
    for queryid, query, calls in conn.execute(
            "SELECT queryid, query, calls FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database "
            "WHERE datname = current_database()) AND toplevel").fetchall():
        found = _TAG.search(query or "")
        if found and str(query).lstrip().startswith("--"):
            out[int(found.group(1))] = (int(queryid), str(query), int(calls))
    return out


def run_missing(cluster: Any, texts: Sequence[str]) -> None:
    with psycopg.connect(cluster.conninfo(star.DBNAME), autocommit=True) as conn:
        have = recorded(conn)
        conn.execute("SET statement_timeout = '10min'")
        for number, text in enumerate(texts, start=1):
            if number in have:
                continue
            started = time.monotonic()
            conn.execute(text).fetchall()
            say(f"ran star Q{number} in {time.monotonic() - started:.1f} s")


def concrete_cost(conn: Any, texts: Sequence[str], definitions: Sequence[str]) -> float:
    conn.execute("SET jit = off")
    try:
        for definition in definitions:
            conn.execute("SELECT indexrelid FROM hypopg_create_index(%s)", (definition,))
        total = 0.0
        for text in texts:
            first = conn.execute(f"EXPLAIN (COSTS ON) {text}", prepare=False).fetchone()
            total += float(re.search(r"\.\.([0-9.]+) ", first[0]).group(1))  # type: ignore[union-attr]
        return total
    finally:
        conn.execute("SELECT hypopg_reset()")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--budgets", default="250,500,1000,2500,none",
                        help="comma-separated budgets in MB; 'none' for the default (no budget)")
    parser.add_argument("--time-limit", type=float, default=60.0, help="the product's default engine limit")
    args = parser.parse_args(argv)
    setup_django()
    from advisor.selection import recommend_indexes
    from monitoring.targets.connect import Guard, connect_params
    from pgsql.workload import WorkloadStatement

    texts = star_statements()
    state = star.StarState(scale=args.scale)
    cluster = state.cluster
    cluster.init(fast=True)
    with running(cluster):
        star.load(state, cluster)
        password = ensure_role(state, cluster)
        run_missing(cluster, texts)
        guard = Guard(statement_timeout_ms=30_000, lock_timeout_ms=1_000, idle_tx_timeout_ms=60_000)
        with connect_params(guarded_params(cluster, star.DBNAME, ADVISOR_ROLE, password), guard) as conn:
            have = recorded(conn)
            workload = [WorkloadStatement(queryid=q, query=text, calls=calls, dbname=star.DBNAME)
                        for q, text, calls in have.values()]
            row = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
            tables = int(row[0]) if row else 0
            say(f"workload: {len(workload)} statements over {tables} tables")
            base = concrete_cost(conn, texts, [])
            misses = 0
            for budget_text in [b.strip() for b in args.budgets.split(",") if b.strip()]:
                budget = None if budget_text == "none" else int(budget_text) * MB
                advice = recommend_indexes(conn, workload, budget_bytes=budget, size_measure="hypopg",
                                           time_limit_s=args.time_limit)
                for skipped in advice.skipped:
                    say(f"  skipped {skipped.queryid}: {skipped.reason}")
                relative = 100.0 * concrete_cost(conn, texts, [c.create_sql for c in advice.choices]) / base
                hypopg_mb = sum(c.hypopg_size_bytes or 0 for c in advice.choices) / MB
                ok = not advice.timed_out and advice.runtime_s <= args.time_limit
                misses += 0 if ok else 1
                print(f"bench p6_star scale={args.scale:g} budget_mb={budget_text} statements={len(workload)} "
                      f"planned={advice.statements_planned} skipped={len(advice.skipped)} tables={tables} "
                      f"candidates={advice.candidates} indexes={len(advice.choices)} hypopg_mb={hypopg_mb:.1f} "
                      f"estimated_mb={sum(c.size_bytes for c in advice.choices) / MB:.1f} "
                      f"relative_cost_pct={relative:.2f} advisor_estimate_pct={advice.relative_cost_pct or 0:.2f} "
                      f"runtime_s={advice.runtime_s:.1f} explain_calls={advice.explain_calls} "
                      f"timed_out={str(advice.timed_out).lower()} stopped_in={advice.stopped_in or '-'} "
                      f"{'ok' if ok else 'MISS'}", flush=True)
            print(f"bench p6_star summary runs={len(args.budgets.split(','))} misses={misses} "
                  f"goal=finish_within_{args.time_limit:.0f}s_limit", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
