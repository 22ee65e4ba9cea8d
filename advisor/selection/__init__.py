"""Workload-level index selection: which set of indexes, under a storage budget, helps the workload most.

Entry point :func:`recommend_indexes` (in :mod:`advisor.selection.api`)::

    from advisor.selection import TableWrites, recommend_indexes
    from pgsql.workload import WorkloadStatement
    from monitoring.targets.connect import connect

    statements = [WorkloadStatement(queryid=q, query=text, calls=calls_delta,
                                    total_exec_time_ms=time_delta, dbname=target.dbname)
                  for q, text, calls_delta, time_delta in rows_from_the_history_store]
    writes = {"public.orders": TableWrites(n_tup_ins=..., n_tup_upd=..., n_tup_del=..., n_tup_hot_upd=...)}
    with connect(target) as conn:
        advice = recommend_indexes(conn, statements, budget_bytes=500 * 1000 * 1000, write_load=writes)
    advice.verified         # False without HypoPG: unverified heuristics, no costs
    advice.choices          # IndexChoice: create_sql, size, write overhead, statements helped, why
    advice.skipped          # SkippedStatement: statements left out, with the reason

The pieces: :mod:`pgsql.workload` (parse and resolve statements), :mod:`advisor.whatif` (HypoPG
costs), and here ``candidates`` → ``search`` (Extend + lazy evaluation + repacking) → ``api``;
``heuristic`` when HypoPG is missing; ``writes`` for the write-overhead model; ``explain`` for the
"why this column order" text.
"""

from __future__ import annotations

from advisor.selection.api import PLAN_MODES, WEIGHTINGS, recommend_indexes, statement_weights
from advisor.selection.results import IndexAdvice, IndexChoice, StatementEffect
from advisor.selection.writes import TableWrites

__all__ = [
    "PLAN_MODES",
    "WEIGHTINGS",
    "IndexAdvice",
    "IndexChoice",
    "StatementEffect",
    "TableWrites",
    "recommend_indexes",
    "statement_weights",
]
