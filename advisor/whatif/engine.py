"""Costs of workload statements under sets of hypothetical indexes, cached aggressively.

A statement's cost only depends on the indexes it could use: those on tables it reads that mention at
least one column it reads (an index sharing no column with the statement cannot serve it). So the cache
key is (statement, relevant subset of the configuration), and two configurations that differ only on
other tables or columns share every entry. When a plan uses only some of the relevant indexes, the
cost is also stored under the used subset: removing an index the chosen plan ignores cannot change the
optimum, so that subset has the same cost.

Sizes: ``size`` is HypoPG's figure (creating the hypothetical index also proves it can be built);
``estimated_size`` is our btree estimate from pg_stats (:mod:`advisor.whatif.sizes`), which knows
about deduplication. An expression index is costed through a stand-in when a sample shows the
column's statistics fit the expression (:mod:`advisor.whatif.expressions`); ``estimates`` keeps the
words for each such choice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from advisor.whatif.expressions import ExpressionSample, sample_expression
from advisor.whatif.hypopg import HypoPG
from advisor.whatif.indexes import IndexSpec
from advisor.whatif.planner import GenericPlanner, PlanError
from advisor.whatif.sizes import IndexSizer, SizedIndex
from pgsql.workload.analyze import AnalyzedStatement
from pgsql.workload.catalog import Table

_MAX_TYPE_RETRIES = 8
# A statement as planned: its queryid and the expressions replaced by their column (stand-ins).
Variant = tuple[int, frozenset[tuple[str, str]]]


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
        self._sql: dict[Variant, str] = {}
        self._params: dict[Variant, dict[int, int]] = {}  # placeholder in the planned text -> original
        self._forced: dict[int, dict[int, str]] = {}
        self._cache: dict[tuple[int, frozenset[IndexSpec]], PlanCost] = {}
        self._live: dict[IndexSpec, int] = {}
        self._by_oid: dict[int, IndexSpec] = {}
        self._sizes: dict[IndexSpec, int] = {}
        self._size_errors: dict[IndexSpec, str] = {}
        self._samples: dict[IndexSpec, ExpressionSample | None] = {}
        self._rows: dict[tuple[int, str], float | None] = {}
        self.sizer = IndexSizer(self._predicate_rows, self.sample)
        self.estimates: dict[IndexSpec, str] = {}

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

    def _explain(self, stmt: AnalyzedStatement,
                 replace: frozenset[tuple[str, str]] = frozenset()) -> tuple[float, frozenset[int]]:
        qid = stmt.queryid
        key = (qid, replace)
        forced = self._forced.setdefault(qid, {})
        for _ in range(_MAX_TYPE_RETRIES):
            if key not in self._sql:
                self._sql[key], self._params[key] = stmt.plannable_sql(
                    self.planner.server_major, forced, typical=self.typical, replace=dict(replace))
            try:
                plan = self.planner.explain(self._sql[key], set(self._params[key]))
                return plan.cost, plan.hypothetical_oids
            except PlanError as exc:
                # The server could not type a placeholder we left to it: type it as text, as an
                # untyped literal would have been, and try again.
                original = self._params[key].get(exc.param) if exc.param is not None else None
                if original is None or original in forced:
                    raise
                forced[original] = "pg_catalog.text"
                for variant in [k for k in self._sql if k[0] == qid]:
                    del self._sql[variant]
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
        stand_ins = self._stand_ins(stmt, relevant)
        if stand_ins:
            # Planned with each expression index replaced by an index on its column, and the
            # statement comparing the column: the column's statistics stand in for the expression's.
            wanted = frozenset(stand_ins.get(s, s) for s in relevant
                               if not self._shadowed(s, stand_ins))
            self._materialize(stmt, wanted)
            replace = frozenset((e.expression or "", e.expression_columns[0]) for e in stand_ins)
            cost, oids = self._explain(stmt, replace)
            back = {v: k for k, v in stand_ins.items()}
            used = frozenset(back.get(self._by_oid[o], self._by_oid[o]) for o in oids if o in self._by_oid)
        else:
            self._materialize(stmt, relevant)
            cost, oids = self._explain(stmt)
            used = frozenset(self._by_oid[o] for o in oids if o in self._by_oid)
        result = PlanCost(cost=cost, used=used)
        self._cache[key] = result
        self._cache.setdefault((stmt.queryid, used), result)
        return result

    def _stand_ins(self, stmt: AnalyzedStatement, relevant: frozenset[IndexSpec]) -> dict[IndexSpec, IndexSpec]:
        """Expression indexes of ``relevant`` the statement compares, and the column index standing in."""
        out: dict[IndexSpec, IndexSpec] = {}
        for spec in relevant:
            if not spec.expression or len(spec.expression_columns) != 1:
                continue
            if not any(scan.table.oid == spec.table.oid and any(e.sql == spec.expression for e in scan.expressions)
                       for scan in stmt.access.scans):
                continue
            column = spec.expression_columns[0]
            if any(i.key_columns[:1] == (column,) for i in spec.table.indexes if i.is_valid):
                continue  # an existing index on the column would serve the stand-in statement
            sample = self.sample(spec)
            if sample is None or not sample.surrogate_ok:
                continue
            out[spec] = IndexSpec(table=spec.table, columns=(column, *spec.columns), include=spec.include,
                                  where=spec.where)
        return out

    @staticmethod
    def _shadowed(spec: IndexSpec, stand_ins: dict[IndexSpec, IndexSpec]) -> bool:
        """A plain index led by a stand-in's column would serve the rewritten comparison, which in the
        real statement it cannot: left out of the stand-in plan."""
        return not spec.expression and any(
            s.table.oid == spec.table.oid and spec.columns[:1] == s.columns[:1] and s != spec
            for s in stand_ins.values())

    # -- expressions and sizes ---------------------------------------------------------------------

    def sample(self, spec: IndexSpec) -> ExpressionSample | None:
        """Sampled statistics of an expression key (cached per expression and table)."""
        key = IndexSpec(table=spec.table, columns=(), expression=spec.expression,
                        expression_columns=spec.expression_columns)
        if key not in self._samples:
            self._samples[key] = sample_expression(self.conn, key)
            found = self._samples[key]
            if found is not None and spec.expression_columns:
                self.estimates[key] = found.describe(spec.expression_columns[0])
            elif spec.expression:
                self.estimates[key] = (f"selectivity of ({spec.expression}) is the planner's default for an "
                                       "expression without statistics: the table could not be sampled")
        return self._samples[key]

    def estimate_note(self, spec: IndexSpec) -> str | None:
        """How an expression index's selectivity was estimated (None for other indexes)."""
        if not spec.expression:
            return None
        self.sample(spec)
        key = IndexSpec(table=spec.table, columns=(), expression=spec.expression,
                        expression_columns=spec.expression_columns)
        return self.estimates.get(key)

    def _predicate_rows(self, table: Table, where: str) -> float | None:
        key = (table.oid, where)
        if key not in self._rows:
            try:
                self._rows[key] = self.planner.explain(f"SELECT FROM {table.qualified} WHERE {where}", set()).rows
            except PlanError:
                self._rows[key] = None
        return self._rows[key]

    def estimated_size(self, spec: IndexSpec) -> SizedIndex:
        """Our btree estimate for ``spec`` (what selection and display use)."""
        return self.sizer.size(spec)

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

