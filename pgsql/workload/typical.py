"""Typical values for the placeholders that make generic plans misjudge indexes.

A generic plan knows nothing of ``$n``, so the planner falls back on fixed guesses: a range between two
placeholders (``d >= $1 AND d < $2``, ``BETWEEN $1 AND $2``) selects 0.5% of the rows, ``LIMIT $1``
returns 10% of them. Real ranges are mostly reporting periods — a month, a quarter, a year, 1% to 30%
of the rows on TPC-H — so with the guess every range looks like a needle and an index on it looks
better than it is. Since pg_stat_statements drops the actual values, we put in typical ones, from the
target's own statistics, and only where the guess is known to be off:

* both ends of a two-sided range on a column: ``RANGE_WIDTH`` of the column's distribution around its
  middle (quantiles 0.45 and 0.55 of pg_stats' MCVs + histogram). When the upper end is written
  ``$2 + interval $3 <unit>`` the text tells the width's unit: the range then starts at the middle
  value and lasts one unit (``interval '1' month``);
* ``col LIKE $n`` (and ILIKE): a prefix search, the way applications use it — the value at the middle
  of the column's distribution with its last ``OPEN_CHARACTERS`` characters left open (``'SKU-0012%'``);
  a generic plan could use no index for a pattern it cannot see;
* ``LIMIT $n``: ``TYPICAL_LIMIT`` rows (a page of results).

Everything else keeps its placeholder and the planner's generic estimate (equality uses the number of
distinct values, which is what a typical value would give anyway). ``plan_mode="generic"`` in the
advisor turns this off.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pglast import ast
from psycopg import sql

from pgsql.workload.catalog import SQL_FILES, Table
from pgsql.workload.nodes import params, walk

RANGE_WIDTH = 0.10
TYPICAL_LIMIT = 100
OPEN_CHARACTERS = 2
MIN_PREFIX = 3
_LOW, _HIGH = 0.5 - RANGE_WIDTH / 2, 0.5 + RANGE_WIDTH / 2


@dataclass(frozen=True)
class RangeBound:
    """One end of a range predicate on ``table.column``; ``group`` pairs the two ends of one range."""

    group: tuple[int, int, str]
    table: Table
    column: str
    side: str  # "lower" or "upper"
    expr: ast.Node = field(compare=False, hash=False)


@dataclass(frozen=True)
class PatternParam:
    """``table.column LIKE $number`` (``insensitive``: ILIKE)."""

    table: Table
    column: str
    number: int
    insensitive: bool = False


def typical_prefix(value: str) -> str:
    """A LIKE pattern for a prefix search typed up to near the end of ``value``."""
    keep = max(MIN_PREFIX, len(value) - OPEN_CHARACTERS)
    prefix = value[:keep].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return prefix + "%"


@dataclass
class Substitution:
    """Literal text for placeholders (by number) and for whole bound expressions (by their placeholders)."""

    params: dict[int, str] = field(default_factory=dict)
    exprs: dict[frozenset[int], str] = field(default_factory=dict)
    casts: dict[int, str] = field(default_factory=dict)  # param or first param of expr -> column type
    limits: set[int] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)  # what was put in, in words, for the evidence

    def __bool__(self) -> bool:
        return bool(self.params or self.exprs or self.limits)


def _interval_params(expr: Any) -> dict[int, str]:
    """Placeholders cast to interval, with the literal meaning one unit of the cast's fields."""
    found: dict[int, str] = {}
    for n in walk(expr):
        if not (isinstance(n, ast.TypeCast) and isinstance(n.arg, ast.ParamRef) and n.typeName is not None):
            continue
        if any(getattr(name, "sval", "") == "interval" for name in n.typeName.names or ()):
            # interval '1' month is a month; a bare interval '1' would be one second.
            found[int(n.arg.number or 0)] = "1" if n.typeName.typmods else "1 day"
    return found


class QuantileCache:
    """Column values at the range quantiles, read from pg_stats once per column."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self._values: dict[tuple[int, str], tuple[str | None, str | None]] = {}

    def around_middle(self, table: Table, column: str) -> tuple[str | None, str | None]:
        key = (table.oid, column)
        if key not in self._values:
            cast_type = table.columns[column].cast_type
            query = sql.SQL(SQL_FILES.load("quantiles")).format(cast_type=sql.SQL(cast_type))
            try:
                rows = self.conn.execute(query, {"schema": table.schema, "table": table.name, "column": column,
                                                 "quantiles": [_LOW, _HIGH]}).fetchall()
                values = {round(q, 6): v for q, v in rows}
                self._values[key] = (values.get(round(_LOW, 6)), values.get(round(_HIGH, 6)))
            except Exception:  # no statistics, or a type without array input: keep the placeholder
                if self.conn.closed:
                    raise
                self._values[key] = (None, None)
        return self._values[key]


def typical_values(bounds: Iterable[RangeBound], limit_params: Iterable[int],
                   quantiles: QuantileCache, patterns: Iterable[PatternParam] = ()) -> Substitution:
    """The substitutions for one statement (see the module docstring)."""
    out = Substitution(limits=set(limit_params))
    for pattern in patterns:
        if pattern.table.columns[pattern.column].category != "S":
            continue
        low, _ = quantiles.around_middle(pattern.table, pattern.column)
        if low is None:
            continue
        out.params[pattern.number] = typical_prefix(low)
        out.casts[pattern.number] = "pg_catalog.text"
        out.notes.append(f"{'ILIKE' if pattern.insensitive else 'LIKE'} ${pattern.number} on "
                         f"{pattern.table.name}.{pattern.column} costed as the prefix search "
                         f"'{out.params[pattern.number]}' (a typical value of the column, its last "
                         f"{OPEN_CHARACTERS} characters left open; pg_stat_statements keeps no pattern, so if the "
                         "application's starts with a wildcard, no btree can serve it)")
    groups: dict[tuple[int, int, str], list[RangeBound]] = defaultdict(list)
    for bound in bounds:
        groups[bound.group].append(bound)
    for members in groups.values():
        sides = {b.side for b in members}
        if sides != {"lower", "upper"}:
            continue  # a one-sided range keeps the planner's own guess (a third of the rows)
        if any(isinstance(n, ast.ColumnRef | ast.SubLink) for b in members for n in walk(b.expr)):
            continue
        table, column = members[0].table, members[0].column
        low, high = quantiles.around_middle(table, column)
        if low is None or high is None:
            continue
        cast_type = table.columns[column].cast_type
        with_unit = any(_interval_params(b.expr) for b in members if b.side == "upper")
        for bound in members:
            numbers = params(bound.expr)
            intervals = _interval_params(bound.expr)
            if with_unit:
                # d >= $1 AND d < $2 + interval $3 month: from the middle value, one month long.
                for number in numbers:
                    out.params[number] = intervals.get(number, low)
                    if number not in intervals:
                        out.casts[number] = cast_type
                continue
            value = low if bound.side == "lower" else high
            if isinstance(bound.expr, ast.ParamRef) or (
                isinstance(bound.expr, ast.TypeCast) and isinstance(bound.expr.arg, ast.ParamRef)
            ):
                number = min(numbers)
                out.params[number] = value
                out.casts[number] = cast_type
            else:
                out.exprs[frozenset(numbers)] = value
                out.casts[min(numbers)] = cast_type
    return out
