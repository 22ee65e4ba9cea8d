"""Choosing a set of indexes by net benefit: Extend's steps, made lazier and followed by local search.

The objective is the workload's weighted cost plus the upkeep (writes, lost HOT updates, storage) of
the chosen indexes (:mod:`advisor.selection.costs`); lower is better. A move adds an index — or a
*set* of indexes that only pay together, one per arm of an ``a = $1 OR b = $2`` (a BitmapOr needs
both) — or replaces a chosen index by another (:mod:`advisor.selection.moves`). Without caps the
greedy takes the move of highest net benefit; with a storage budget, the highest net benefit per byte
(Extend's rule) among the moves that fit; a move is only taken when it wins by more than the planner's
noise, or is a tie that makes the set smaller. Extend (Schlosser et al., ICDE 2019) contributes the
steps: single columns first, then one more column appended to a chosen index. We add:

* **multi-column seeds** from the access patterns as further "add" moves (``candidates``), and
  "replace" moves from a chosen index to any offered index that starts with it or reshapes its
  columns, whichever of the two came first, and to a smaller index that does its job (a swap);
* **lazy evaluation** (as in CELF): a move's benefit only changes when the relevant indexes of one of
  the statements it affects change, which we track exactly with per-statement versions;
* **pruning** indexes no plan uses any more, and **dropping** those whose marginal benefit no longer
  covers their upkeep by more than the noise (a later, wider index took their place);
* **repacking** under a budget (``repack``): an exact knapsack over the chosen indexes, their prefixes
  and the best rejected moves, verified with the planner and kept only if the workload got cheaper;
* a **time limit**: the best configuration found so far is returned, and ``stopped_in`` says where
  the limit cut the search short.
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections import defaultdict
from collections.abc import Callable, Sequence

from advisor.selection.candidates import extension_columns
from advisor.selection.costs import Maintenance
from advisor.selection.moves import DEFAULT_RANDOM_PAGE_COST, Move, successor
from advisor.selection.repack import repack
from advisor.whatif.engine import WhatIfEngine
from advisor.whatif.indexes import IndexSpec
from advisor.whatif.planner import PlanError
from pgsql.workload.analyze import AnalyzedStatement

_INF = float("inf")


class Search:
    """One selection run over a what-if engine; call :meth:`run`, then read ``config``.

    ``size`` gives the size a budget is checked against (None: the index cannot be built);
    ``budget_bytes`` and ``max_per_table`` are optional caps; ``noise_per_call`` how finely read costs
    are told apart, per execution (:mod:`advisor.selection.moves`).
    """

    def __init__(self, engine: WhatIfEngine, statements: Sequence[AnalyzedStatement], weights: dict[int, float],
                 upkeep: Maintenance, size: Callable[[IndexSpec], int | None], *, budget_bytes: int | None,
                 max_per_table: int | None, max_width: int, deadline: float,
                 noise_per_call: float = DEFAULT_RANDOM_PAGE_COST) -> None:
        self.engine = engine
        self.noise_per_call = noise_per_call
        self.statements = list(statements)
        self.weights = weights
        self.upkeep = upkeep
        self._size = size
        self.budget = budget_bytes
        self.max_per_table = max_per_table
        self.max_width = max_width
        self.deadline = deadline
        self.config: set[IndexSpec] = set()
        self.used_bytes = 0
        self.current: dict[int, float] = {}
        self.versions: dict[int, int] = defaultdict(int)
        self.timed_out = False
        self.stopped_in = ""
        self.phase = "start"
        self._by_table: dict[int, list[AnalyzedStatement]] = defaultdict(list)
        for stmt in self.statements:
            for oid in stmt.access.tables:
                self._by_table[oid].append(stmt)
        self._affects: dict[IndexSpec, list[AnalyzedStatement]] = {}
        self.heap: list[tuple[float, int, Move]] = []
        self.parked: list[Move] = []  # moves that did not fit a cap; retried when room frees up
        self._counter = itertools.count()
        self._invalid: set[IndexSpec] = set()
        self._seen: set[tuple[IndexSpec, IndexSpec | None, tuple[IndexSpec, ...]]] = set()
        self._singles: dict[IndexSpec, None] = {}  # every index offered on its own, in offer order

    # -- bookkeeping ----------------------------------------------------------------------------

    def chosen(self) -> list[IndexSpec]:
        """The configuration in a stable order (never the order of a set)."""
        return sorted(self.config, key=IndexSpec.sort_key)

    def affected(self, spec: IndexSpec) -> list[AnalyzedStatement]:
        """Statements ``spec`` is relevant to (could be used by their plans)."""
        found = self._affects.get(spec)
        if found is None:
            found = [s for s in self._by_table.get(spec.table.oid, ())
                     if spec.mentions & s.access.columns.get(spec.table.oid, frozenset())]
            self._affects[spec] = found
        return found

    def _statements_of(self, move: Move) -> list[AnalyzedStatement]:
        stmts: dict[int, AnalyzedStatement] = {}
        for spec in (*move.adds, *((move.old,) if move.old is not None else ())):
            stmts.update((s.queryid, s) for s in self.affected(spec))
        return list(stmts.values())

    def _stamp(self, stmts: Sequence[AnalyzedStatement]) -> int:
        return sum(self.versions[s.queryid] for s in stmts)

    def objective(self) -> float:
        """Weighted workload cost plus the upkeep of the chosen indexes (lower is better)."""
        return (sum(self.weights[q] * c for q, c in self.current.items())
                + sum(self.upkeep.cost(i) for i in self.config))

    def size(self, spec: IndexSpec | None) -> int | None:
        if spec is None:
            return 0
        if spec in self._invalid:
            return None
        try:
            found = self._size(spec)
        except PlanError:
            found = None
        if found is None:
            self._invalid.add(spec)  # HypoPG refused it (e.g. a non-immutable expression)
        return found

    def _priority(self, move: Move) -> float:
        return move.ratio if self.budget is not None else move.net

    def _push(self, move: Move, priority: float) -> None:
        heapq.heappush(self.heap, (-priority, next(self._counter), move))

    def offer(self, new: IndexSpec, old: IndexSpec | None = None, extra: tuple[IndexSpec, ...] = ()) -> None:
        """Queue a move for evaluation (once per distinct move)."""
        extra = tuple(e for e in extra if e != new)
        key = (new, old, extra)
        if new.width > self.max_width or key in self._seen or (new in self.config and not extra):
            return
        self._seen.add(key)
        self._push(Move(new=new, old=old, extra=extra), _INF)
        if old is None and not extra:
            self._singles[new] = None
            # A chosen index this one starts with or reshapes may be replaced by it, whichever of the
            # two the search met first (apply() covers the other order).
            for spec in self.chosen():
                if successor(spec, new):
                    self.offer(new, spec)

    # -- evaluation -----------------------------------------------------------------------------

    def evaluate(self, move: Move) -> bool:
        """Compute the move's net benefit against the current configuration; False if impossible."""
        added = [s for s in move.adds if s not in self.config]
        sizes = [self.size(s) for s in added]
        old_size = self.size(move.old)
        if any(s is None for s in sizes) or old_size is None or not added:
            return False
        config = set(self.config)
        if move.old is not None:
            config.discard(move.old)
        config.update(added)
        stmts = self._statements_of(move)
        gain = noise = 0.0
        try:
            for stmt in stmts:
                if self._unchanged_by(move, stmt):
                    continue
                before, after = self.current[stmt.queryid], self.engine.cost(stmt, config).cost
                gain += self.weights[stmt.queryid] * (before - after)
                if after != before:
                    noise += self.weights[stmt.queryid] * self.noise_per_call
        except PlanError:
            self._invalid.update(added)  # e.g. an EXPLAIN hit the statement timeout with it
            return False
        upkeep = sum(self.upkeep.cost(s) for s in added) - self.upkeep.cost(move.old)
        move.net = gain - upkeep
        move.noise = noise
        move.delta_size = sum(s or 0 for s in sizes) - old_size
        move.stamp = self._stamp(stmts)
        return True

    def _unchanged_by(self, move: Move, stmt: AnalyzedStatement) -> bool:
        """True when extending ``move.old`` cannot change ``stmt``'s plan, so no EXPLAIN is needed.

        The added columns are ones the statement never reads, so for it the wider index can do nothing
        the old one could not; if its plan did not use the old index, it will not use the wider one.
        """
        if move.old is None or move.extra:
            return False
        added = move.new.mentions - move.old.mentions
        columns = stmt.access.columns.get(move.new.table.oid, frozenset())
        return not added & columns and move.old not in self.engine.cost(stmt, self.config).used

    def _per_table(self, oid: int) -> int:
        return sum(1 for i in self.config if i.table.oid == oid)

    def fits(self, move: Move) -> bool:
        if self.budget is not None and self.used_bytes + move.delta_size > self.budget:
            return False
        if self.max_per_table is not None:
            new = [s for s in move.adds if s not in self.config]
            for oid in {s.table.oid for s in new}:
                count = self._per_table(oid) + sum(1 for s in new if s.table.oid == oid)
                if move.old is not None and move.old.table.oid == oid:
                    count -= 1
                if count > self.max_per_table:
                    return False
        return True

    def valid(self, move: Move) -> bool:
        fresh = any(s not in self.config for s in move.adds)
        return fresh and (move.old is None or move.old in self.config)

    def requeue(self, spec: IndexSpec) -> None:
        """An index that left the configuration may be worth adding back later (or in a repacking)."""
        self._singles[spec] = None
        self._push(Move(new=spec), _INF)

    def apply(self, move: Move) -> None:
        if move.old is not None:
            self.config.discard(move.old)
            self.requeue(move.old)
        for spec in move.adds:
            self.config.add(spec)
        self.used_bytes += move.delta_size
        self.refresh(self._statements_of(move))
        for spec in move.adds:
            for col in extension_columns(spec, self.affected(spec), self.max_width):
                self.offer(spec.extended(col), spec)
        # Indexes offered before that start with an index just chosen, or reshape its columns (another
        # order, a partial index on the same columns), may now replace it rather than sit beside it —
        # also those already evaluated and turned down as additions.
        for spec in move.adds:
            for other in list(self._singles):
                if successor(spec, other):
                    self.offer(other, spec)

    def refresh(self, stmts: Sequence[AnalyzedStatement]) -> None:
        for stmt in stmts:
            self.current[stmt.queryid] = self.engine.cost(stmt, self.config).cost
            self.versions[stmt.queryid] += 1

    def remove(self, spec: IndexSpec) -> None:
        self.config.discard(spec)
        self.requeue(spec)
        self.used_bytes -= self.size(spec) or 0
        self.refresh(self.affected(spec))
        self.unpark()

    def unpark(self) -> None:
        for move in self.parked:
            self._push(move, _INF)
        self.parked = []

    # -- phases ---------------------------------------------------------------------------------

    def run(self, candidates: Sequence[IndexSpec], sets: Sequence[tuple[IndexSpec, ...]] = ()) -> None:
        """Extend first (single columns, then appended columns), then the multi-column seeds, the
        candidate sets and the repairs, which only ever keep a change that lowers the objective. The
        last prune runs even when time is up: nothing no plan uses is ever returned."""
        for stmt in self.statements:
            self.current[stmt.queryid] = self.engine.cost(stmt, ()).cost
        self.phase = "single-column pass"
        for spec in candidates:
            if spec.width == 1 and not spec.where and not spec.opclasses:
                self.offer(spec)
        self.greedy()
        self.prune()
        # Ratio-greedy over every seed at once is lured by small multi-column indexes with a fine ratio
        # and a small benefit (measured on TPC-H); offered after Extend's pass, a seed only gets in
        # where it beats what is there.
        for spec in candidates:
            self.offer(spec)
        for group in sets:
            self.offer(group[0], extra=group[1:])
        for round_number in range(1, 9):  # greedy, prune, repack until nothing improves
            self.phase = f"improvement round {round_number}"
            self.greedy()
            changed = self.prune() | self.drop_unprofitable()
            if self.budget is not None and not self.out_of_time():
                changed |= repack(self)
            if not changed or self.out_of_time():
                break
        self.prune(final=True)
        self.drop_unprofitable(final=True)

    def out_of_time(self) -> bool:
        if not self.timed_out and time.monotonic() > self.deadline:
            self.timed_out = True
            self.stopped_in = self.phase
        return self.timed_out

    def greedy(self) -> None:
        """Lazy greedy: take the best move whose evaluation is up to date, while it pays for itself."""
        while self.heap and not self.out_of_time():
            _, _, move = heapq.heappop(self.heap)
            if not self.valid(move):
                continue
            stmts = self._statements_of(move)
            if move.stamp != self._stamp(stmts):
                if not self.evaluate(move):
                    continue
                if not move.worth_taking:
                    self.offer_swaps(move)
                    continue  # benefits only shrink as the configuration grows
                if not self.fits(move):
                    self.parked.append(move)
                    continue
                self._push(move, self._priority(move))
                continue
            if not move.worth_taking:
                continue
            if self.fits(move):
                self.apply(move)
            else:
                self.parked.append(move)

    def offer_swaps(self, move: Move) -> None:
        """An index that adds nothing beside the chosen ones may still do the job of a bigger chosen
        index its statements' plans use: offer it as that index's replacement (a tie goes to the
        smaller one)."""
        if move.old is not None or move.extra:
            return
        size = self.size(move.new)
        if size is None:
            return
        for stmt in self.affected(move.new):
            for spec in sorted(self.engine.cost(stmt, self.config).used, key=IndexSpec.sort_key):
                if spec.table.oid == move.new.table.oid and (self.size(spec) or 0) > size:
                    self.offer(move.new, spec)

    def used_indexes(self) -> set[IndexSpec]:
        used: set[IndexSpec] = set()
        for stmt in self.statements:
            used |= self.engine.cost(stmt, self.config).used
        return used

    def prune(self, *, final: bool = False) -> bool:
        """Drop chosen indexes no plan uses any more; True when something was dropped."""
        dropped = False
        while True:
            unused = [i for i in self.chosen() if i not in self.used_indexes()]
            if not unused:
                return dropped
            for spec in unused:
                self.remove(spec)
            dropped = True
            if not final:
                return dropped

    def drop_unprofitable(self, *, final: bool = False) -> bool:
        """Drop the chosen index whose marginal benefit covers its upkeep least, while one does not by
        more than the noise (the larger one first among equals)."""
        dropped = False
        while self.config and (final or not self.out_of_time()):
            worst = min(self.chosen(), key=lambda spec: (self.marginal(spec) - self.marginal_noise(spec),
                                                         -(self.size(spec) or 0)))
            if self.marginal(worst) > self.marginal_noise(worst):
                break
            self.remove(worst)
            dropped = True
        return dropped

    def marginal(self, spec: IndexSpec) -> float:
        """How much the objective would grow without ``spec`` (its current net contribution)."""
        config = self.config - {spec}
        return sum(self.weights[s.queryid] * (self.engine.cost(s, config).cost - self.current[s.queryid])
                   for s in self.affected(spec)) - self.upkeep.cost(spec)

    def marginal_noise(self, spec: IndexSpec) -> float:
        """The noise of :meth:`marginal`: how much of it the planner cannot tell from nothing."""
        config = self.config - {spec}
        noise = 0.0
        for stmt in self.affected(spec):
            if self.engine.cost(stmt, config).cost != self.current[stmt.queryid]:
                noise += self.weights[stmt.queryid] * self.noise_per_call
        return noise

    def gain(self, spec: IndexSpec, config: set[IndexSpec]) -> float:
        """Net benefit of adding ``spec`` to ``config``."""
        with_spec = config | {spec}
        return sum(self.weights[s.queryid] * (self.engine.cost(s, config).cost - self.engine.cost(s, with_spec).cost)
                   for s in self.affected(spec)) - self.upkeep.cost(spec)
