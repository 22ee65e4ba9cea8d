"""Statistics for expression keys, which a hypothetical index cannot have.

A real index on ``lower(email)`` gets statistics for its expression at the next ANALYZE; a
hypothetical one never does, so the planner takes ``lower(email) = $1`` to keep 0.5 % of the rows
(its default for an expression it knows nothing about) and the index looks far worse than it is.
Creating extended statistics on the target is not ours to do (we never change a target, and the
monitoring role does not own the tables), so we read a sample instead — ``TABLESAMPLE SYSTEM`` over
about ``SAMPLE_ROWS`` rows, read-only, under the connection's statement_timeout — and measure, in the
same rows, the distinct values of the expression and of the column it reads:

* when the expression keeps at least ``SURROGATE_MIN_RATIO`` of the column's distinct values
  (``lower``, ``trim``, ``date_trunc('day', …)`` on a daily column…), a statement using the
  expression index is costed as the same statement comparing the column itself with an index on the
  column: the column's pg_stats then give the planner the selectivity the real index would have;
* otherwise the planner's default estimate is kept, and the evidence says so.

The sample also gives the expression's width and NULL fraction, for its size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from advisor.whatif.indexes import IndexSpec
from pgsql.ident import quote_ident_if_needed

SAMPLE_ROWS = 30_000
SURROGATE_MIN_RATIO = 0.5


@dataclass(frozen=True)
class ExpressionSample:
    """What a sample of the table says about one expression key."""

    expression: str
    rows: int
    distinct: int
    column_distinct: int
    avg_width: float
    null_frac: float
    n_distinct: float | None  # extrapolated, in pg_stats' form
    typlen: int = -1
    typalign: str = "i"

    @property
    def ratio(self) -> float:
        return self.distinct / self.column_distinct if self.column_distinct else 0.0

    @property
    def surrogate_ok(self) -> bool:
        return self.rows > 0 and self.ratio >= SURROGATE_MIN_RATIO

    def describe(self, column: str) -> str:
        if self.surrogate_ok:
            return (f"selectivity of ({self.expression}) taken from column {column}'s statistics: in a sample "
                    f"of {self.rows:,} rows it kept {self.ratio:.0%} of {column}'s distinct values (a "
                    "hypothetical expression index has no statistics of its own)")
        return (f"selectivity of ({self.expression}) is the planner's default for an expression without "
                f"statistics: in a sample of {self.rows:,} rows it kept only {self.ratio:.0%} of {column}'s "
                "distinct values, so the column's statistics would not stand in for it")


def sample_expression(conn: Any, spec: IndexSpec) -> ExpressionSample | None:
    """Sample the expression of ``spec`` on its table; None when it cannot be read (no privilege,
    timeout, an expression the sample cannot evaluate)."""
    if not spec.expression or not spec.expression_columns:
        return None
    table = spec.table
    column = spec.expression_columns[0]
    percent = min(100.0, 100.0 * SAMPLE_ROWS * 1.2 / max(table.reltuples, 1.0))
    sql = (f"SELECT count(*), count(DISTINCT ({spec.expression})), count(DISTINCT {quote_ident_if_needed(column)}), "
           f"avg(pg_catalog.pg_column_size(({spec.expression}))), "
           f"count(*) FILTER (WHERE ({spec.expression}) IS NULL), "
           f"max(pg_catalog.pg_typeof(({spec.expression}))::pg_catalog.oid::pg_catalog.int8) "
           f"FROM (SELECT * FROM {table.qualified} TABLESAMPLE SYSTEM ({percent:.6f}) LIMIT {SAMPLE_ROWS}) AS s")
    try:
        row = conn.execute(f"/* dbconsole: sample an expression key */ {sql}").fetchone()
        rows, distinct, col_distinct, width, nulls, type_oid = (row or (0, 0, 0, None, 0, None))
        kind = conn.execute("/* dbconsole: storage of a type */ SELECT typlen, typalign::text "
                            "FROM pg_catalog.pg_type WHERE oid = %s", (type_oid,)).fetchone()
    except Exception:
        if conn.closed or conn.broken:
            raise
        return None
    if not rows:
        return None
    typlen, typalign = (int(kind[0]), str(kind[1])) if kind else (-1, "i")
    stored = float(width or 8.0)
    if typlen < 0 and stored < 130:
        stored = max(1.0, stored - 3.0)  # computed with a 4-byte header; stored under 127 bytes with 1
    n_distinct = None
    col = table.columns.get(column)
    if col is not None and col.n_distinct is not None and col_distinct:
        n_distinct = col.n_distinct * distinct / col_distinct
    return ExpressionSample(expression=spec.expression, rows=int(rows), distinct=int(distinct),
                            column_distinct=int(col_distinct or 0), avg_width=stored,
                            null_frac=int(nulls or 0) / int(rows), n_distinct=n_distinct, typlen=typlen,
                            typalign=typalign)
