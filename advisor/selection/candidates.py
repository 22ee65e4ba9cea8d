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

Never proposed (no waste): a candidate an existing valid btree already leads with, and one led by the
columns of the primary key or a unique index in the same order — that prefix already finds at most
one row, so whatever follows it is filler. ``LIKE 'prefix%'`` columns of a string type also get a
``text_pattern_ops`` (``varchar_pattern_ops``, ``bpchar_pattern_ops``) candidate: under a collation
other than C a plain btree cannot serve a prefix search, and the planner, not we, tells which one is
used. An OR whose arms restrict different columns gets a candidate *set*, one index per arm: a
BitmapOr needs all of them, and each alone changes no plan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from advisor.whatif.indexes import IndexSpec
from pgsql.ident import quote_ident_if_needed
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


PATTERN_OPS = {"pg_catalog.text": "text_pattern_ops", "pg_catalog.varchar": "varchar_pattern_ops",
               "pg_catalog.bpchar": "bpchar_pattern_ops"}


def generate(statements: Iterable[AnalyzedStatement], weights: dict[int, float],
             max_width: int = DEFAULT_MAX_WIDTH) -> list[IndexSpec]:
    """Every candidate index for the workload, without duplicates, ones an existing index covers or
    ones led by a unique key."""
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
            specs.update(dict.fromkeys(pattern_candidates(scan, usage, max_width)))
    return [spec for spec in specs if admissible(spec)]


def admissible(spec: IndexSpec) -> bool:
    return not covered_by_existing(spec) and not led_by_unique_key(spec)


def pattern_candidates(scan: ScanPattern, usage: ColumnUsage, max_width: int) -> list[IndexSpec]:
    """``sku LIKE $1``: the prefix search needs a pattern operator class unless the collation is C."""
    out: list[IndexSpec] = []
    eq = usage.order(scan.table, [*scan.equality, *(c for c, is_null in scan.null_tests if is_null)])
    for col in scan.likes:
        column = scan.table.columns.get(col)
        opclass = PATTERN_OPS.get(column.cast_type) if column is not None else None
        if opclass is None or getattr(column, "c_collation", None) is True:
            continue
        for cols in ((col,), tuple(dict.fromkeys([*eq, col]))[:max_width]):
            out.append(IndexSpec(table=scan.table, columns=cols, opclasses=((col, opclass),)))
    return out


def candidate_sets(statements: Iterable[AnalyzedStatement], weights: dict[int, float],
                   max_width: int = DEFAULT_MAX_WIDTH) -> list[tuple[IndexSpec, ...]]:
    """One index per arm of each OR over different columns of one table (``a = $1 OR b = $2``)."""
    statements = list(statements)
    usage = ColumnUsage(statements, weights)
    sets: dict[tuple[IndexSpec, ...], None] = {}
    for stmt in statements:
        for scan in stmt.access.scans:
            if len(scan.or_arms) < 2 or not worth_indexing(scan.table) or not all(scan.or_arms):
                continue
            prefix = usage.order(scan.table, scan.equality)
            group = tuple(dict.fromkeys(
                IndexSpec(table=scan.table, columns=tuple(dict.fromkeys([*prefix, *arm]))[:max_width])
                for arm in scan.or_arms))
            if len(group) > 1 and all(admissible(spec) or covered_by_existing(spec) for spec in group):
                # An arm an existing index already serves needs nothing new; the others still do.
                fresh = tuple(spec for spec in group if not covered_by_existing(spec))
                if fresh:
                    sets.setdefault(tuple(sorted(fresh, key=IndexSpec.sort_key)), None)
    return list(sets)


def led_by_unique_key(spec: IndexSpec) -> bool:
    """True when the spec's leading columns are those of the primary key or a unique index, in order:
    that prefix already finds at most one row, so the rest of the index buys nothing."""
    if spec.expression:
        return False
    for index in spec.table.indexes:
        if not (index.is_unique or index.is_primary) or not index.is_valid or index.is_partial:
            continue
        keys = index.key_columns
        if keys and None not in keys and len(spec.columns) >= len(keys) \
                and tuple(spec.columns[: len(keys)]) == tuple(keys):
            return True
    return False


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
    """An existing valid btree whose leading keys are this candidate's keys already does its job (with
    the same operator classes: a plain index does not serve what a pattern one is proposed for)."""
    if spec.expression or spec.where:
        return False
    for index in spec.table.indexes:
        if index.method != "btree" or not index.is_valid or index.is_partial:
            continue
        keys = index.key_columns
        if len(keys) >= len(spec.columns) and tuple(keys[: len(spec.columns)]) == spec.columns and all(
                f"{quote_ident_if_needed(col)} {opclass}" in index.definition for col, opclass in spec.opclasses):
            return True
    return False


def extension_columns(spec: IndexSpec, statements: Iterable[AnalyzedStatement],
                      max_width: int) -> list[str]:
    """Columns worth appending to ``spec`` (Extend's step), from the statements it can serve: their
    search keys on the table, and the last column a statement reads that would make the index cover
    it (an index-only scan). Extend tries every column the queries read; columns that neither search
    nor complete a covering index cannot change a plan, and skipping them saves most what-if calls."""
    if spec.width >= max_width or spec.expression or spec.opclasses:
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
