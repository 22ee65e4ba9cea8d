"""``recommend_indexes``: the workload-level missing-index advisor, from statements to a set of indexes."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from advisor.selection.candidates import DEFAULT_MAX_WIDTH, generate
from advisor.selection.explain import why_column_order
from advisor.selection.heuristic import heuristic_choices
from advisor.selection.results import IndexAdvice, IndexChoice, StatementEffect
from advisor.selection.search import Search
from advisor.selection.writes import TableWrites, WriteModel
from advisor.whatif.engine import WhatIfEngine
from advisor.whatif.hypopg import HypoPG, hypopg_status
from advisor.whatif.indexes import IndexSpec
from pgsql.workload.analyze import AnalyzedStatement, analyze_workload
from pgsql.workload.statements import SkippedStatement, WorkloadStatement

WEIGHTINGS = ("calls", "time")
PLAN_MODES = ("typical", "generic")


def statement_weights(statements: Sequence[AnalyzedStatement], baseline: Mapping[int, float],
                      weighting: str) -> dict[int, float]:
    """Weights that turn per-call planner costs into the workload objective.

    ``calls`` (default): cost x calls, the planner's estimate of the whole window's work; it needs no
    timing and is what the TPC-H reference figures measure. ``time``: total_exec_time / baseline cost
    per statement (milliseconds per cost unit), so the objective is estimated milliseconds saved over
    the window — it trusts measured time over the planner's absolute costs, but a statement that ran
    slowly once because of a cold cache or a lock wait weighs more than it should.
    """
    if weighting not in WEIGHTINGS:
        raise ValueError(f"weighting must be one of {WEIGHTINGS}, not {weighting!r}")
    if weighting == "time" and any(s.statement.total_exec_time_ms > 0 for s in statements):
        return {s.queryid: s.statement.total_exec_time_ms / baseline[s.queryid] if baseline[s.queryid] else 0.0
                for s in statements}
    return {s.queryid: float(s.statement.calls) for s in statements}


def recommend_indexes(
    conn: Any,
    statements: Iterable[WorkloadStatement],
    *,
    budget_bytes: int,
    write_load: Mapping[str | int, TableWrites] | None = None,
    weighting: str = "calls",
    plan_mode: str = "typical",
    max_width: int = DEFAULT_MAX_WIDTH,
    time_limit_s: float = 30.0,
) -> IndexAdvice:
    """Choose the set of btree indexes that most reduces the workload's cost within ``budget_bytes``.

    ``conn``: a guarded connection (``monitoring.targets.connect``) to the database the statements ran
    in; read-only is fine, HypoPG works in read-only transactions. The role needs SELECT on the tables
    (EXPLAIN requires it: grant ``pg_read_all_data`` on PG 14+). Nothing is ever created on the target:
    hypothetical indexes live in this session and are reset before returning.

    ``statements``: pg_stat_statements entries over the window (normalized text, calls and total time as
    deltas over the window; ``dbname`` of the entry if known — entries of other databases are skipped).
    Non-SELECTs, unparsable or unplannable statements end up in ``skipped`` with a reason.

    ``write_load``: rows written per table over the same window, keyed by ``"schema.table"`` or table
    oid (see :class:`TableWrites`); each index is charged for maintaining it.

    ``weighting``: ``"calls"`` or ``"time"`` (see :func:`statement_weights`).

    ``plan_mode``: ``"typical"`` (default) plans each statement generically except for two-sided
    ranges and ``LIMIT $n``, which get typical values from pg_stats (:mod:`pgsql.workload.typical`);
    ``"generic"`` plans every placeholder generically, with the planner's fixed guesses.

    ``max_width`` caps the number of key columns; ``time_limit_s`` stops the search and returns the
    best configuration found so far (``timed_out`` says so).

    Existing indexes are read from the catalog: the planner already uses them, and candidates they
    cover are not proposed. Without HypoPG the result is an explicitly unverified heuristic.
    """
    if plan_mode not in PLAN_MODES:
        raise ValueError(f"plan_mode must be one of {PLAN_MODES}, not {plan_mode!r}")
    if not conn.autocommit:
        # One failed EXPLAIN would abort the caller's transaction and every statement after it.
        raise ValueError("recommend_indexes needs an autocommit connection (monitoring.targets.connect gives one)")
    started = time.monotonic()
    server_major = int(conn.info.server_version) // 10000
    workload = analyze_workload(conn, statements, typical=plan_mode == "typical")
    skipped: list[SkippedStatement] = list(workload.skipped)
    status = hypopg_status(conn)
    if not status.usable:
        # No planner costs to convert: "time" weighs by the measured time itself.
        timed = weighting == "time" and any(s.statement.total_exec_time_ms > 0 for s in workload.statements)
        weights = {s.queryid: s.statement.total_exec_time_ms if timed else float(s.statement.calls)
                   for s in workload.statements}
        choices = heuristic_choices(workload.statements, weights, budget_bytes, WriteModel(write_load))
        return IndexAdvice(
            verified=False, reason=status.reason + "; these suggestions come from the statements' access "
            "patterns only and are unverified: no cost estimate is given", weighting=weighting,
            budget_bytes=budget_bytes, used_bytes=sum(c.size_bytes for c in choices), baseline_cost=None,
            final_cost=None, hypopg_calls=0, explain_calls=0, runtime_s=time.monotonic() - started,
            server_major=server_major, choices=choices, skipped=skipped,
        )
    hypopg = HypoPG(conn, status)
    with WhatIfEngine(conn, workload.statements, server_major=server_major, hypopg=hypopg,
                      typical=plan_mode == "typical") as engine:
        baseline = engine.baseline()
        skipped.extend(SkippedStatement(s.queryid, s.statement.query, engine.failures[s.queryid])
                       for s in workload.statements if s.queryid in engine.failures)
        planned = [s for s in workload.statements if s.queryid in baseline]
        weights = statement_weights(planned, baseline, weighting)
        # With "time" weights an execution's cost unit is worth weight/calls milliseconds; the write
        # overhead (cost units) is converted at the calls-weighted average of that rate.
        total_calls = sum(s.statement.calls for s in planned)
        ms_per_unit = (sum(weights[s.queryid] for s in planned) / total_calls
                       if weighting == "time" and total_calls else 1.0)
        writes = WriteModel(write_load, cost_per_unit=ms_per_unit)
        search = Search(engine, planned, weights, writes, budget_bytes, max_width=max_width,
                        deadline=started + time_limit_s)
        search.run(generate(planned, weights, max_width))
        choices = _describe(engine, search, planned, weights, baseline, writes)
        final = {s.queryid: engine.cost(s, search.config).cost for s in planned}
    return IndexAdvice(
        verified=True, reason="", weighting=weighting, budget_bytes=budget_bytes, used_bytes=search.used_bytes,
        baseline_cost=sum(weights[q] * c for q, c in baseline.items()),
        final_cost=sum(weights[q] * c for q, c in final.items()),
        hypopg_calls=hypopg.calls, explain_calls=engine.explain_calls, runtime_s=time.monotonic() - started,
        server_major=server_major, timed_out=search.timed_out, choices=choices, skipped=skipped,
    )


def _describe(engine: WhatIfEngine, search: Search, planned: Sequence[AnalyzedStatement],
              weights: Mapping[int, float], baseline: Mapping[int, float], writes: WriteModel) -> list[IndexChoice]:
    config = search.config
    plans = {s.queryid: engine.cost(s, config) for s in planned}
    choices: list[IndexChoice] = []
    names: set[str] = set()
    for spec in sorted(config, key=lambda i: (i.table.qualified, i.keys)):
        served = [s for s in planned if spec in plans[s.queryid].used]
        without = config - {spec}
        benefit = sum(weights[s.queryid] * (engine.cost(s, without).cost - plans[s.queryid].cost)
                      for s in search.affected(spec))
        helps = tuple(
            StatementEffect(queryid=s.queryid, query=s.statement.query, calls=s.statement.calls,
                            weight=weights[s.queryid], cost_before=baseline[s.queryid],
                            cost_after=plans[s.queryid].cost)
            for s in sorted(served, key=lambda s: -weights[s.queryid] * (baseline[s.queryid] - plans[s.queryid].cost))
        )
        choices.append(_choice(spec, spec.suggested_name(names), engine.size(spec), writes.overhead(spec),
                               benefit, helps, served))
    choices.sort(key=lambda c: -(c.benefit or 0.0))
    return choices


def _choice(spec: IndexSpec, name: str, size: int, overhead: float, benefit: float,
            helps: tuple[StatementEffect, ...], served: Sequence[AnalyzedStatement]) -> IndexChoice:
    return IndexChoice(
        table=spec.table.qualified, columns=spec.columns, include=spec.include, where=spec.where,
        expression=spec.expression, name=name, create_sql=spec.create_sql(name), size_bytes=size,
        size_estimated=False, write_overhead=overhead, benefit=benefit, helps=helps,
        why=why_column_order(spec, served), verified=True,
    )
