"""Multiple-choice 0/1 knapsack by dynamic programming: at most one item per group, total size ≤ capacity.

Used by the search's repacking pass: the ratio-greedy fills the last bytes of a budget with small items
and can leave out a big one worth more; an exact packing of the candidates' estimated values finds the
better combination, which the what-if engine then verifies.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    key: int
    group: Hashable
    size: int  # in the same unit as the capacity (rounded up by the caller)
    value: float


def best_packing(items: Sequence[Item], capacity: int) -> list[Item]:
    """The items of highest total value fitting ``capacity``, at most one per group."""
    groups: dict[Hashable, list[Item]] = {}
    for item in items:
        if item.value > 0 and item.size <= capacity:
            groups.setdefault(item.group, []).append(item)
    order = list(groups.values())
    # best[c]: best value with total size <= c using the groups seen so far; choice[g][c] what group g took.
    best = [0.0] * (capacity + 1)
    choices: list[list[int]] = []
    for members in order:
        previous = best[:]
        taken = [-1] * (capacity + 1)
        for index, item in enumerate(members):
            size, value = item.size, item.value
            for c in range(capacity, size - 1, -1):
                candidate = previous[c - size] + value
                if candidate > best[c]:
                    best[c] = candidate
                    taken[c] = index
        choices.append(taken)
    chosen: list[Item] = []
    c = capacity
    for members, taken in zip(reversed(order), reversed(choices), strict=True):
        index = taken[c]
        if index >= 0:
            chosen.append(members[index])
            c -= members[index].size
    return chosen
