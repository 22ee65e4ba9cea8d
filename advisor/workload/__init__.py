"""Workload parsing: pg_stat_statements entries → per-table access patterns, resolved on the target.

Public entry points: :class:`WorkloadStatement` (the input), :func:`analyze_workload` (parse, resolve,
extract), :class:`Workload` / :class:`AnalyzedStatement` (the result) and :class:`SkippedStatement`.
"""

from __future__ import annotations

from advisor.workload.analyze import AnalyzedStatement, Workload, analyze_workload, parse_statement
from advisor.workload.catalog import Catalog, Column, ExistingIndex, Table, quote_ident
from advisor.workload.patterns import ExpressionPredicate, ScanPattern, StatementAccess
from advisor.workload.statements import SkippedStatement, WorkloadStatement

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
    "quote_ident",
]
