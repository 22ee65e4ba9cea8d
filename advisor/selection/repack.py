"""Knapsack repair of a budget-capped search: repack the budget exactly, verify, keep if better.

Ratio-greedy fills the last bytes with small indexes of a slightly better ratio and can leave out a
big one worth more (or a shorter version of an index it extended). Items: each chosen index at its
marginal value, the shorter prefixes of chosen multi-column indexes, and the best other moves at
their last-known value; at most one per (table, leading key). The packing is then planned for real
and refilled greedily; it is kept only if the objective got lower.
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING

from advisor.selection.knapsack import Item, best_packing
from advisor.whatif.indexes import IndexSpec

if TYPE_CHECKING:
    from advisor.selection.search import Move, Search

_PAGE = 8192
Snapshot = tuple[set[IndexSpec], int, dict[int, float], list[tuple[float, int, "Move"]], list["Move"]]


def repack(search: Search, rounds: int = 3) -> bool:
    """True when a repacking lowered the objective (and was kept)."""
    assert search.budget is not None
    improved = False
    for _ in range(rounds):
        if search.out_of_time():
            break
        unit = max(search.budget // 4000, _PAGE)
        pool = _items(search)
        items = [Item(key=n, group=(spec.table.oid, spec.keys[0] if spec.keys else ""),
                      size=-(-size // unit), value=value) for n, (spec, value, size) in enumerate(pool)]
        target = {pool[item.key][0] for item in best_packing(items, search.budget // unit)}
        if target == search.config:
            break
        before = search.objective()
        snapshot = _snapshot(search)
        _set_config(search, target)
        search.greedy()
        if search.objective() < before - 1e-9:
            improved = True
        else:
            _restore(search, snapshot)
            break
    return improved


def _items(search: Search, rivals: int = 30) -> list[tuple[IndexSpec, float, int]]:
    items: list[tuple[IndexSpec, float, int]] = []
    budget = search.budget or 0
    for spec in search.chosen():
        items.append((spec, search.marginal(spec), search.size(spec) or 0))
        without = search.config - {spec}
        for width in range(1, len(spec.columns)):
            prefix = spec.prefix(width)
            size = search.size(prefix)
            if size is not None:
                items.append((prefix, search.gain(prefix, without), size))
    pool = [m for _, _, m in search.heap if m.old is None and not m.extra and m.stamp >= 0] + search.parked
    pool = [m for m in pool if m.old is None and not m.extra and m.net > 0 and m.new not in search.config]
    pool.sort(key=lambda m: (-m.net, m.new.sort_key()))
    seen = {spec for spec, _, _ in items}
    for move in pool:
        if len(seen) >= len(search.config) + rivals:
            break
        size = search.size(move.new)
        if move.new not in seen and size is not None and size <= budget:
            seen.add(move.new)
            items.append((move.new, move.net, size))
    return items


def _set_config(search: Search, target: set[IndexSpec]) -> None:
    changed = search.config ^ target
    search.config = set(target)
    search.used_bytes = sum(search.size(i) or 0 for i in search.config)
    stmts = {s.queryid: s for spec in sorted(changed, key=IndexSpec.sort_key) for s in search.affected(spec)}
    search.refresh(list(stmts.values()))
    search.unpark()


def _snapshot(search: Search) -> Snapshot:
    return (set(search.config), search.used_bytes, dict(search.current), list(search.heap),
            list(search.parked))


def _restore(search: Search, snapshot: Snapshot) -> None:
    search.config, search.used_bytes, search.current, search.heap, search.parked = snapshot
    heapq.heapify(search.heap)
    # Every evaluation made during the attempt was against a configuration that is gone: make all of
    # them stale (re-evaluating against the restored configuration mostly hits the cache).
    for stmt in search.statements:
        search.versions[stmt.queryid] += 1
