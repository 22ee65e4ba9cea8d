"""Per-interval deltas of pg_stat_statements counters — never negative, whatever happened in between.

Counters are cumulative per entry. Between two reads an entry may be:

* unchanged or grown — the delta is the difference;
* new (created in the interval) — the delta is everything it shows;
* reset or evicted and re-created — some counter went down, or (pg_stat_statements 1.11+) its
  ``stats_since`` moved: the delta is everything it shows since, and the entry is counted as reset;
* wiped with everything else by ``pg_stat_statements_reset()`` (``stats_reset`` moved) — every delta
  is the whole counter.

The work is done column by column with ``map``/``itemgetter`` so the per-element loop runs in C: a
5,000-statement diff costs a few milliseconds.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import itemgetter, sub

from monitoring.history.statement_state import LastRead
from monitoring.pgstats.statements import COUNTERS

NCOUNTERS = len(COUNTERS)


@dataclass(frozen=True)
class Diff:
    seqs: tuple[int, ...]                 # only statements whose counters changed
    columns: tuple[tuple[int, ...], ...]  # one per counter, aligned with seqs
    entry_resets: int                     # entries that went back (reset or evicted and re-created)

    @property
    def totals(self) -> list[int]:
        return [sum(c) for c in self.columns]


def pick(values: Sequence[int], positions: Sequence[int]) -> tuple[int, ...]:
    if not positions:
        return ()
    if len(positions) == 1:
        return (values[positions[0]],)
    return tuple(itemgetter(*positions)(values))


def _padded(values: Sequence[int]) -> Sequence[int]:
    """``values`` with a trailing 0, the "previous value" of statements the last read did not have."""
    if isinstance(values, array):
        return values + array("q", (0,))
    return [*values, 0]


def diff(seqs: Sequence[int], columns: Sequence[Sequence[int]], last: LastRead | None, *,
         full_reset: bool) -> Diff:
    """``columns``: the counters of the current read (``COUNTERS`` order, then ``stats_since``).

    pg_stat_statements bumps ``calls`` (or ``plans``) whenever it touches an entry's counters, so the
    full 24-counter diff is only computed for entries whose calls or plans moved, that are new, or
    whose ``stats_since`` moved.
    """
    counters = list(columns[:NCOUNTERS])
    n = len(seqs)
    if n == 0:
        return Diff(seqs=(), columns=tuple(() for _ in counters), entry_resets=0)
    if last is None or full_reset:
        return _keep([i for i, high in enumerate(map(max, *counters)) if high > 0], seqs, counters, 0)

    absent = len(last.seqs)   # index of the zero appended to every previous column
    index = dict(zip(last.seqs, range(absent), strict=True))
    positions = list(map(index.get, seqs, repeat(absent, n)))
    calls_moved = map(sub, counters[0], pick(_padded(last.columns[0]), positions))
    plans_moved = map(sub, counters[1], pick(_padded(last.columns[1]), positions))
    since, old_since = columns[NCOUNTERS], pick(_padded(last.columns[NCOUNTERS]), positions)
    candidates = [
        i for i, (c, p, s, o) in enumerate(zip(calls_moved, plans_moved, since, old_since, strict=True))
        if c or p or (s and o and s != o)
    ]
    if not candidates:
        return _keep([], seqs, counters, 0)
    everyone = len(candidates) == n
    at = positions if everyone else [positions[i] for i in candidates]
    current = counters if everyone else [pick(col, candidates) for col in counters]
    size = len(candidates)
    deltas = [[0] * size if j in last.zero and not any(cur) else list(map(sub, cur, pick(_padded(prev), at)))
              for j, (cur, prev) in enumerate(zip(current, last.columns, strict=False))]
    fresh = {k for k, i in enumerate(candidates)
             if since[i] and old_since[i] and since[i] != old_since[i] and positions[i] != absent}
    if any(min(col) < 0 for col in deltas):   # rare: look for the rows only when some counter went back
        fresh.update(k for k, low in enumerate(map(min, *deltas)) if low < 0)
    for k in fresh:   # reset or evicted and re-created: everything it shows is new
        for col, cur in zip(deltas, current, strict=True):
            col[k] = cur[k]
    calls, plans = deltas[0], deltas[1]
    keep = [k for k in range(len(candidates)) if calls[k] > 0 or plans[k] > 0 or max(d[k] for d in deltas) > 0]
    return _keep(keep, seqs if everyone else pick(seqs, candidates), deltas, len(fresh))


def _keep(rows: list[int], seqs: Sequence[int], columns: Sequence[Sequence[int]], resets: int) -> Diff:
    """The kept rows, in read order (the raw arrays need no particular order)."""
    if len(rows) == len(seqs):
        return Diff(seqs=tuple(seqs), columns=tuple(tuple(c) for c in columns), entry_resets=resets)
    return Diff(seqs=pick(seqs, rows), columns=tuple(pick(col, rows) for col in columns), entry_resets=resets)
