"""Candidate indexes from the workload's access patterns, with their columns in a sensible order.

Order inside a candidate follows how a btree is searched: columns compared with ``=`` (and IS NULL)
first, then IN lists, then at most one range (a btree can bound only one column by a range and still
use the columns after it as search keys), then join or sort keys. Among equality columns the one the
workload uses most (weighted) goes first, so one index can serve several statements; ties go to the
column with more distinct values.

Besides single columns (the Extend algorithm's starting point) we seed multi-column candidates that a
statement needs as a whole — ``(c_mktsegment, c_custkey)``, the three lookups of a join on
``(ps_partkey, ps_suppkey)`` — so the search does not have to discover them one column at a time, where
the first column alone may show no benefit at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from advisor.whatif.indexes import IndexSpec
from pgsql.workload.analyze import AnalyzedStatement
from pgsql.workload.catalog import Table, distinct_values
from pgsql.workload.patterns import ScanPattern, add_unique

# Below this size the planner reads the whole table anyway; indexes there only cost time to evaluate.
MIN_TABLE_PAGES = 16
DEFAULT_MAX_WIDTH = 4


class ColumnUsage:
    """How much the workload leans on each column as a search key (weights of the statements)."""

    def __init__(self, statements: Iterable[AnalyzedStatement], weights: dict[int, float]) -> None:
        self._score: dict[tuple[int, str], float] = defaultdict(float)
        for stmt in statements:
            weight = weights.get(stmt.queryid, 0.0)
            for scan in stmt.access.scans:
                for col in scan.indexable_columns():
                    self._score[(scan.table.oid, col)] += weight

    def order(self, table: Table, columns: Iterable[str]) -> list[str]:
        return sorted(dict.fromkeys(columns),
                      key=lambda c: (-self._score[(table.oid, c)], -distinct_values(table, c), c))


def worth_indexing(table: Table) -> bool:
    return table.indexable and table.relpages >= MIN_TABLE_PAGES


def scan_seeds(scan: ScanPattern, usage: ColumnUsage, max_width: int) -> list[tuple[str, ...]]:
    """Column lists an index for this table occurrence could usefully have."""
    table = scan.table
    eq = usage.order(table, [*scan.equality, *(c for c, is_null in scan.null_tests if is_null)])
    ins = [c for c in usage.order(table, scan.in_lists) if c not in eq]
    ranges = [c for c in dict.fromkeys([*scan.ranges, *scan.likes]) if c not in eq and c not in ins]
    joins = [c for c in usage.order(table, scan.joins) if c not in eq]
    order = [c for c, _ in scan.order_by]
    seeds: list[tuple[str, ...]] = []

    def seed(*parts: Iterable[str]) -> None:
        cols = tuple(dict.fromkeys(c for part in parts for c in part))[:max_width]
        if cols and cols not in seeds:
            seeds.append(cols)

    for col in [*eq, *ins, *ranges, *joins, *order[:1], *scan.group_by[:1]]:
        seed([col])
    for col, is_null in scan.null_tests:
        if not is_null:
            seed([col])
    prefix = [*eq, *ins]
    seed(eq)
    seed(prefix)
    for rng in ranges:
        seed(prefix, [rng])
    if len(joins) > 1:
        seed(joins)  # a join on several columns (ps_partkey, ps_suppkey) looks all of them up at once
        seed(reversed(joins))
    for join in joins:
        seed([join], prefix)  # the inner side of a nested loop: join key first, then the filters
        seed(prefix, [join])
        for rng in ranges[:1]:
            seed([join], prefix, [rng])
    if order:
        seed(eq, order)  # WHERE a = $1 ORDER BY b LIMIT n: read the first n entries in order
    if scan.group_by:
        seed(scan.group_by)
    for arm in scan.or_arms:
        seed(arm)
        seed(arm[:2])
    return seeds


def generate(statements: Iterable[AnalyzedStatement], weights: dict[int, float],
             max_width: int = DEFAULT_MAX_WIDTH) -> list[IndexSpec]:
    """Every candidate index for the workload, without duplicates or ones an existing index covers."""
    statements = list(statements)
    usage = ColumnUsage(statements, weights)
    specs: dict[IndexSpec, None] = {}
    for stmt in statements:
        for scan in stmt.access.scans:
            if not worth_indexing(scan.table):
                continue
            for cols in scan_seeds(scan, usage, max_width):
                specs.setdefault(IndexSpec(table=scan.table, columns=cols), None)
            for expr in scan.expressions:
                specs.setdefault(IndexSpec(table=scan.table, columns=(), expression=expr.sql,
                                           expression_columns=expr.columns), None)
            specs.update(dict.fromkeys(partial_candidates(scan, usage, max_width)))
    return [spec for spec in specs if not covered_by_existing(spec)]


def partial_candidates(scan: ScanPattern, usage: ColumnUsage, max_width: int) -> list[IndexSpec]:
    """``WHERE deleted_at IS NULL AND user_id = $1``: index user_id only where deleted_at IS NULL.

    pg_stat_statements keeps IS [NOT] NULL tests (there is no constant in them), so they are the
    predicates a partial index can be built on from normalized text.
    """
    out: list[IndexSpec] = []
    for col, is_null in scan.null_tests:
        others = [c for c in usage.order(scan.table, [*scan.equality, *scan.in_lists, *scan.ranges,
                                                      *scan.joins]) if c != col]
        if not others:
            continue
        where = f"{col} IS NULL" if is_null else f"{col} IS NOT NULL"
        out.append(IndexSpec(table=scan.table, columns=tuple(others[:max_width]), where=where,
                             expression_columns=(col,)))
    return out


def covered_by_existing(spec: IndexSpec) -> bool:
    """An existing valid btree whose leading keys are this candidate's keys already does its job."""
    if spec.expression or spec.where:
        return False
    for index in spec.table.indexes:
        if index.method != "btree" or not index.is_valid or index.is_partial:
            continue
        keys = index.key_columns
        if len(keys) >= len(spec.columns) and tuple(keys[: len(spec.columns)]) == spec.columns:
            return True
    return False


def extension_columns(spec: IndexSpec, statements: Iterable[AnalyzedStatement],
                      max_width: int) -> list[str]:
    """Columns worth appending to ``spec`` (Extend's step), from the statements it can serve: their
    search keys on the table, and the last column a statement reads that would make the index cover
    it (an index-only scan). Extend tries every column the queries read; columns that neither search
    nor complete a covering index cannot change a plan, and skipping them saves most what-if calls."""
    if spec.width >= max_width or spec.expression:
        return []
    out: list[str] = []
    for stmt in statements:
        for scan in stmt.access.scans:
            needed = set(scan.needed_columns())
            if scan.table.oid != spec.table.oid or not needed & spec.mentions:
                continue
            for col in scan.indexable_columns():
                if col not in spec.columns and col not in out:
                    out.append(col)
            missing = needed - set(spec.columns) - set(spec.include)
            if len(missing) == 1:
                add_unique(out, missing.pop())
    return out
