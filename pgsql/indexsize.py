"""How big a btree index will be once built, from the planner statistics of its columns.

HypoPG (1.3) sizes a hypothetical btree as if every row had its own index tuple: it ignores the
deduplication PostgreSQL 13+ applies when building a btree, which stores each run of equal keys once
with a list of heap TIDs. On a foreign-key column with a hundred rows per key the real index is three
to five times smaller than HypoPG says, so a selection that spends bytes by HypoPG's figures buys far
too little. This module estimates what ``CREATE INDEX`` really writes, the way nbtsort.c fills pages:

* an index tuple is ``IndexTupleData`` (8 bytes: heap TID + info), a 4-byte null bitmap when any key
  is NULL (the data then starts at 16), the key values each aligned by its type (varlena values
  shorter than 127 bytes take a 1-byte header and no alignment, as ``pg_stats.avg_width`` counts
  them), the whole ``MAXALIGN``ed, plus a 4-byte line pointer;
* with deduplication (on by default; off for INCLUDE indexes and types whose btree operator class
  has no ``equalimage`` support: numeric, float, jsonb, nondeterministic collations...) each group of
  equal keys becomes posting-list tuples of at most ``BLCKSZ/10`` bytes, the key once plus 6 bytes
  per heap TID; a key seen once stays a plain tuple. NULLs are equal to each other for this purpose;
* leaf pages are filled up to the fillfactor (90 % by default: a new page starts once less than
  10 % is free), internal pages to 70 %, with suffix-truncated pivot tuples; one metapage.

The number of equal-key groups comes from ``n_distinct`` (several columns: the product of their
distinct counts, capped at the row count, as the planner estimates groups) and they are taken as
equal in size. Validated against real builds in ``tests/pgsql/test_indexsize.py``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

BLCKSZ = 8192
PAGE_HEADER = 24
BTREE_SPECIAL = 16  # BTPageOpaqueData
ITEM_ID = 4
TUPLE_HEADER = 8  # IndexTupleData: ItemPointerData (6) + t_info (2)
NULL_BITMAP = 4  # IndexAttributeBitMapData
TID = 6
MAXALIGN = 8
LEAF_FILLFACTOR = 90
NONLEAF_FILLFACTOR = 70
_ALIGN = {"c": 1, "s": 2, "i": 4, "d": 8}


def maxalign(n: float) -> int:
    return int(math.ceil(n / MAXALIGN) * MAXALIGN)


@dataclass(frozen=True)
class KeyColumn:
    """One column (or expression) of the index, described by its type and pg_stats.

    ``width``: ``pg_stats.avg_width`` (bytes as stored; for a fixed-size type its length). ``typlen``
    and ``typalign`` as in ``pg_type``. ``n_distinct`` in pg_stats' form (negative: a fraction of the
    rows), None when unknown. ``dedup``: the column's btree operator class allows deduplication.
    """

    width: float
    typlen: int = -1
    typalign: str = "i"
    n_distinct: float | None = None
    null_frac: float = 0.0
    dedup: bool = True

    def distinct(self, rows: float) -> float:
        """Distinct non-null values among ``rows`` rows (the planner's default 200 when unknown)."""
        if self.n_distinct is None:
            return min(200.0, max(rows, 1.0))
        if self.n_distinct < 0:  # a fraction of all rows, NULLs included
            return max(1.0, -self.n_distinct * rows)
        return max(1.0, min(self.n_distinct, max(rows, 1.0)))

    def stored_bytes(self, offset: int) -> int:
        """Bytes from ``offset`` to the end of this value in a tuple (alignment padding included)."""
        if self.typlen > 0:
            align = _ALIGN.get(self.typalign, 4)
            return -(-offset // align) * align + self.typlen - offset
        width = max(1.0, self.width)
        if width < 127:
            return round(width)  # short varlena: 1-byte header, never aligned
        align = _ALIGN.get(self.typalign, 4)
        return -(-offset // align) * align + round(width) - offset


@dataclass(frozen=True)
class SizeEstimate:
    """The estimated size and how it was reached (shown as evidence)."""

    bytes: int
    entries: float
    leaf_pages: int
    internal_pages: int
    groups: float
    deduplicated: bool
    tuple_bytes: float

    def describe(self) -> str:
        dedup = (f"deduplicated into ~{self.groups:,.0f} key groups" if self.deduplicated
                 else "no deduplication")
        return (f"btree estimate from pg_stats: {self.entries:,.0f} entries of ~{self.tuple_bytes:.0f} bytes, "
                f"{dedup}, {self.leaf_pages:,} leaf + {self.internal_pages:,} internal pages")


def _data_bytes(columns: Sequence[KeyColumn], offset: int) -> int:
    data = 0
    for col in columns:
        data += col.stored_bytes(offset + data)
    return data


@dataclass(frozen=True)
class _Pattern:
    """Index entries whose key columns are NULL in one particular way (a NULL takes no data bytes, and
    a tuple with any NULL carries the bitmap, so its data starts at 16)."""

    share: float
    tuple_bytes: int
    present: tuple[KeyColumn, ...]


def _patterns(columns: Sequence[KeyColumn]) -> list[_Pattern]:
    """Every pattern of NULL columns with its share of the entries (columns taken as independent)."""
    out = []
    for pattern in itertools.product((False, True), repeat=len(columns)):
        share = 1.0
        for col, is_null in zip(columns, pattern, strict=True):
            frac = min(max(col.null_frac, 0.0), 1.0)
            share *= frac if is_null else 1.0 - frac
        if share <= 0.0:
            continue
        present = tuple(c for c, is_null in zip(columns, pattern, strict=True) if not is_null)
        offset = maxalign(TUPLE_HEADER + NULL_BITMAP) if any(pattern) else TUPLE_HEADER
        out.append(_Pattern(share=share, tuple_bytes=maxalign(offset + _data_bytes(present, offset)),
                            present=present))
    return out


def estimate_btree_size(keys: Sequence[KeyColumn], rows: float, *, include: Sequence[KeyColumn] = (),
                        fillfactor: int = LEAF_FILLFACTOR) -> SizeEstimate:
    """Bytes a freshly built btree over ``rows`` heap rows with these key (and INCLUDE) columns takes.

    ``rows`` is the number of entries (for a partial index, the rows its predicate keeps); the columns'
    ``n_distinct`` is read relative to it.
    """
    rows = max(0.0, rows)
    columns = [*keys, *include]
    if rows < 1.0 or not columns:
        return SizeEstimate(bytes=BLCKSZ, entries=rows, leaf_pages=0, internal_pages=0, groups=0.0,
                            deduplicated=False, tuple_bytes=0.0)
    dedup = not include and all(c.dedup for c in keys)
    leaf_bytes = items = groups = tuple_bytes = 0.0
    for pattern in _patterns(columns):
        entries = rows * pattern.share
        tuple_bytes += pattern.share * pattern.tuple_bytes
        if not dedup:
            leaf_bytes += entries * (pattern.tuple_bytes + ITEM_ID)
            items += entries
            continue
        # Equal keys: the product of the present columns' distinct values (NULLs are all equal).
        pattern_groups = 1.0
        for col in pattern.present:
            pattern_groups = min(entries, pattern_groups * col.distinct(rows))
        pattern_groups = max(1.0, min(entries, pattern_groups))
        part, count = _leaf_bytes(pattern.tuple_bytes, entries, pattern_groups)
        leaf_bytes += part
        items += count
        groups += pattern_groups
    usable = BLCKSZ - PAGE_HEADER - BTREE_SPECIAL
    per_leaf = usable - BLCKSZ * (100 - fillfactor) / 100
    average_item = leaf_bytes / max(1.0, items)
    high_key = tuple_bytes + ITEM_ID
    leaves = max(1, math.ceil(leaf_bytes / max(per_leaf + average_item / 2 - high_key, 1.0)))
    internal = _internal_pages(keys, rows, leaves)
    total = (1 + leaves + internal) * BLCKSZ
    return SizeEstimate(bytes=total, entries=rows, leaf_pages=leaves, internal_pages=internal,
                        groups=groups if dedup else rows, deduplicated=dedup and items < rows,
                        tuple_bytes=tuple_bytes)


def _leaf_bytes(plain: float, rows: float, groups: float) -> tuple[float, float]:
    """Leaf bytes (tuples + line pointers) and tuple count when ``rows`` entries fall into ``groups``
    equal-key groups of equal size."""
    if rows <= 0:
        return 0.0, 0.0
    per_group = rows / groups
    if per_group < 2.0:
        # As even as possible: (rows - groups) pairs, the remaining groups single entries.
        pairs = max(0.0, rows - groups)
        singles = max(0.0, groups - pairs)
        return singles * (plain + ITEM_ID) + pairs * (maxalign(plain + 2 * TID) + ITEM_ID), singles + pairs
    max_posting = (BLCKSZ * 10 // 100) // MAXALIGN * MAXALIGN - ITEM_ID
    per_tuple = max(2, int((max_posting - plain) // TID))
    full, rest = divmod(per_group, per_tuple)
    size = full * (maxalign(plain + per_tuple * TID) + ITEM_ID)
    tuples = full
    if rest >= 2:
        size += maxalign(plain + rest * TID) + ITEM_ID
        tuples += 1
    elif rest > 0:
        size += rest * (plain + ITEM_ID)
        tuples += rest
    return groups * size, groups * tuples


def _internal_pages(keys: Sequence[KeyColumn], rows: float, leaves: int) -> int:
    """Pages above the leaves: pivots keep the first key column when it tells leaves apart, else all
    keys and a heap TID; internal pages are filled to 70 %."""
    if leaves <= 1:
        return 0
    first = keys[0] if keys else KeyColumn(width=8, typlen=8, typalign="d")
    if first.distinct(rows) >= leaves:
        pivot_cols: Sequence[KeyColumn] = [first]
        extra = 0
    else:
        pivot_cols, extra = keys, TID
    pivot = maxalign(TUPLE_HEADER + _data_bytes(pivot_cols, TUPLE_HEADER) + extra) + ITEM_ID
    per_page = max(2, int((BLCKSZ - PAGE_HEADER - BTREE_SPECIAL - BLCKSZ * (100 - NONLEAF_FILLFACTOR) / 100)
                          // pivot))
    pages, level = 0, leaves
    while level > 1:
        level = math.ceil(level / per_page)
        pages += level
    return pages
