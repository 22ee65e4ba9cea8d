"""Index suggestions without HypoPG: from access patterns alone, and labelled as unverified.

Without a what-if planner nothing can be said about read savings, so none are given. Each table
occurrence of a statement asks for one index — its exact-match columns, then IN lists, then one range
column; or its join key when it filters on nothing — and asks with the statement's weight. Requests
that are a prefix of a longer request on the same table are merged into it; requests led by a unique
key are dropped. The heaviest requests are taken (within the budget when one is given); sizes are our
btree estimate from pg_stats (``pgsql.indexsize``), and the write and storage upkeep is computed as in
the verified path, so the evidence still says what each index costs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from advisor.selection.candidates import ColumnUsage, admissible, worth_indexing
from advisor.selection.costs import ExchangeRates, Maintenance
from advisor.selection.explain import why_column_order
from advisor.selection.results import IndexChoice, StatementEffect
from advisor.selection.writes import WriteModel
from advisor.whatif.indexes import IndexSpec
from advisor.whatif.sizes import IndexSizer
from pgsql.workload.analyze import AnalyzedStatement
from pgsql.workload.patterns import ScanPattern


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


def heuristic_choices(statements: Sequence[AnalyzedStatement], weights: dict[int, float],
                      budget_bytes: int | None, writes: WriteModel, rates: ExchangeRates,
                      window_hours: float | None) -> list[IndexChoice]:
    """Unverified index suggestions (within ``budget_bytes`` by estimated size when given)."""
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
            if not admissible(spec):
                continue
            requests[spec] += weights.get(stmt.queryid, 0.0)
            askers[spec][stmt.queryid] = stmt
    # A request that is a prefix of a longer one on the same table is served by the longer index.
    for short in sorted(requests, key=IndexSpec.sort_key):
        longer = [s for s in requests if s != short and short.is_prefix_of(s)]
        if longer:
            target = max(longer, key=lambda s: (requests[s], s.sort_key()))
            requests[target] += requests.pop(short)
            askers[target].update(askers.pop(short))
    sizer = IndexSizer(lambda table, where: None, lambda spec: None)
    upkeep = Maintenance(writes, rates, lambda spec: sizer.size(spec).bytes, window_hours=window_hours)
    chosen: list[IndexChoice] = []
    names: set[str] = set()
    used = 0
    for spec, _score in sorted(requests.items(), key=lambda kv: (-kv[1], kv[0].sort_key())):
        sized = sizer.size(spec)
        if budget_bytes is not None and used + sized.bytes > budget_bytes:
            continue
        used += sized.bytes
        served = list(askers[spec].values())
        name = spec.suggested_name(names)
        helps = tuple(StatementEffect(queryid=s.queryid, query=s.statement.query, calls=s.statement.calls,
                                      weight=weights.get(s.queryid, 0.0), cost_before=None, cost_after=None)
                      for s in served)
        cost = upkeep.upkeep(spec)
        chosen.append(IndexChoice(
            table=spec.table.qualified, columns=spec.columns, include=(), where=None, expression=None,
            name=name, create_sql=spec.create_sql(name), size_bytes=sized.bytes, size_estimated=True,
            write_overhead=cost.writes + cost.hot, benefit=None, helps=helps, why=why_column_order(spec, served),
            verified=False, storage_cost=cost.storage, size_source=sized.source, entries=cost.entries,
            entries_per_hour=upkeep.per_hour(cost.entries), hot_lost=cost.hot_lost,
            hot_lost_per_hour=upkeep.per_hour(cost.hot_lost) if cost.hot_lost is not None else None,
        ))
    return chosen
