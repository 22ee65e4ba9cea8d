"""Choosing a set of indexes under a storage budget: Extend, made lazier and followed by local search.

Extend (Schlosser et al., ICDE 2019) grows a configuration one step at a time: add a single-column
index, or append one column to an index already chosen, whichever gives the most cost reduction per
extra byte. We keep that step and add:

* **multi-column seeds** from the access patterns as additional "add" moves (see ``candidates``), and
  "replace" moves from a chosen index to a seed that starts with it;
* **lazy evaluation** (as in CELF): a move's benefit only changes when the relevant indexes of one of
  the statements it affects change, which we track exactly with per-statement versions, so most
  moves are not re-planned after each step;
* **write overhead** charged per move (``writes``), so a heavily written table gets fewer indexes;
* **pruning** indexes that no plan uses any more (a later, wider index took their place), which
  frees budget for another round;
* **repacking**: an exact knapsack over the chosen indexes, their shorter prefixes and the best
  rejected moves, at their estimated values, then verified with the planner and refilled — the
  ratio-greedy's classic miss, a big index worth more than the small ones that filled the budget;
* a **time limit**: the best configuration found so far is returned when it runs out.
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from advisor.selection.candidates import extension_columns
from advisor.selection.knapsack import Item, best_packing
from advisor.selection.writes import WriteModel
from advisor.whatif.engine import WhatIfEngine
from advisor.whatif.indexes import IndexSpec
from advisor.whatif.planner import PlanError
from pgsql.workload.analyze import AnalyzedStatement

_PAGE = 8192
_INF = float("inf")


@dataclass
class Move:
    """Add ``new`` (``old`` is None) or replace the chosen ``old`` by ``new``."""

    new: IndexSpec
    old: IndexSpec | None = None
    net: float = 0.0
    delta_size: int = 0
    stamp: int = -1

    @property
    def ratio(self) -> float:
        return self.net / max(self.delta_size, _PAGE)


class Search:
    """One selection run over a what-if engine; call :meth:`run`, then read ``config``."""

    def __init__(self, engine: WhatIfEngine, statements: Sequence[AnalyzedStatement],
                 weights: dict[int, float], writes: WriteModel, budget_bytes: int, *,
                 max_width: int, deadline: float) -> None:
        self.engine = engine
        self.statements = list(statements)
        self.weights = weights
        self.writes = writes
        self.budget = budget_bytes
        self.max_width = max_width
        self.deadline = deadline
        self.config: set[IndexSpec] = set()
        self.used_bytes = 0
        self.current: dict[int, float] = {}
        self.versions: dict[int, int] = defaultdict(int)
        self.timed_out = False
        self._by_table: dict[int, list[AnalyzedStatement]] = defaultdict(list)
        for stmt in self.statements:
            for oid in stmt.access.tables:
                self._by_table[oid].append(stmt)
        self._affects: dict[IndexSpec, list[AnalyzedStatement]] = {}
        self._heap: list[tuple[float, int, Move]] = []
        self._parked: list[Move] = []  # moves that did not fit; retried when budget frees up
        self._counter = itertools.count()
        self._invalid: set[IndexSpec] = set()
        self._seen: set[tuple[IndexSpec, IndexSpec | None]] = set()

    # -- bookkeeping ----------------------------------------------------------------------------

    def affected(self, spec: IndexSpec) -> list[AnalyzedStatement]:
        """Statements ``spec`` is relevant to (could be used by their plans)."""
        found = self._affects.get(spec)
        if found is None:
            found = [s for s in self._by_table.get(spec.table.oid, ())
                     if spec.mentions & s.access.columns.get(spec.table.oid, frozenset())]
            self._affects[spec] = found
        return found

    def _statements_of(self, move: Move) -> list[AnalyzedStatement]:
        stmts = {s.queryid: s for s in self.affected(move.new)}
        if move.old is not None:
            stmts.update((s.queryid, s) for s in self.affected(move.old))
        return list(stmts.values())

    def _stamp(self, stmts: Sequence[AnalyzedStatement]) -> int:
        return sum(self.versions[s.queryid] for s in stmts)

    def objective(self) -> float:
        """Weighted workload cost plus the write overhead of the chosen indexes (lower is better)."""
        return (sum(self.weights[q] * c for q, c in self.current.items())
                + sum(self.writes.overhead(i) for i in self.config))

    def size(self, spec: IndexSpec) -> int | None:
        if spec in self._invalid:
            return None
        try:
            return self.engine.size(spec)
        except PlanError:
            self._invalid.add(spec)  # HypoPG refused it (e.g. a non-immutable expression)
            return None

    def _push(self, move: Move, priority: float) -> None:
        heapq.heappush(self._heap, (-priority, next(self._counter), move))

    def offer(self, new: IndexSpec, old: IndexSpec | None = None) -> None:
        """Queue a move for evaluation (once per distinct move)."""
        if new.width > self.max_width or (new, old) in self._seen or new in self.config:
            return
        self._seen.add((new, old))
        self._push(Move(new=new, old=old), _INF)

    # -- evaluation -----------------------------------------------------------------------------

    def evaluate(self, move: Move) -> bool:
        """Compute the move's net benefit against the current configuration; False if impossible."""
        new_size = self.size(move.new)
        old_size = self.size(move.old) if move.old is not None else 0
        if new_size is None or old_size is None:
            return False
        config = set(self.config)
        if move.old is not None:
            config.discard(move.old)
        config.add(move.new)
        stmts = self._statements_of(move)
        gain = 0.0
        try:
            for stmt in stmts:
                if self._unchanged_by(move, stmt):
                    continue
                after = self.engine.cost(stmt, config).cost
                gain += self.weights[stmt.queryid] * (self.current[stmt.queryid] - after)
        except PlanError:
            self._invalid.add(move.new)  # e.g. an EXPLAIN hit the statement timeout with it
            return False
        overhead = self.writes.overhead(move.new) - (self.writes.overhead(move.old) if move.old else 0.0)
        move.net = gain - overhead
        move.delta_size = new_size - old_size
        move.stamp = self._stamp(stmts)
        return True

    def _unchanged_by(self, move: Move, stmt: AnalyzedStatement) -> bool:
        """True when extending ``move.old`` cannot change ``stmt``'s plan, so no EXPLAIN is needed.

        The added columns are ones the statement never reads, so for it the wider index can do nothing
        the old one could not; if its plan did not use the old index, it will not use the wider one.
        """
        if move.old is None:
            return False
        added = move.new.mentions - move.old.mentions
        columns = stmt.access.columns.get(move.new.table.oid, frozenset())
        return not added & columns and move.old not in self.engine.cost(stmt, self.config).used

    def fits(self, move: Move) -> bool:
        return self.used_bytes + move.delta_size <= self.budget

    def valid(self, move: Move) -> bool:
        return move.new not in self.config and (move.old is None or move.old in self.config)

    def requeue(self, spec: IndexSpec) -> None:
        """An index that left the configuration may be worth adding back later (or in a repacking)."""
        self._push(Move(new=spec), _INF)

    def apply(self, move: Move) -> None:
        if move.old is not None:
            self.config.discard(move.old)
            self.requeue(move.old)
        self.config.add(move.new)
        self.used_bytes += move.delta_size
        self._refresh(self._statements_of(move))
        for col in extension_columns(move.new, self.affected(move.new), self.max_width):
            self.offer(move.new.extended(col), move.new)
        # Seeds that start with the index just chosen may now replace it rather than sit beside it.
        for _, _, pending in list(self._heap) + [(0, 0, m) for m in self._parked]:
            if pending.old is None and move.new.is_prefix_of(pending.new) and pending.new != move.new:
                self.offer(pending.new, move.new)

    def _refresh(self, stmts: Sequence[AnalyzedStatement]) -> None:
        for stmt in stmts:
            self.current[stmt.queryid] = self.engine.cost(stmt, self.config).cost
            self.versions[stmt.queryid] += 1

    def remove(self, spec: IndexSpec) -> None:
        self.config.discard(spec)
        self.requeue(spec)
        self.used_bytes -= self.size(spec) or 0
        self._refresh(self.affected(spec))
        self._unpark()

    def _unpark(self) -> None:
        for move in self._parked:
            self._push(move, _INF)
        self._parked = []

    # -- phases ---------------------------------------------------------------------------------

    def run(self, candidates: Sequence[IndexSpec]) -> None:
        """Extend first (single columns, then appended columns), then the multi-column seeds and the
        repairs, which only ever keep a change that lowers the objective."""
        for stmt in self.statements:
            self.current[stmt.queryid] = self.engine.cost(stmt, ()).cost
        for spec in candidates:
            if spec.width == 1 and not spec.where:
                self.offer(spec)
        self.greedy()
        self.prune()
        # Ratio-greedy over every seed at once is lured by small multi-column indexes with a fine ratio
        # and a small benefit (measured on TPC-H); offered after Extend's pass, a seed only gets in
        # where it beats what is there.
        for spec in candidates:
            self.offer(spec)
        for _ in range(8):  # greedy, prune, repack until nothing improves (a few rounds at most)
            self.greedy()
            pruned = self.prune()
            repacked = self.repack()
            if not (pruned or repacked) or self.out_of_time():
                break

    def out_of_time(self) -> bool:
        if time.monotonic() > self.deadline:
            self.timed_out = True
        return self.timed_out

    def greedy(self) -> None:
        """Lazy greedy: take the best net benefit per byte whose evaluation is up to date."""
        while self._heap and not self.out_of_time():
            _, _, move = heapq.heappop(self._heap)
            if not self.valid(move):
                continue
            stmts = self._statements_of(move)
            if move.stamp != self._stamp(stmts):
                if not self.evaluate(move):
                    continue
                if move.net <= 0:
                    continue  # benefits only shrink as the configuration grows
                if not self.fits(move):
                    self._parked.append(move)
                    continue
                self._push(move, move.ratio)
                continue
            if move.net <= 0:
                continue
            if self.fits(move):
                self.apply(move)
            else:
                self._parked.append(move)

    def prune(self) -> bool:
        """Drop chosen indexes no plan uses any more; True when budget was freed."""
        used: set[IndexSpec] = set()
        for stmt in self.statements:
            used |= self.engine.cost(stmt, self.config).used
        unused = [i for i in self.config if i not in used]
        for spec in unused:
            self.remove(spec)
        return bool(unused)

    def repack(self, rounds: int = 3) -> bool:
        """Knapsack repair: repack the budget exactly over the estimated values, verify, keep if better.

        Ratio-greedy fills the last bytes with small indexes of a slightly better ratio and can leave
        out a big one worth more (or a shorter version of an index it extended). Items: each chosen
        index at its marginal value, the shorter prefixes of chosen multi-column indexes, and the best
        other moves at their last-known value; at most one per (table, leading key). The packing is
        then planned for real and refilled greedily; it is kept only if the workload got cheaper.
        """
        improved = False
        for _ in range(rounds):
            if self.out_of_time():
                break
            unit = max(self.budget // 4000, _PAGE)
            pool = self._repack_items()
            items = [Item(key=n, group=(spec.table.oid, spec.keys[0] if spec.keys else ""),
                          size=-(-size // unit), value=value) for n, (spec, value, size) in enumerate(pool)]
            target = {pool[item.key][0] for item in best_packing(items, self.budget // unit)}
            if target == self.config:
                break
            before = self.objective()
            snapshot = self._snapshot()
            self._set_config(target)
            self.greedy()
            if self.objective() < before - 1e-9:
                improved = True
            else:
                self._restore(snapshot)
                break
        return improved

    def _repack_items(self, rivals: int = 30) -> list[tuple[IndexSpec, float, int]]:
        items: list[tuple[IndexSpec, float, int]] = []
        for spec in self.config:
            items.append((spec, self._marginal(spec), self.size(spec) or 0))
            without = self.config - {spec}
            for width in range(1, len(spec.columns)):
                prefix = IndexSpec(table=spec.table, columns=spec.columns[:width], where=spec.where,
                                   expression=spec.expression, expression_columns=spec.expression_columns)
                size = self.size(prefix)
                if size is not None:
                    items.append((prefix, self._gain(prefix, without), size))
        pool = [m for _, _, m in self._heap if m.old is None and m.stamp >= 0] + self._parked
        pool = [m for m in pool if m.old is None and m.net > 0 and m.new not in self.config]
        pool.sort(key=lambda m: m.net, reverse=True)
        seen = {spec for spec, _, _ in items}
        for move in pool:
            if len(seen) >= len(self.config) + rivals:
                break
            size = self.size(move.new)
            if move.new not in seen and size is not None and size <= self.budget:
                seen.add(move.new)
                items.append((move.new, move.net, size))
        return items

    def _gain(self, spec: IndexSpec, config: set[IndexSpec]) -> float:
        """Net benefit of adding ``spec`` to ``config``."""
        with_spec = config | {spec}
        return sum(self.weights[s.queryid] * (self.engine.cost(s, config).cost - self.engine.cost(s, with_spec).cost)
                   for s in self.affected(spec)) - self.writes.overhead(spec)

    def _set_config(self, target: set[IndexSpec]) -> None:
        changed = self.config ^ target
        self.config = set(target)
        self.used_bytes = sum(self.size(i) or 0 for i in self.config)
        stmts = {s.queryid: s for spec in changed for s in self.affected(spec)}
        self._refresh(list(stmts.values()))
        self._unpark()

    def _snapshot(self) -> tuple[set[IndexSpec], int, dict[int, float], list[tuple[float, int, Move]],
                                 list[Move]]:
        return set(self.config), self.used_bytes, dict(self.current), list(self._heap), list(self._parked)

    def _restore(self, snapshot: tuple[set[IndexSpec], int, dict[int, float],
                                       list[tuple[float, int, Move]], list[Move]]) -> None:
        self.config, self.used_bytes, self.current, self._heap, self._parked = snapshot
        heapq.heapify(self._heap)
        # Every evaluation made during the attempt was against a configuration that is gone: make all
        # of them stale (re-evaluating against the restored configuration mostly hits the cache).
        for stmt in self.statements:
            self.versions[stmt.queryid] += 1

    def _marginal(self, spec: IndexSpec) -> float:
        """How much the workload cost would grow without ``spec`` (its current contribution)."""
        config = self.config - {spec}
        return sum(self.weights[s.queryid] * (self.engine.cost(s, config).cost - self.current[s.queryid])
                   for s in self.affected(spec)) - self.writes.overhead(spec)
