"""The evidence of each chosen index: what it saves, for which statements, and what it costs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from advisor.selection.explain import why_column_order
from advisor.selection.results import IndexChoice, StatementEffect
from advisor.selection.search import Search
from advisor.whatif.engine import WhatIfEngine
from advisor.whatif.indexes import IndexSpec
from advisor.whatif.planner import PlanError
from pgsql.workload.analyze import AnalyzedStatement


def describe(engine: WhatIfEngine, search: Search, planned: Sequence[AnalyzedStatement],
             weights: Mapping[int, float], baseline: Mapping[int, float]) -> list[IndexChoice]:
    """One :class:`IndexChoice` per chosen index, the most beneficial first; an index no plan uses is
    never among them (the search prunes those, and this is the last word)."""
    config = search.config
    plans = {s.queryid: engine.cost(s, config) for s in planned}
    choices: list[IndexChoice] = []
    names: set[str] = set()
    for spec in search.chosen():
        served = [s for s in planned if spec in plans[s.queryid].used]
        if not served:
            continue
        without = config - {spec}
        benefit = sum(weights[s.queryid] * (engine.cost(s, without).cost - plans[s.queryid].cost)
                      for s in search.affected(spec))
        helps = tuple(
            StatementEffect(queryid=s.queryid, query=s.statement.query, calls=s.statement.calls,
                            weight=weights[s.queryid], cost_before=baseline[s.queryid],
                            cost_after=plans[s.queryid].cost, origin=s.statement.origin)
            for s in sorted(served, key=lambda s: (-weights[s.queryid] * (baseline[s.queryid] - plans[s.queryid].cost),
                                                   s.queryid))
        )
        choices.append(_choice(engine, search, spec, spec.suggested_name(names), benefit, helps, served))
    choices.sort(key=lambda c: (-(c.benefit or 0.0), c.name))
    return choices


def _choice(engine: WhatIfEngine, search: Search, spec: IndexSpec, name: str, benefit: float,
            helps: tuple[StatementEffect, ...], served: Sequence[AnalyzedStatement]) -> IndexChoice:
    upkeep = search.upkeep.upkeep(spec)
    unit = search.upkeep.cost_per_unit
    sized = engine.estimated_size(spec)
    estimates: list[str] = []
    note = engine.estimate_note(spec)
    if note:
        estimates.append(note)
    estimates.extend(_typical_notes(spec, served))
    if upkeep.hot_lost is None:
        estimates.append("HOT updates lost: unknown — the table has HOT updates but no UPDATE statement of the "
                         "workload says which columns they change")
    try:
        hypo: int | None = engine.size(spec)
    except PlanError:
        hypo = None
    return IndexChoice(
        table=spec.table.qualified, columns=spec.columns, include=spec.include, where=spec.where,
        expression=spec.expression, name=name, create_sql=spec.create_sql(name), size_bytes=sized.bytes,
        size_estimated=False, write_overhead=(upkeep.writes + upkeep.hot) * unit, benefit=benefit, helps=helps,
        why=why_column_order(spec, served), verified=True, storage_cost=upkeep.storage * unit,
        size_source=sized.source, hypopg_size_bytes=hypo, entries=upkeep.entries,
        entries_per_hour=search.upkeep.per_hour(upkeep.entries), hot_lost=upkeep.hot_lost,
        hot_lost_per_hour=search.upkeep.per_hour(upkeep.hot_lost) if upkeep.hot_lost is not None else None,
        estimates=tuple(estimates), opclasses=spec.opclasses,
    )


def _typical_notes(spec: IndexSpec, served: Sequence[AnalyzedStatement]) -> list[str]:
    out: list[str] = []
    for stmt in served:
        for note in stmt.typical.notes:
            if note not in out and spec.table.name in note:
                out.append(note)
    return out
