"""Sizes of candidate indexes: our btree estimate from pg_stats (what selection and display use).

:func:`pgsql.indexsize.estimate_btree_size` does the arithmetic; here a spec's key columns become
its inputs. A column gives its pg_stats width, distinct values and NULL fraction; an expression key
gives what a sample of the table measured for it (:mod:`advisor.whatif.expressions`), or else the
widths and distinct values of the columns it reads (said so). A partial index holds the rows its
predicate keeps: the NULL fraction for ``col IS [NOT] NULL``, the planner's row estimate otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from advisor.whatif.expressions import ExpressionSample
from advisor.whatif.indexes import IndexSpec
from pgsql.indexsize import KeyColumn, SizeEstimate, estimate_btree_size
from pgsql.workload.catalog import Column, Table

_NULL_TEST = re.compile(r'^"?([^"\s]+)"?\s+IS\s+(NOT\s+)?NULL$', re.IGNORECASE)


@dataclass(frozen=True)
class SizedIndex:
    """An estimate and the words that say how it was reached."""

    estimate: SizeEstimate
    source: str

    @property
    def bytes(self) -> int:
        return self.estimate.bytes


def key_column(column: Column) -> KeyColumn:
    width = float(column.avg_width) if column.avg_width is not None else (
        float(column.typlen) if column.typlen > 0 else 32.0)
    return KeyColumn(width=width, typlen=column.typlen, typalign=column.typalign, n_distinct=column.n_distinct,
                     null_frac=float(column.null_frac or 0.0), dedup=column.dedup)


class IndexSizer:
    """Estimates sizes of specs on a workload's tables (cached per spec).

    ``predicate_rows(table, where)`` returns the planner's row estimate for a predicate (partial
    indexes beyond IS [NOT] NULL); ``sample(spec)`` the sampled statistics of an expression key.
    """

    def __init__(self, predicate_rows: Callable[[Table, str], float | None],
                 sample: Callable[[IndexSpec], ExpressionSample | None]) -> None:
        self._predicate_rows = predicate_rows
        self._sample = sample
        self._cache: dict[IndexSpec, SizedIndex] = {}

    def size(self, spec: IndexSpec) -> SizedIndex:
        found = self._cache.get(spec)
        if found is None:
            found = self._cache[spec] = self._size(spec)
        return found

    def _size(self, spec: IndexSpec) -> SizedIndex:
        table = spec.table
        notes: list[str] = []
        rows, kept = self._rows(spec)
        if kept:
            notes.append(kept)
        keys: list[KeyColumn] = []
        if spec.expression:
            keys.append(self._expression_key(spec, notes))
        for name in spec.columns:
            column = table.columns.get(name)
            keys.append(key_column(column) if column is not None else KeyColumn(width=8, typlen=8, typalign="d"))
        include = [key_column(table.columns[c]) for c in spec.include if c in table.columns]
        estimate = estimate_btree_size(keys, rows, include=include)
        source = estimate.describe() + "".join(f"; {n}" for n in notes)
        return SizedIndex(estimate=estimate, source=source)

    def _rows(self, spec: IndexSpec) -> tuple[float, str]:
        rows = max(spec.table.reltuples, 0.0)
        if not spec.where:
            return rows, ""
        found = _NULL_TEST.match(spec.where.strip())
        column = spec.table.columns.get(found.group(1)) if found else None
        if found and column is not None and column.null_frac is not None:
            share = (1.0 - column.null_frac) if found.group(2) else column.null_frac
            return rows * share, f"partial: {share:.1%} of the rows ({spec.where}, from null_frac)"
        estimated = self._predicate_rows(spec.table, spec.where)
        if estimated is None:
            return rows, f"partial: the planner could not estimate WHERE {spec.where}, sized as a full index"
        return estimated, f"partial: {estimated:,.0f} rows (WHERE {spec.where}, planner estimate)"

    def _expression_key(self, spec: IndexSpec, notes: list[str]) -> KeyColumn:
        sample = self._sample(spec)
        columns = [spec.table.columns[c] for c in spec.expression_columns if c in spec.table.columns]
        if sample is not None and sample.rows > 0:
            notes.append(f"expression width and distinct values from a sample of {sample.rows:,} rows")
            return KeyColumn(width=sample.avg_width, typlen=sample.typlen, typalign=sample.typalign,
                             n_distinct=sample.n_distinct, null_frac=sample.null_frac)
        notes.append("expression sized like the column(s) it reads (no sample)")
        if not columns:
            return KeyColumn(width=8, typlen=8, typalign="d")
        first = key_column(columns[0])
        return KeyColumn(width=sum(key_column(c).width for c in columns), typlen=-1, typalign="i",
                         n_distinct=first.n_distinct, null_frac=first.null_frac, dedup=first.dedup)
