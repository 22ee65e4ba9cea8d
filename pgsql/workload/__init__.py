"""Workload parsing: pg_stat_statements entries → per-table access patterns, resolved on the target.

Public entry points: :class:`WorkloadStatement` (the input), :func:`analyze_workload` (parse, resolve,
extract), :class:`Workload` / :class:`AnalyzedStatement` (the result) and :class:`SkippedStatement`.
"""

from __future__ import annotations

from pgsql.workload.analyze import AnalyzedStatement, Workload, analyze_workload, parse_statement
from pgsql.workload.catalog import Catalog, Column, ExistingIndex, Table
from pgsql.workload.patterns import ExpressionPredicate, ScanPattern, StatementAccess
from pgsql.workload.statements import SkippedStatement, WorkloadStatement

__all__ = [
    "AnalyzedStatement",
    "Catalog",
    "Column",
    "ExistingIndex",
    "ExpressionPredicate",
    "ScanPattern",
    "SkippedStatement",
    "StatementAccess",
    "Table",
    "Workload",
    "WorkloadStatement",
    "analyze_workload",
    "parse_statement",
]
