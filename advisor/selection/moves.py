"""The steps of the search, and when one is worth taking: a clear gain, or a tie won by the smaller index.

A move adds an index (with companions that only pay together) or replaces a chosen index by another.
Its ``net`` is the objective's improvement (read cost saved minus upkeep, :mod:`advisor.selection.costs`),
its ``delta_size`` the bytes it adds.

**Read costs are estimates, and equal ones must not be told apart by noise.** The planner's I/O model
cannot resolve less than about one random page read per execution of a statement: which of two
indexes a lookup of two rows "prefers" depends on guesses such as the leading column's correlation
with the heap order. Measured on a users table of 100,000 rows, 90 % of them deleted at one instant,
for ``account_id = $1 AND deleted_at IS NULL``: ``(deleted_at, account_id)`` costs 9.83 per call
(deleted_at holds one value, so its correlation is 1.0 and the two heap fetches are taken as nearly
sequential, though the rows are scattered) against 11.78 for the partial ``(account_id) WHERE
deleted_at IS NULL`` — a quarter of the size, the same two heap pages read — and ``(account_id,
deleted_at)`` 11.79. Which of them the search kept followed a 3 % difference between two ANALYZE
samples of account_id's ``n_distinct`` (the size, hence the ratio, of its first index), then a
difference of 0.01 per call. Storage is never free, even when the window's length is unknown and
the objective charges none, so:

* a move's ``noise`` is the target's ``random_page_cost`` (4.0 by default) per execution of every
  statement whose plan cost it changes, times the statement's weight;
* a move is taken when it improves the objective by more than its noise (a clear gain), or when it
  changes it by no more than its noise and makes the configuration smaller (a tie: the smaller set
  wins). A chosen index whose marginal benefit is within its noise is dropped (it cannot be told from
  no benefit at all, and it takes space).

A move that makes the set larger must therefore win by more than the noise, one that makes it smaller
may lose up to the noise: a move and its inverse are never both taken (no swapping back and forth),
and among sets of equal read cost (within the noise) the search ends at the smaller one whichever
path the greedy took to get there.

The tolerance is absolute on purpose. A relative one (1 % of each statement's cost, the spread of
plan costs between ANALYZE samples) was measured on TPC-H (P5): under a 1,500 MB budget it let
successive swaps give up 0.5 pp of workload cost, and the bytes they freed were spent again by the
budgeted greedy — no smaller set, a slower one.
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.whatif.indexes import IndexSpec

PAGE = 8192
DEFAULT_RANDOM_PAGE_COST = 4.0


def worth_taking(net: float, noise: float, delta_size: int) -> bool:
    """A clear gain, or a tie (within the noise) that makes the configuration smaller."""
    return net > noise or (delta_size < 0 and net >= -noise)


@dataclass
class Move:
    """Add ``new`` with its companions ``extra`` (``old`` is None), or replace the chosen ``old`` by ``new``."""

    new: IndexSpec
    old: IndexSpec | None = None
    extra: tuple[IndexSpec, ...] = ()
    net: float = 0.0
    noise: float = 0.0
    delta_size: int = 0
    stamp: int = -1

    @property
    def ratio(self) -> float:
        return self.net / max(self.delta_size, PAGE)

    @property
    def adds(self) -> tuple[IndexSpec, ...]:
        return (self.new, *self.extra)

    @property
    def worth_taking(self) -> bool:
        return worth_taking(self.net, self.noise, self.delta_size)


def reshapes(chosen: IndexSpec, other: IndexSpec) -> bool:
    """True when ``other`` uses only columns ``chosen`` has as keys (its keys and predicate): the same
    lookups arranged differently, e.g. ``(deleted_at, account_id)`` → ``(account_id) WHERE deleted_at
    IS NULL``."""
    if chosen.table.oid != other.table.oid or chosen.expression or other.expression:
        return False
    used = set(other.columns) | (set(other.expression_columns) if other.where else set())
    return bool(other.columns) and used <= set(chosen.columns)


def successor(chosen: IndexSpec, other: IndexSpec) -> bool:
    """True when ``other`` may replace ``chosen`` rather than sit beside it: it starts with it (a wider
    index serving the same lookups and more) or reshapes its columns."""
    return other != chosen and (chosen.is_prefix_of(other) or reshapes(chosen, other))
