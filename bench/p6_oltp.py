"""P6: index advice for an application workload — the engine's default against a careful DBA's set.

    .venv/bin/python -m bench.p6_oltp [--scale 1] [--profile balanced] [--write-sample 0.01]

1. A helpdesk SaaS (``bench/oltp``): 11 tables, primary and foreign keys only, skewed data, an ICU
   collation; ``--scale 1`` is about 1.3 GB. Kept under ``.dbconsole-bench/`` for the next run.
2. An hour of its traffic (``bench/oltp/workload.py``, calls per hour times ``--scale``): each read
   runs once so pg_stat_statements holds its normalized text; the writes run as a sample
   (``--write-sample`` of their calls, in a transaction rolled back afterwards) and the tables'
   counters, scaled back up, are the hour's write load — HOT updates included, as measured. VACUUMs in
   the hour are the ones autovacuum's default thresholds would start for the dead rows written.
3. The advisor runs as it does in the product: pg_stat_statements' texts, calls per hour, rows, the
   write load, the lookups foreign keys run for parent deletes, a one-hour window, the chosen profile,
   no budget — over a guarded read-only connection as a role with only pg_monitor and pg_read_all_data.
4. Every set (the advisor's, the DBA's, best single column per statement) is built for real and scored
   on the concrete statements: Σ calls x EXPLAIN cost relative to no secondary index; sizes are
   ``pg_relation_size``; "unused" counts the advisor's indexes no plan of the workload uses.

stdout: one ``bench p6 …`` line with the targets (residual ≤ 5x the DBA set's, real size ≤ 1.3x, zero
unused, runtime ≤ 15 s); progress on stderr. A server this run started is stopped at the end.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import Any

import psycopg

from bench.common import guarded_params, running, say, setup_django
from bench.indexsets import Concrete, SetScore, best_single_columns, drop_leftovers, mb, score, workload_cost
from bench.oltp import load as oltp
from bench.oltp.workload import DBA_SET, SHAPES, Shape

RESIDUAL_GOAL = 5.0
SIZE_GOAL = 1.3
RUNTIME_GOAL_S = 15.0
WINDOW_S = 3600.0
SCORED_PARAMETERS = 3  # parameter sets each read is scored with (their costs averaged)
TABLE_COUNTERS = ("n_tup_ins", "n_tup_upd", "n_tup_del", "n_tup_hot_upd")


def params_for(conn: Any, shape: Shape, n: int) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in conn.execute(shape.params.format(n=n)).fetchall()]


def table_counters(conn: Any) -> dict[str, dict[str, float]]:
    conn.execute("SELECT pg_stat_clear_snapshot()")
    rows = conn.execute(f"SELECT s.relname, c.reltuples, {', '.join('s.' + k for k in TABLE_COUNTERS)} "
                        "FROM pg_stat_user_tables AS s JOIN pg_class AS c ON c.oid = s.relid "
                        "WHERE s.schemaname = 'public'").fetchall()
    return {r[0]: {"reltuples": float(r[1]), **dict(zip(TABLE_COUNTERS, map(float, r[2:]), strict=True))}
            for r in rows}


def run_traffic(cluster: Any, shapes: Sequence[Shape], scale: float, sample: float) -> tuple[
        dict[str, list[tuple[Any, ...]]], dict[str, dict[str, float]], dict[str, int]]:
    """Run the reads once and the write sample (rolled back); return each shape's parameters, the
    write sample's table counters and each shape's queryid."""
    conninfo = cluster.conninfo(oltp.DBNAME)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        chosen = {s.name: params_for(conn, s, max(1, round(s.per_hour * scale * sample)) if s.write
                                     else SCORED_PARAMETERS) for s in shapes}
        before = table_counters(conn)
        conn.execute("SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database "
                     "WHERE datname = current_database()), 0)")
    queryids: dict[str, int] = {}
    # Client-side binding, as many drivers and ORMs do: the server sees literals and normalizes them, so
    # one shape is one pg_stat_statements entry (server-side parameters typed int2 for small values and
    # int4 for large ones would make two).
    with psycopg.connect(conninfo, autocommit=True, cursor_factory=psycopg.ClientCursor) as conn:
        seen: set[int] = set()
        for shape in shapes:
            with conn.transaction(force_rollback=True):
                for values in chosen[shape.name] if shape.write else chosen[shape.name][:1]:
                    conn.execute(shape.sql, values)
            # toplevel: pg_stat_statements.track = all also records the lookups foreign keys run inside.
            new = [int(q) for (q, text) in conn.execute(
                "SELECT queryid, query FROM pg_stat_statements WHERE toplevel AND dbid = (SELECT oid FROM "
                "pg_database WHERE datname = current_database())").fetchall()
                if int(q) not in seen and "pg_stat_statements" not in text and "pg_database" not in text
                and text.strip().upper() not in ("BEGIN", "ROLLBACK", "COMMIT")]
            if len(new) == 1:
                queryids[shape.name] = new[0]
            else:
                say(f"  {shape.name}: {len(new)} new pg_stat_statements entries, not one")
            seen.update(new)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        after = table_counters(conn)
        say("VACUUM (the rolled-back write sample left dead rows)")
        conn.execute("VACUUM")
    delta = {t: {k: after[t][k] - before.get(t, {}).get(k, 0.0) for k in TABLE_COUNTERS} | {
        "reltuples": after[t]["reltuples"]} for t in after}
    return chosen, delta, queryids


def write_load(delta: dict[str, dict[str, float]], sample: float) -> dict[str | int, Any]:
    from advisor.selection import TableWrites

    out: dict[str | int, Any] = {}
    for table, d in delta.items():
        ins, upd, dele, hot = (d[k] / sample for k in TABLE_COUNTERS)
        if not (ins or upd or dele):
            continue
        # autovacuum's defaults: a VACUUM once dead rows pass 50 + 20 % of the table.
        vacuums = (upd + dele) / (50 + 0.2 * d["reltuples"])
        out[f"public.{table}"] = TableWrites(n_tup_ins=ins, n_tup_upd=upd, n_tup_del=dele, n_tup_hot_upd=hot,
                                             vacuums=vacuums)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="data and traffic scale (1: about 1.3 GB)")
    parser.add_argument("--profile", default="balanced", help="the advisor's profile")
    parser.add_argument("--write-sample", type=float, default=0.01, help="share of the writes actually run")
    parser.add_argument("--time-limit", type=float, default=60.0, help="advisor time limit (s)")
    args = parser.parse_args(argv)

    setup_django()
    from advisor.rules.catalog import Catalog
    from advisor.selection import recommend_indexes
    from advisor.selection.foreign_keys import fk_check_statement
    from monitoring.targets.connect import Guard, connect_params
    from pgsql.workload import WorkloadStatement, analyze_workload

    state = oltp.OltpState(scale=args.scale)
    cluster = oltp.ensure_cluster(state)
    with running(cluster):
        oltp.load(state, cluster)
        password = oltp.ensure_advisor_role(state, cluster)
        with psycopg.connect(cluster.conninfo(oltp.DBNAME), autocommit=True) as admin:
            drop_leftovers(admin)
        chosen, delta, queryids = run_traffic(cluster, SHAPES, args.scale, args.write_sample)
        writes = write_load(delta, args.write_sample)
        guard = Guard(statement_timeout_ms=30_000, lock_timeout_ms=1_000, idle_tx_timeout_ms=60_000)
        params = guarded_params(cluster, oltp.DBNAME, oltp.ADVISOR_ROLE, password)
        with connect_params(params, guard) as conn, psycopg.connect(cluster.conninfo(oltp.DBNAME),
                                                                    autocommit=True) as admin:
            texts = {int(q): (text, int(calls), int(rows)) for q, text, calls, rows in conn.execute(
                "SELECT queryid, query, calls, rows FROM pg_stat_statements WHERE toplevel AND dbid = (SELECT oid "
                "FROM pg_database WHERE datname = current_database())").fetchall()}
            statements, concrete = [], []
            for shape in SHAPES:
                calls = shape.per_hour * args.scale
                qid = queryids.get(shape.name)
                if qid is None or qid not in texts:
                    say(f"  {shape.name}: not found in pg_stat_statements, left out")
                    continue
                text, ran, rows = texts[qid]
                statements.append(WorkloadStatement(queryid=qid, query=text, calls=max(1, round(calls)),
                                                    rows=round(rows / max(ran, 1) * calls), dbname=oltp.DBNAME))
                scored = chosen[shape.name][:1 if shape.write else SCORED_PARAMETERS]
                for values in scored:
                    concrete.append(Concrete(shape.name, psycopg.ClientCursor(admin).mogrify(shape.sql, values),
                                             calls / len(scored)))
            for fk in Catalog(conn).foreign_keys():
                deleted = writes.get(f"{fk.ref_schema}.{fk.ref_table}")
                if fk.indexed or deleted is None or deleted.n_tup_del <= 0:
                    continue
                check = fk_check_statement(constraint=fk.name, schema=fk.schema, table=fk.table, columns=fk.columns,
                                           ref_table=fk.ref_table, parent_rows=deleted.n_tup_del, dbname=oltp.DBNAME)
                statements.append(check)
                parent = chosen["ticket delete"][0][0] if fk.ref_table == "tickets" else 1
                concrete.append(Concrete(f"{fk.name} lookup", check.query.replace("$1", str(int(parent))),
                                         deleted.n_tup_del))
            say(f"workload: {len(statements)} statements, {sum(s.calls for s in statements):,} calls an hour; "
                f"writes: { {t: round(w.n_tup_ins + w.n_tup_upd + w.n_tup_del) for t, w in writes.items()} }")
            started = time.monotonic()
            advice = recommend_indexes(conn, statements, write_load=writes, window_s=WINDOW_S,
                                       profile=args.profile, time_limit_s=args.time_limit)
            runtime = time.monotonic() - started
            for skipped in advice.skipped:
                say(f"  skipped {skipped.queryid}: {skipped.reason}")
            for choice in advice.choices:
                say(f"  advisor: {choice.create_sql}  ({mb(choice.size_bytes):.1f} MB estimated, "
                    f"net {choice.net_benefit or 0:,.0f})")
            base, _ = workload_cost(admin, concrete)
            advisor = score(admin, "advisor", [c.create_sql for c in advice.choices], concrete, base)
            dba = score(admin, "dba", [d for d, _ in DBA_SET], concrete, base)
            analysed = analyze_workload(conn, statements, writes=True)
            by_qid = {s.queryid: s for s in analysed.statements}
            columns = []
            by_name = {shape.name: queryids.get(shape.name) for shape in SHAPES}
            for conc in concrete:
                found = by_qid.get(by_name.get(conc.name) or 0)
                if found is not None:
                    columns.append((conc, {scan.table.qualified: [*scan.filter_columns(), *scan.joins]
                                           for scan in found.access.scans}))
            single = score(admin, "single", best_single_columns(admin, columns), concrete, base)
            report(advisor, dba, single, advice, runtime, args)
    return 0


def report(advisor: SetScore, dba: SetScore, single: SetScore, advice: Any, runtime: float,
           args: argparse.Namespace) -> None:
    for label, s in (("advisor", advisor), ("dba", dba), ("single-column", single)):
        say(f"{label}: {len(s.definitions)} indexes, {mb(s.size_bytes):.1f} MB built, relative cost "
            f"{s.relative_pct:.2f} %" + (f", unused: {s.unused}" if s.unused else ""))
    say("calls x cost per statement (advisor / DBA / single column):")
    for name in sorted(advisor.per_statement, key=lambda n: -max(advisor.per_statement[n], dba.per_statement[n])):
        say(f"  {name:28s} {advisor.per_statement[name]:14,.0f} {dba.per_statement[name]:14,.0f} "
            f"{single.per_statement.get(name, 0.0):14,.0f}")
    residual = advisor.relative_pct / dba.relative_pct if dba.relative_pct else float("inf")
    size_ratio = advisor.size_bytes / dba.size_bytes if dba.size_bytes else float("inf")
    ok = (residual <= RESIDUAL_GOAL and size_ratio <= SIZE_GOAL and not advisor.unused and runtime <= RUNTIME_GOAL_S)
    print(f"bench p6 scale={args.scale:g} profile={advice.profile} statements={advice.statements_planned} "
          f"advisor_relative_cost_pct={advisor.relative_pct:.2f} dba_relative_cost_pct={dba.relative_pct:.2f} "
          f"single_column_relative_cost_pct={single.relative_pct:.2f} residual_vs_dba={residual:.2f} "
          f"advisor_indexes={len(advisor.definitions)} dba_indexes={len(dba.definitions)} "
          f"single_column_indexes={len(single.definitions)} advisor_real_mb={mb(advisor.size_bytes):.1f} "
          f"dba_real_mb={mb(dba.size_bytes):.1f} single_column_real_mb={mb(single.size_bytes):.1f} "
          f"size_vs_dba={size_ratio:.2f} unused={len(advisor.unused)} runtime_s={runtime:.1f} "
          f"timed_out={str(advice.timed_out).lower()} advisor_estimate_pct={advice.relative_cost_pct or 0:.2f} "
          f"goal=residual<={RESIDUAL_GOAL:g}x,size<={SIZE_GOAL:g}x,unused=0,runtime<={RUNTIME_GOAL_S:g}s "
          f"{'ok' if ok else 'MISS'}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
