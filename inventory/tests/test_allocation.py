"""The allocation policy on a table of cases (inventory/allocation.py)."""

import pytest

from inventory.allocation import Shortfall, Taken, allocate

A, B, C = 1, 2, 3  # location ids
P, Q = 10, 20  # product ids

CASES = [
    pytest.param(
        {P: 2},
        {(P, A): 5, (P, B): 5},
        {A: 100, B: 50},
        [Taken(P, A, 2)],
        id="single location: the higher priority wins",
    ),
    pytest.param(
        {P: 2},
        {(P, A): 3, (P, B): 9},
        {A: 100, B: 100},
        [Taken(P, B, 2)],
        id="single location: same priority, most units wins",
    ),
    pytest.param(
        {P: 2},
        {(P, A): 4, (P, B): 4},
        {A: 100, B: 100},
        [Taken(P, A, 2)],
        id="single location: a full tie goes to the lowest id, never at random",
    ),
    pytest.param(
        {P: 2, Q: 1},
        {(P, A): 5, (Q, A): 0, (P, B): 2, (Q, B): 1},
        {A: 100, B: 10},
        [Taken(P, B, 2), Taken(Q, B, 1)],
        id="single location preferred over a higher priority that cannot fill every line",
    ),
    pytest.param(
        {P: 6},
        {(P, A): 4, (P, B): 5},
        {A: 100, B: 50},
        [Taken(P, A, 4), Taken(P, B, 2)],
        id="split: highest priority first, the rest from the next",
    ),
    pytest.param(
        {P: 3, Q: 3},
        {(P, A): 3, (Q, A): 1, (P, B): 0, (Q, B): 2},
        {A: 100, B: 50},
        [Taken(P, A, 3), Taken(Q, A, 1), Taken(Q, B, 2)],
        id="split line by line",
    ),
    pytest.param(
        {P: 2},
        {(P, A): 9, (P, C): 1, (P, B): 1},
        {B: 100, C: 100},
        [Taken(P, B, 1), Taken(P, C, 1)],
        id="only the offered locations (channel's, active) count",
    ),
    pytest.param(
        {P: 3},
        {(P, A): 1, (P, B): 1},
        {A: 100, B: 50},
        Shortfall([(P, 3, 2)]),
        id="not enough over the offered locations: shortfall with what there is",
    ),
    pytest.param(
        {P: 1},
        {(P, A): 5},
        {},
        Shortfall([(P, 1, 0)]),
        id="no location sells for the channel",
    ),
    pytest.param({}, {}, {A: 1}, [], id="nothing asked, nothing taken"),
]


@pytest.mark.parametrize(("lines", "available", "priorities", "expected"), CASES)
def test_allocation_policy(lines, available, priorities, expected):
    assert allocate(lines, available, priorities) == expected
