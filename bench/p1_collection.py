"""P1 — collection cost: one steady-state statements collection vs the bare read of
``pg_stat_statements(showtext := false)`` into Python, on the same target in the same run.

Workload: ~300 tables with 3 indexes each, 5,000 distinct statements, all of them run again (1 to 4
times) between two collections — every statement changed: the most a collection ever writes.
Both figures are medians of 7 runs; ``collection_ms`` is the whole run as a worker does it (guarded
connect, read, diff, one history-store transaction), ``read_ms``/``store_ms`` its two halves.
Goal: ratio ≤ 1.5.
"""

from __future__ import annotations

import os
import random
import statistics
import time

import psycopg

from bench import workload_statements as wl
from bench.workload_history import clusters, make_target, say

RUNS = 7


def bare_read_ms(conninfo: str) -> float:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        timings = []
        for _ in range(RUNS):
            started = time.perf_counter()
            conn.execute("SELECT * FROM pg_stat_statements(showtext := false)").fetchall()
            timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> None:
    with clusters("p1") as cl:
        from monitoring.collectors.runner import run

        cl.target.ensure_database("workload")
        conninfo = cl.target_conninfo("workload")
        say("p1: building 300 tables and 5,000 statements")
        wl.build_schema(conninfo)
        sqls = wl.statements()
        wl.run(conninfo, sqls)
        target = make_target(cl, "workload")
        first = run(target, "statements")   # baseline: fetches all texts once
        assert first.ok, first.line()
        collect, bare, reads, stores = [], [], [], []
        rng = random.Random(1)
        for _ in range(RUNS):
            wl.run_varied(conninfo, sqls, rng)
            bare.append(bare_read_ms(conninfo))
            started = time.perf_counter()
            result = run(target, "statements")
            collect.append((time.perf_counter() - started) * 1000)
            assert result.ok, result.line()
            reads.append(result.read_ms)
            stores.append(result.store_ms)
        entries = wl.entries(conninfo)
        collect_ms, bare_ms = statistics.median(collect), statistics.median(bare)
        print(f"bench p1_collection statements={entries} changed={result.rows} bare_read_ms={bare_ms:.1f} "
              f"collection_ms={collect_ms:.1f} ratio={collect_ms / bare_ms:.2f} goal_ratio=1.5 "
              f"read_ms={statistics.median(reads):.1f} store_ms={statistics.median(stores):.1f} "
              f"load_avg={os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
