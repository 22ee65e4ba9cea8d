"""P2 — storage: on-disk bytes per statement-sample, raw and after rollup, from pg_total_relation_size
growth of the history tables (TOAST and indexes included) over 12 collections of 5,000 statements.

Reads are real: the workload target runs every statement 1 to 4 times between two collections, so
every statement changes every time (the most a collection stores), by varying amounts. Collections
are stored 5 minutes apart from 23:30, so the rollup writes hour rows for two hours and the day row
of the first day.
Also prints the time of the queries-page selector (totals of all 5,000 statements over the range).
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time

from bench import workload_statements as wl
from bench.workload_history import clusters, make_target, say

COLLECTIONS = 12
SPACING = dt.timedelta(minutes=5)
START = dt.datetime(2026, 6, 1, 23, 30, tzinfo=dt.UTC)


def table_bytes(parent: str) -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT coalesce(sum(pg_total_relation_size(i.inhrelid)), 0) FROM pg_inherits AS i "
                    "WHERE i.inhparent = %s::regclass", [parent])
        return int(cur.fetchone()[0])


def plain_bytes(*tables: str) -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT sum(pg_total_relation_size(t::regclass)) FROM unnest(%s::text[]) AS t", [list(tables)])
        return int(cur.fetchone()[0])


def main() -> None:
    with clusters("p2") as cl:
        from django.db import connection, transaction

        from monitoring.history import partitions
        from monitoring.history import statements as store
        from monitoring.history.rollups_statements import rollup_target
        from monitoring.history.selectors.statements import statement_totals
        from monitoring.pgstats.statements import read_statements
        from monitoring.targets.connect import connect

        cl.target.ensure_database("workload")
        conninfo = cl.target_conninfo("workload")
        say("p2: building 300 tables and 5,000 statements")
        wl.build_schema(conninfo)
        sqls = wl.statements()
        wl.run(conninfo, sqls)
        target = make_target(cl, "workload")
        end = START + SPACING * COLLECTIONS
        for table in ("monitoring_stmt_raw", "monitoring_stmt_hour", "monitoring_stmt_day"):
            partitions.ensure_range(table, START, end)

        def collect(at: dt.datetime) -> int:
            with connect(target) as conn:
                read = read_statements(conn, store.known_keys(target.pk).keys)
            with transaction.atomic():
                return store.store(target.pk, read, at).rows

        collect(START - SPACING)          # baseline: statements and texts, no samples
        raw0, samples = table_bytes("monitoring_stmt_raw"), 0
        rng = random.Random(2)
        for i in range(COLLECTIONS):
            wl.run_varied(conninfo, sqls, rng)
            samples += collect(START + SPACING * i)
        raw = table_bytes("monitoring_stmt_raw") - raw0

        rollup_target(target.pk)
        hour = table_bytes("monitoring_stmt_hour")
        day = table_bytes("monitoring_stmt_day")
        with connection.cursor() as cur:
            cur.execute("SELECT count(*), sum(nseq) FROM monitoring_stmt_hour WHERE target_id = %s", [target.pk])
            hour_rows, statement_hours = cur.fetchone()
        catalog = plain_bytes("monitoring_statement", "monitoring_querytext")
        state = plain_bytes("monitoring_stmt_state")

        timings = []
        for _ in range(7):
            started = time.perf_counter()
            page = statement_totals(target.pk, START, end, order="total_time", limit=50)
            timings.append((time.perf_counter() - started) * 1000)
        assert page.total >= 5000, page.total

        print(f"bench p2_storage collections={COLLECTIONS} statement_samples={samples} raw_bytes={raw} "
              f"raw_bytes_per_sample={raw / samples:.1f} goal_raw=100", flush=True)
        print(f"bench p2_storage rollup_hour_rows={hour_rows} rollup_bytes={hour + day} "
              f"rollup_bytes_per_sample={(hour + day) / samples:.2f} "
              f"hour_bytes_per_statement_hour={hour / statement_hours:.1f} sample_spacing_s={SPACING.seconds} "
              f"goal_compacted=40", flush=True)
        print(f"bench p2_storage statements={page.total} catalog_bytes={catalog} state_bytes={state} "
              f"totals_selector_ms={statistics.median(timings):.1f}", flush=True)


if __name__ == "__main__":
    main()
