"""Per-table access patterns of one SELECT: what an index on each table could serve.

Every occurrence of a table in the statement (``lineitem l1``, ``lineitem l2`` …) becomes one
:class:`ScanPattern` holding the columns compared for equality, ranges, IN lists, LIKE, join keys,
ORDER BY / GROUP BY keys, the columns of each OR arm, and every column referenced (for covering
indexes). Names resolve like the server resolves them: aliases, CTEs, derived tables, correlated
references to outer queries. The scopes and the walk live in :mod:`pgsql.workload.scopes`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pgsql.workload.catalog import Table


def add_unique(items: list[str], item: str) -> None:
    if item not in items:
        items.append(item)


@dataclass(frozen=True)
class ExpressionPredicate:
    """``lower(email) = $1``: a predicate on an expression of one table's columns (an expression index)."""

    sql: str  # the expression as CREATE INDEX wants it, columns unqualified
    columns: tuple[str, ...]
    kind: str  # "equality" or "range"


@dataclass(eq=False)
class ScanPattern:
    """How one occurrence of a table is read by a statement."""

    table: Table
    alias: str
    equality: list[str] = field(default_factory=list)
    in_lists: list[str] = field(default_factory=list)
    ranges: list[str] = field(default_factory=list)
    likes: list[str] = field(default_factory=list)
    joins: list[str] = field(default_factory=list)
    null_tests: list[tuple[str, bool]] = field(default_factory=list)  # (column, IS NULL?)
    expressions: list[ExpressionPredicate] = field(default_factory=list)
    or_arms: list[list[str]] = field(default_factory=list)
    order_by: list[tuple[str, bool]] = field(default_factory=list)  # (column, descending?)
    group_by: list[str] = field(default_factory=list)
    referenced: list[str] = field(default_factory=list)
    all_columns: bool = False
    limited: bool = False

    def filter_columns(self) -> list[str]:
        """Columns with a restriction an index could search on, most index-friendly kinds first."""
        out: list[str] = []
        for col in [*self.equality, *(c for c, is_null in self.null_tests if is_null), *self.in_lists,
                    *self.ranges, *self.likes, *(c for c, is_null in self.null_tests if not is_null)]:
            add_unique(out, col)
        return out

    def indexable_columns(self) -> list[str]:
        """Every column a btree on this table could use as a key for this scan."""
        out = self.filter_columns()
        for col in [*self.joins, *(c for c, _ in self.order_by), *self.group_by]:
            add_unique(out, col)
        for arm in self.or_arms:
            for col in arm:
                add_unique(out, col)
        return out

    def needed_columns(self) -> list[str]:
        """All columns the statement reads from this occurrence (what an index-only scan must hold)."""
        if self.all_columns:
            return list(self.table.columns)
        out = list(self.referenced)
        for col in self.indexable_columns():
            add_unique(out, col)
        return out


class PredicateSink:
    """Where classified predicates go: straight into the scan, or into one arm of an OR."""

    def equality(self, scan: ScanPattern, col: str) -> None:
        add_unique(scan.equality, col)

    def in_list(self, scan: ScanPattern, col: str) -> None:
        add_unique(scan.in_lists, col)

    def range(self, scan: ScanPattern, col: str) -> None:
        add_unique(scan.ranges, col)

    def like(self, scan: ScanPattern, col: str) -> None:
        add_unique(scan.likes, col)

    def join(self, scan: ScanPattern, col: str) -> None:
        add_unique(scan.joins, col)

    def null_test(self, scan: ScanPattern, col: str, is_null: bool) -> None:
        if (col, is_null) not in scan.null_tests:
            scan.null_tests.append((col, is_null))

    def expression(self, scan: ScanPattern, predicate: ExpressionPredicate) -> None:
        if predicate not in scan.expressions:
            scan.expressions.append(predicate)


class ArmSink(PredicateSink):
    """Collects the restricted columns of one OR arm per scan (a BitmapOr needs an index per arm)."""

    _ORDER = ("equality", "in", "range")

    def __init__(self) -> None:
        self.columns: dict[int, tuple[ScanPattern, dict[str, list[str]]]] = {}

    def _put(self, scan: ScanPattern, col: str, kind: str) -> None:
        kinds = self.columns.setdefault(id(scan), (scan, {k: [] for k in self._ORDER}))[1]
        add_unique(kinds[kind], col)

    def equality(self, scan: ScanPattern, col: str) -> None:
        self._put(scan, col, "equality")

    def in_list(self, scan: ScanPattern, col: str) -> None:
        self._put(scan, col, "in")

    def range(self, scan: ScanPattern, col: str) -> None:
        self._put(scan, col, "range")

    def like(self, scan: ScanPattern, col: str) -> None:
        self._put(scan, col, "range")

    def null_test(self, scan: ScanPattern, col: str, is_null: bool) -> None:
        self._put(scan, col, "equality" if is_null else "range")

    def flush(self) -> None:
        """Append each scan's arm columns in index order: equality, then IN lists, then ranges."""
        for scan, kinds in self.columns.values():
            cols: list[str] = []
            for kind in self._ORDER:
                for col in kinds[kind]:
                    add_unique(cols, col)
            if cols not in scan.or_arms:
                scan.or_arms.append(cols)


@dataclass
class StatementAccess:
    """The access patterns of one statement, and the columns it reads per table (by table oid)."""

    scans: list[ScanPattern]
    tables: dict[int, Table]
    columns: dict[int, frozenset[str]]
    has_limit: bool

    @classmethod
    def from_scans(cls, scans: list[ScanPattern]) -> StatementAccess:
        tables: dict[int, Table] = {}
        columns: dict[int, set[str]] = {}
        for scan in scans:
            tables[scan.table.oid] = scan.table
            columns.setdefault(scan.table.oid, set()).update(scan.needed_columns())
        return cls(scans=scans, tables=tables,
                   columns={oid: frozenset(cols) for oid, cols in columns.items()},
                   has_limit=any(scan.limited for scan in scans))
