"""``recommend_indexes``: the workload-level missing-index advisor, from statements to a set of indexes."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from advisor.selection.candidates import DEFAULT_MAX_WIDTH, candidate_sets, generate
from advisor.selection.costs import ExchangeRates, Maintenance, profile_name
from advisor.selection.describe import describe
from advisor.selection.heuristic import heuristic_choices
from advisor.selection.results import IndexAdvice
from advisor.selection.search import Search
from advisor.selection.writes import TableWrites, UpdateShape, WriteModel
from advisor.whatif.engine import WhatIfEngine
from advisor.whatif.hypopg import HypoPG, hypopg_status
from advisor.whatif.indexes import IndexSpec
from advisor.whatif.planner import PlanError
from pgsql.workload.analyze import AnalyzedStatement, analyze_workload
from pgsql.workload.statements import SkippedStatement, WorkloadStatement

WEIGHTINGS = ("calls", "time")
PLAN_MODES = ("typical", "generic")
SIZE_MEASURES = ("estimate", "hypopg")


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


def update_shapes(statements: Iterable[AnalyzedStatement]) -> list[UpdateShape]:
    """The workload's UPDATEs: which columns they set, and how many rows (calls when rows are unknown)."""
    out = []
    for stmt in statements:
        if stmt.sets is not None:
            rows = stmt.statement.rows if stmt.statement.rows is not None else stmt.statement.calls
            out.append(UpdateShape(table_oid=stmt.sets[0], columns=stmt.sets[1], rows=float(rows)))
    return out


def recommend_indexes(
    conn: Any,
    statements: Iterable[WorkloadStatement],
    *,
    budget_bytes: int | None = None,
    profile: str = "balanced",
    rates: ExchangeRates | None = None,
    window_s: float | None = None,
    max_per_table: int | None = None,
    size_measure: str = "estimate",
    write_load: Mapping[str | int, TableWrites] | None = None,
    weighting: str = "calls",
    plan_mode: str = "typical",
    max_width: int = DEFAULT_MAX_WIDTH,
    time_limit_s: float = 30.0,
) -> IndexAdvice:
    """Choose the set of btree indexes that pays for itself best: the largest read savings net of the
    write and storage cost they add (exchange rates in :mod:`advisor.selection.costs`).

    ``conn``: a guarded connection (``monitoring.targets.connect``) to the database the statements ran
    in; read-only is fine, HypoPG works in read-only transactions. The role needs SELECT on the tables
    (EXPLAIN requires it: grant ``pg_read_all_data`` on PG 14+). Nothing is ever created on the target:
    hypothetical indexes live in this session and are reset before returning.

    ``statements``: pg_stat_statements entries over the window (normalized text, calls, rows and total
    time as deltas over the window; ``dbname`` of the entry if known — entries of other databases are
    skipped). SELECTs, and the rows UPDATE/DELETE/SELECT FOR UPDATE statements find, are what indexes
    can speed up; UPDATEs also say which columns they set (lost HOT updates). Unparsable or
    unplannable statements end up in ``skipped`` with a reason.

    ``profile`` (write-optimised, balanced, read-optimised) scales the exchange rates, or ``rates``
    gives them outright. ``window_s``: the window's length, which storage is charged over (None: not
    known, storage then costs only its VACUUM scans).

    ``budget_bytes`` (a storage budget) and ``max_per_table`` (new indexes per table) are optional
    caps; ``size_measure`` says what the budget is checked against: ``"estimate"`` (default, our
    btree estimate with deduplication) or ``"hypopg"`` (HypoPG's figure, which ignores it).

    ``write_load``: rows written per table over the same window, keyed by ``"schema.table"`` or table
    oid (see :class:`TableWrites`). ``weighting``: ``"calls"`` or ``"time"`` (see
    :func:`statement_weights`). ``plan_mode``: ``"typical"`` (default) plans each statement
    generically except for two-sided ranges, ``LIKE $n`` and ``LIMIT $n``, which get typical values
    from pg_stats (:mod:`pgsql.workload.typical`); ``"generic"`` plans every placeholder generically.

    ``max_width`` caps the number of key columns; ``time_limit_s`` stops the search and returns the
    best configuration found so far (``timed_out`` and ``stopped_in`` say so).

    Existing indexes are read from the catalog: the planner already uses them, and candidates they
    cover are not proposed. Without HypoPG the result is an explicitly unverified heuristic.
    """
    if plan_mode not in PLAN_MODES:
        raise ValueError(f"plan_mode must be one of {PLAN_MODES}, not {plan_mode!r}")
    if size_measure not in SIZE_MEASURES:
        raise ValueError(f"size_measure must be one of {SIZE_MEASURES}, not {size_measure!r}")
    if not conn.autocommit:
        # One failed EXPLAIN would abort the caller's transaction and every statement after it.
        raise ValueError("recommend_indexes needs an autocommit connection (monitoring.targets.connect gives one)")
    profile = profile_name(profile)
    rates = rates or ExchangeRates.for_profile(profile)
    started = time.monotonic()
    server_major = int(conn.info.server_version) // 10000
    workload = analyze_workload(conn, statements, typical=plan_mode == "typical", writes=True)
    skipped: list[SkippedStatement] = list(workload.skipped)
    status = hypopg_status(conn)
    window_hours = window_s / 3600.0 if window_s else None
    common: dict[str, Any] = dict(weighting=weighting, budget_bytes=budget_bytes, server_major=server_major,
                                  profile=profile, rates=rates.as_dict(), window_s=window_s,
                                  max_per_table=max_per_table, size_measure=size_measure,
                                  time_limit_s=time_limit_s)
    writes = WriteModel(write_load, update_shapes(workload.statements))
    if not status.usable:
        # No planner costs to convert: "time" weighs by the measured time itself.
        timed = weighting == "time" and any(s.statement.total_exec_time_ms > 0 for s in workload.statements)
        weights = {s.queryid: s.statement.total_exec_time_ms if timed else float(s.statement.calls)
                   for s in workload.statements}
        choices = heuristic_choices(workload.statements, weights, budget_bytes, writes, rates, window_hours)
        return IndexAdvice(
            verified=False, reason=status.reason + "; these suggestions come from the statements' access "
            "patterns only and are unverified: no cost estimate is given",
            used_bytes=sum(c.size_bytes for c in choices), baseline_cost=None, final_cost=None, hypopg_calls=0,
            explain_calls=0, runtime_s=time.monotonic() - started, choices=choices, skipped=skipped, **common,
        )
    hypopg = HypoPG(conn, status)
    with WhatIfEngine(conn, workload.statements, server_major=server_major, hypopg=hypopg,
                      typical=plan_mode == "typical") as engine:
        baseline = engine.baseline()
        skipped.extend(SkippedStatement(s.queryid, s.statement.query, engine.failures[s.queryid])
                       for s in workload.statements if s.queryid in engine.failures)
        planned = [s for s in workload.statements if s.queryid in baseline]
        weights = statement_weights(planned, baseline, weighting)
        # With "time" weights an execution's cost unit is worth weight/calls milliseconds; upkeep (in
        # cost units) is converted at the calls-weighted average of that rate.
        total_calls = sum(s.statement.calls for s in planned)
        ms_per_unit = (sum(weights[s.queryid] for s in planned) / total_calls
                       if weighting == "time" and total_calls else 1.0)

        def measured(spec: IndexSpec) -> int | None:
            """The size a budget is checked against; HypoPG's figure also proves the index can exist."""
            try:
                hypo = engine.size(spec)
            except PlanError:
                return None
            return hypo if size_measure == "hypopg" else engine.estimated_size(spec).bytes

        def estimated(spec: IndexSpec) -> int | None:
            return engine.estimated_size(spec).bytes

        upkeep = Maintenance(writes, rates, estimated, window_hours=window_hours, cost_per_unit=ms_per_unit)
        search = Search(engine, planned, weights, upkeep, measured, budget_bytes=budget_bytes,
                        max_per_table=max_per_table, max_width=max_width, deadline=started + time_limit_s)
        candidates = sorted(generate(planned, weights, max_width), key=IndexSpec.sort_key)
        search.run(candidates, candidate_sets(planned, weights, max_width))
        choices = describe(engine, search, planned, weights, baseline)
        final = {s.queryid: engine.cost(s, search.config).cost for s in planned}
    return IndexAdvice(
        verified=True, reason="", used_bytes=search.used_bytes,
        baseline_cost=sum(weights[q] * c for q, c in baseline.items()),
        final_cost=sum(weights[q] * c for q, c in final.items()),
        hypopg_calls=hypopg.calls, explain_calls=engine.explain_calls, runtime_s=time.monotonic() - started,
        timed_out=search.timed_out, stopped_in=search.stopped_in, choices=choices, skipped=skipped,
        statements_planned=len(planned), candidates=len(candidates), **common,
    )
