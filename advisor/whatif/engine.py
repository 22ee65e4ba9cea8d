"""Costs of workload statements under sets of hypothetical indexes, cached aggressively.

A statement's cost only depends on the indexes it could use: those on tables it reads that mention at
least one column it reads (an index sharing no column with the statement cannot serve it). So the cache
key is (statement, relevant subset of the configuration), and two configurations that differ only on
other tables or columns share every entry. When a plan uses only some of the relevant indexes, the
cost is also stored under the used subset: removing an index the chosen plan ignores cannot change the
optimum, so that subset has the same cost.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from advisor.whatif.hypopg import HypoPG
from advisor.whatif.indexes import IndexSpec
from advisor.whatif.planner import GenericPlanner, PlanError
from pgsql.workload.analyze import AnalyzedStatement

_MAX_TYPE_RETRIES = 8


@dataclass(frozen=True)
class PlanCost:
    """Planner cost of one statement under a configuration, and the hypothetical indexes its plan uses."""

    cost: float
    used: frozenset[IndexSpec]


class WhatIfEngine:
    """What-if planning for one workload over one connection (use as a context manager).

    On exit every hypothetical index is removed (``hypopg_reset()``) and the session settings we
    changed are restored. ``explain_calls`` and ``hypopg.calls`` count the work done.
    """

    def __init__(self, conn: Any, statements: Sequence[AnalyzedStatement], *, server_major: int,
                 hypopg: HypoPG, typical: bool = True) -> None:
        self.conn = conn
        self.typical = typical
        self.hypopg = hypopg
        self.planner = GenericPlanner(conn, server_major)
        self.statements = {s.queryid: s for s in statements}
        self.failures: dict[int, str] = {}
        self.cache_hits = 0
        self._sql: dict[int, str] = {}
        self._params: dict[int, dict[int, int]] = {}  # placeholder in the planned text -> original
        self._cache: dict[tuple[int, frozenset[IndexSpec]], PlanCost] = {}
        self._live: dict[IndexSpec, int] = {}
        self._by_oid: dict[int, IndexSpec] = {}
        self._sizes: dict[IndexSpec, int] = {}
        self._size_errors: dict[IndexSpec, str] = {}

    @property
    def explain_calls(self) -> int:
        return self.planner.explains

    def __enter__(self) -> WhatIfEngine:
        self.hypopg.reset()  # start clean even on a pooled connection that was used before
        self.planner.begin()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.conn.closed:
            return
        try:
            self.hypopg.reset()
        finally:
            self._live.clear()
            self._by_oid.clear()
            self.planner.end()

    # -- statements --------------------------------------------------------------------------------

    def baseline(self) -> dict[int, float]:
        """Plan every statement without hypothetical indexes; the ones that fail go to ``failures``."""
        costs: dict[int, float] = {}
        for qid, stmt in list(self.statements.items()):
            try:
                costs[qid] = self.cost(stmt, ()).cost
            except PlanError as exc:
                self.failures[qid] = f"could not be planned: {exc}"
                del self.statements[qid]
        return costs

    def _explain(self, stmt: AnalyzedStatement) -> tuple[float, frozenset[int]]:
        qid = stmt.queryid
        forced: dict[int, str] = {}
        for _ in range(_MAX_TYPE_RETRIES):
            if qid not in self._sql:
                self._sql[qid], self._params[qid] = stmt.plannable_sql(
                    self.planner.server_major, forced, typical=self.typical)
            try:
                plan = self.planner.explain(self._sql[qid], set(self._params[qid]))
                return plan.cost, plan.hypothetical_oids
            except PlanError as exc:
                # The server could not type a placeholder we left to it: type it as text, as an
                # untyped literal would have been, and try again.
                original = self._params[qid].get(exc.param) if exc.param is not None else None
                if original is None or original in forced:
                    raise
                forced[original] = "pg_catalog.text"
                del self._sql[qid]
        raise PlanError("too many untypable placeholders")

    # -- configurations ----------------------------------------------------------------------------

    def relevant(self, stmt: AnalyzedStatement, config: Iterable[IndexSpec]) -> frozenset[IndexSpec]:
        """The indexes of ``config`` the statement could possibly use."""
        columns = stmt.access.columns
        return frozenset(i for i in config if i.table.oid in columns and i.mentions & columns[i.table.oid])

    def cost(self, stmt: AnalyzedStatement, config: Iterable[IndexSpec]) -> PlanCost:
        """Cost of ``stmt`` with ``config`` simulated (existing real indexes always count)."""
        relevant = self.relevant(stmt, config)
        key = (stmt.queryid, relevant)
        hit = self._cache.get(key)
        if hit is not None:
            self.cache_hits += 1
            return hit
        self._materialize(stmt, relevant)
        cost, oids = self._explain(stmt)
        used = frozenset(self._by_oid[o] for o in oids if o in self._by_oid)
        result = PlanCost(cost=cost, used=used)
        self._cache[key] = result
        self._cache.setdefault((stmt.queryid, used), result)
        return result

    def workload_cost(self, config: Iterable[IndexSpec], weights: dict[int, float]) -> float:
        config = tuple(config)
        return sum(weights[qid] * self.cost(stmt, config).cost for qid, stmt in self.statements.items())

    def size(self, spec: IndexSpec) -> int:
        """Estimated size of the index in bytes (``hypopg_relation_size``); raises PlanError if invalid."""
        if spec in self._sizes:
            return self._sizes[spec]
        if spec in self._size_errors:
            raise PlanError(self._size_errors[spec])
        if spec in self._live:
            self._sizes[spec] = self.hypopg.size(self._live[spec])
            return self._sizes[spec]
        try:
            oid, size = self.hypopg.create_measured(spec.create_sql())
        except Exception as exc:
            if self.conn.closed:
                raise
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            self._size_errors[spec] = message
            raise PlanError(message) from None
        # Left in place: the next EXPLAIN of a statement it could serve drops it unless it is wanted.
        self._live[spec] = oid
        self._by_oid[oid] = spec
        self._sizes[spec] = size
        return size

    def _materialize(self, stmt: AnalyzedStatement, wanted: frozenset[IndexSpec]) -> None:
        """Make the session's hypothetical indexes that ``stmt`` could use exactly ``wanted``."""
        columns = stmt.access.columns
        for spec, oid in list(self._live.items()):
            if spec in wanted:
                continue
            cols = columns.get(spec.table.oid)
            if cols and spec.mentions & cols:
                self.hypopg.drop(oid)
                del self._live[spec]
                del self._by_oid[oid]
        for spec in wanted:
            if spec not in self._live:
                oid = self.hypopg.create(spec.create_sql())
                self._live[spec] = oid
                self._by_oid[oid] = spec

