"""The crew's clock advanced step by step (as a skim walks it) gives a route's own rests.

:func:`corridors.routing.timeline.advance` is what a skim uses to time breaks and rests
along a shortest-path tree; :func:`corridors.routing.timeline.with_rests` is what a route
uses. On random sequences of hauls, border stands, transfers and ferry crossings, split
at random points as a tree would split them, both must give the same rests to the bit.
"""

from __future__ import annotations

import random

import pytest

from corridors.graph.cost_model import Component
from corridors.graph.driving_rules import REST_KINDS
from corridors.graph.network import Network
from corridors.routing.timeline import ClockState, advance, clock_step, with_rests


def _component(rng: random.Random) -> Component:
    kind, mode = rng.choice(
        [
            ("haul", "road"),
            ("haul", "road"),
            ("haul", "rail"),
            ("haul", "ferry"),
            ("border", "road"),
            ("border", "rail"),
            ("wait", "ferry"),
            ("transfer", "road>rail"),
            ("transfer", "rail>road"),
            ("port", "road>ferry"),
            ("port", "ferry>sea"),
            ("gauge_break", "rail"),
        ]
    )
    hours = rng.choice([0.0, rng.uniform(0.1, 3.0), rng.uniform(3.0, 14.0), rng.uniform(14, 60)])
    return Component(kind, "a", "b", mode, "KZ", 0.0, hours, 0.0, 0.0)


@pytest.mark.parametrize("crew", [1, 2])
def test_advance_gives_the_rests_with_rests_inserts(net: Network, crew: int) -> None:
    rules = net.routing_graph().driving_rules[crew]
    assert rules is not None
    rng = random.Random(crew)
    checked = with_rest = 0
    for _ in range(400):
        comps = [_component(rng) for _ in range(rng.randint(1, 40))]
        want = tuple(c.time_h for c in with_rests(comps, rules) if c.kind in REST_KINDS)
        # the same sequence advanced in pieces, each piece from a state other pieces share
        state = ClockState()
        cuts = sorted(rng.sample(range(len(comps) + 1), min(3, len(comps) + 1)))
        start = 0
        for end in [*cuts, len(comps)]:
            steps = [(clock_step(c), c.time_h) for c in comps[start:end]]
            before = (state.clock and vars(state.clock).copy(), state.rests)
            branch = advance(state, steps, rules)  # a sibling branch: must not touch state
            assert (state.clock and vars(state.clock).copy(), state.rests) == before
            state = advance(state, steps, rules)
            assert branch.rests == state.rests
            start = end
        assert state.rests == want
        checked += 1
        with_rest += bool(want)
    assert checked == 400
    assert with_rest >= 100, f"only {with_rest} sequences needed a rest"
