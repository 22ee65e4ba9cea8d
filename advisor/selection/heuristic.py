"""Index suggestions without HypoPG: from access patterns alone, and labelled as unverified.

Without a what-if planner nothing can be said about costs, so none are given. Each table occurrence
of a statement asks for one index — its exact-match columns, then IN lists, then one range column; or
its join key when it filters on nothing — and asks with the statement's weight. Requests that are a
prefix of a longer request on the same table are merged into it. The heaviest requests are taken while
their estimated size fits the budget; sizes are estimated from pg_stats (row count times key widths), which
is rough and said so (``size_estimated``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from advisor.selection.candidates import ColumnUsage, covered_by_existing, worth_indexing
from advisor.selection.explain import why_column_order
from advisor.selection.results import IndexChoice, StatementEffect
from advisor.selection.writes import WriteModel
from advisor.whatif.indexes import IndexSpec
from pgsql.workload.analyze import AnalyzedStatement
from pgsql.workload.patterns import ScanPattern

_PAGE = 8192
_TUPLE_OVERHEAD = 16  # IndexTupleData header (8) + line pointer (4), rounded to the 8-byte alignment
_FILL = 0.9  # btree leaf fillfactor


def wanted_columns(scan: ScanPattern, usage: ColumnUsage) -> tuple[str, ...]:
    """The one index this occurrence asks for, columns in search order."""
    table = scan.table
    eq = usage.order(table, [*scan.equality, *(c for c, is_null in scan.null_tests if is_null)])
    ins = [c for c in usage.order(table, scan.in_lists) if c not in eq]
    ranges = [c for c in [*scan.ranges, *scan.likes] if c not in eq and c not in ins]
    cols = [*eq, *ins, *ranges[:1]]
    if not cols and scan.joins:
        cols = usage.order(table, scan.joins)[:1]
    if not cols and scan.order_by and scan.limited:
        cols = [c for c, _ in scan.order_by]
    return tuple(dict.fromkeys(cols))[:4]


def estimated_size(spec: IndexSpec) -> int:
    """Leaf pages for reltuples entries of the key widths (pg_stats avg_width), plus a little tree."""
    width = sum((spec.table.columns[c].avg_width or 8) if c in spec.table.columns else 8 for c in spec.columns)
    entry = _TUPLE_OVERHEAD + ((width + 7) // 8) * 8
    per_page = max(1, int(_PAGE * _FILL // entry))
    leaves = int(max(spec.table.reltuples, 1.0) // per_page) + 1
    return (leaves + leaves // 100 + 2) * _PAGE


def heuristic_choices(statements: Sequence[AnalyzedStatement], weights: dict[int, float],
                      budget_bytes: int, writes: WriteModel) -> list[IndexChoice]:
    """Unverified index suggestions that fit ``budget_bytes`` (by estimated size)."""
    usage = ColumnUsage(statements, weights)
    requests: dict[IndexSpec, float] = defaultdict(float)
    askers: dict[IndexSpec, dict[int, AnalyzedStatement]] = defaultdict(dict)
    for stmt in statements:
        for scan in stmt.access.scans:
            if not worth_indexing(scan.table):
                continue
            cols = wanted_columns(scan, usage)
            if not cols:
                continue
            spec = IndexSpec(table=scan.table, columns=cols)
            if covered_by_existing(spec):
                continue
            requests[spec] += weights.get(stmt.queryid, 0.0)
            askers[spec][stmt.queryid] = stmt
    # A request that is a prefix of a longer one on the same table is served by the longer index.
    for short in list(requests):
        longer = [s for s in requests if s != short and short.is_prefix_of(s)]
        if longer:
            target = max(longer, key=lambda s: requests[s])
            requests[target] += requests.pop(short)
            askers[target].update(askers.pop(short))
    chosen: list[IndexChoice] = []
    names: set[str] = set()
    used = 0
    for spec, _score in sorted(requests.items(), key=lambda kv: -kv[1]):
        size = estimated_size(spec)
        if used + size > budget_bytes:
            continue
        used += size
        served = list(askers[spec].values())
        name = spec.suggested_name(names)
        helps = tuple(StatementEffect(queryid=s.queryid, query=s.statement.query, calls=s.statement.calls,
                                      weight=weights.get(s.queryid, 0.0), cost_before=None, cost_after=None)
                      for s in served)
        chosen.append(IndexChoice(
            table=spec.table.qualified, columns=spec.columns, include=(), where=None, expression=None,
            name=name, create_sql=spec.create_sql(name),
            size_bytes=size, size_estimated=True, write_overhead=writes.overhead(spec), benefit=None, helps=helps,
            why=why_column_order(spec, served), verified=False,
        ))
    return chosen
