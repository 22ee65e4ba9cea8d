"""The repacking pass's exact multiple-choice knapsack, against brute force."""

from __future__ import annotations

import itertools
import random

from advisor.selection.knapsack import Item, best_packing


def brute_force(items: list[Item], capacity: int) -> float:
    best = 0.0
    for mask in itertools.product([False, True], repeat=len(items)):
        chosen = [i for i, take in zip(items, mask, strict=True) if take]
        groups = [i.group for i in chosen]
        if len(groups) == len(set(groups)) and sum(i.size for i in chosen) <= capacity:
            best = max(best, sum(i.value for i in chosen))
    return best


def test_it_prefers_one_big_index_worth_more_than_the_small_ones_that_fit_first() -> None:
    # The ratio-greedy's miss: b and c (12 per unit) then d fill the budget for 82; a alone is worth 90.
    items = [Item(0, "a", 8, 90.0), Item(1, "b", 3, 36.0), Item(2, "c", 3, 36.0), Item(3, "d", 2, 10.0)]
    assert {i.key for i in best_packing(items, 8)} == {0}


def test_it_takes_at_most_one_item_per_group_and_never_exceeds_the_capacity() -> None:
    rng = random.Random(5)
    for _ in range(200):
        items = [Item(n, rng.randrange(5), rng.randrange(1, 9), round(rng.uniform(-2, 20), 2)) for n in range(8)]
        capacity = rng.randrange(0, 25)
        chosen = best_packing(items, capacity)
        assert sum(i.size for i in chosen) <= capacity
        assert len({i.group for i in chosen}) == len(chosen)
        assert abs(sum(i.value for i in chosen) - brute_force(items, capacity)) < 1e-9
