"""When a search step is worth taking: a clear gain, or a tie within the planner's noise won by size."""

from __future__ import annotations

import itertools

from advisor.selection.moves import worth_taking

NOISE = 4000.0  # 1,000 calls of a statement whose cost changes, at random_page_cost 4


def test_it_takes_a_clear_gain_and_leaves_one_within_the_noise() -> None:
    assert worth_taking(4001.0, NOISE, delta_size=8192)
    assert not worth_taking(10.0, NOISE, delta_size=8192)  # an index that saves 0.01 per call


def test_it_breaks_a_tie_within_the_noise_for_the_smaller_set() -> None:
    # (deleted_at, account_id) → (account_id) WHERE deleted_at IS NULL: 1.95 per call worse for the
    # planner, 827,392 bytes smaller.
    assert worth_taking(-1950.0, NOISE, delta_size=-827_392)
    assert not worth_taking(-4001.0, NOISE, delta_size=-827_392)
    assert not worth_taking(0.0, NOISE, delta_size=0)  # the same size: nothing to prefer


def test_it_never_takes_both_a_move_and_its_inverse() -> None:
    nets = (-5000.0, -4000.0, -1950.0, -0.5, 0.0, 0.5, 1950.0, 4000.0, 5000.0)
    for net, noise, size in itertools.product(nets, (0.0, NOISE), (-827_392, -1, 0, 1, 827_392)):
        assert not (worth_taking(net, noise, size) and worth_taking(-net, noise, -size)), (net, noise, size)
