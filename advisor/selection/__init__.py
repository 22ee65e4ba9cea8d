"""Workload-level index selection: the set of indexes whose read savings best outweigh their write and
storage cost, optionally within a storage budget.

Entry point :func:`recommend_indexes` (in :mod:`advisor.selection.api`)::

    from advisor.selection import TableWrites, recommend_indexes
    from pgsql.workload import WorkloadStatement
    from monitoring.targets.connect import connect

    statements = [WorkloadStatement(queryid=q, query=text, calls=calls_delta, rows=rows_delta,
                                    total_exec_time_ms=time_delta, dbname=target.dbname)
                  for q, text, calls_delta, rows_delta, time_delta in rows_from_the_history_store]
    writes = {"public.orders": TableWrites(n_tup_ins=..., n_tup_upd=..., n_tup_del=..., n_tup_hot_upd=...)}
    with connect(target) as conn:
        advice = recommend_indexes(conn, statements, write_load=writes, window_s=7 * 86400,
                                   profile="balanced")
    advice.verified         # False without HypoPG: unverified heuristics, no read savings
    advice.choices          # IndexChoice: create_sql, size, upkeep, statements helped, why
    advice.skipped          # SkippedStatement: statements left out, with the reason

The pieces: :mod:`pgsql.workload` (parse and resolve statements), :mod:`advisor.whatif` (HypoPG
costs, size estimates), and here ``candidates`` → ``search`` (net benefit, Extend's steps, lazy
evaluation, ``repack`` under a budget) → ``describe`` → ``api``; ``costs`` and ``writes`` for the
exchange rates and the write model; ``heuristic`` when HypoPG is missing; ``explain`` for the "why
this column order" text.
"""

from __future__ import annotations

from advisor.selection.api import PLAN_MODES, SIZE_MEASURES, WEIGHTINGS, recommend_indexes, statement_weights
from advisor.selection.costs import DEFAULT_PROFILE, PROFILES, ExchangeRates, profile_name
from advisor.selection.results import IndexAdvice, IndexChoice, StatementEffect
from advisor.selection.writes import TableWrites

__all__ = [
    "DEFAULT_PROFILE",
    "PLAN_MODES",
    "PROFILES",
    "SIZE_MEASURES",
    "WEIGHTINGS",
    "ExchangeRates",
    "IndexAdvice",
    "IndexChoice",
    "StatementEffect",
    "TableWrites",
    "profile_name",
    "recommend_indexes",
    "statement_weights",
]
