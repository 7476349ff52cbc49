"""The warm-started min-cost flow against OR-Tools' on random networks."""

from __future__ import annotations

import numpy as np
import pytest
from ortools.graph.python import min_cost_flow as ortools_flow

from pes.inclusion import flow


def random_network(
    seed: int, nodes: int = 40, arcs: int = 160
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A feasible network: random arcs with negative and positive costs, supplies that a
    spanning path of wide arcs can always carry."""
    rng = np.random.default_rng(seed)
    tail = rng.integers(0, nodes, arcs)
    head = rng.integers(0, nodes, arcs)
    keep = tail != head
    tail, head = tail[keep], head[keep]
    capacity = rng.integers(0, 6, len(tail))
    cost = rng.integers(-20, 60, len(tail))
    # a path through every node both ways, expensive, so any supply can be met
    path = np.arange(nodes - 1)
    tail = np.concatenate([tail, path, path + 1])
    head = np.concatenate([head, path + 1, path])
    capacity = np.concatenate([capacity, np.full(2 * (nodes - 1), 1000)])
    cost = np.concatenate([cost, np.full(2 * (nodes - 1), 500)])
    supply = np.zeros(nodes, dtype=np.int64)
    for _ in range(8):
        a, b = rng.integers(0, nodes, 2)
        amount = int(rng.integers(1, 9))
        supply[a] += amount
        supply[b] -= amount
    return tail, head, capacity, cost, supply


def ortools_cost(tail, head, capacity, cost, supply) -> int:  # type: ignore[no-untyped-def]
    solver = ortools_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(
        tail.astype(np.int32), head.astype(np.int32), capacity, cost
    )
    solver.set_nodes_supplies(np.arange(len(supply), dtype=np.int32), supply)
    assert solver.solve() == solver.OPTIMAL
    return int(solver.optimal_cost())


def check_optimal(tail, head, capacity, cost, supply, x, pi) -> None:  # type: ignore[no-untyped-def]
    """Capacities, conservation and reduced-cost optimality: the potentials prove it."""
    assert ((x >= 0) & (x <= capacity)).all()
    balance = np.bincount(tail, weights=x, minlength=len(supply)) - np.bincount(
        head, weights=x, minlength=len(supply)
    )
    assert (balance == supply).all()
    reduced = cost - pi[tail] + pi[head]
    assert (reduced[x < capacity] >= 0).all()
    assert (reduced[x > 0] <= 0).all()


@pytest.mark.parametrize("seed", range(12))
def test_from_scratch_it_finds_the_optimum_ortools_finds(seed: int) -> None:
    network = random_network(seed)
    solved = flow.min_cost_flow(*network)
    assert solved is not None
    x, pi = solved
    check_optimal(*network, x, pi)
    assert int((x * network[3]).sum()) == ortools_cost(*network)


@pytest.mark.parametrize("seed", range(12))
def test_any_start_reaches_the_same_optimum(seed: int) -> None:
    network = random_network(seed, nodes=60, arcs=300)
    rng = np.random.default_rng(100 + seed)
    tail, head, capacity, cost, supply = network
    # a start that is neither feasible nor consistent with its potentials
    start = rng.integers(-2, 8, len(tail))
    potential = rng.integers(-300, 300, len(supply))
    solved = flow.min_cost_flow(*network, flow=start, potential=potential)
    assert solved is not None
    check_optimal(*network, *solved)
    assert int((solved[0] * cost).sum()) == ortools_cost(*network)


def test_a_start_at_the_optimum_with_a_new_arc_needs_little_work() -> None:
    network = random_network(7, nodes=80, arcs=500)
    tail, head, capacity, cost, supply = network
    first = flow.min_cost_flow(*network)
    assert first is not None
    # one more arc, cheaper than any path it shortcuts
    tail2, head2 = np.append(tail, 0), np.append(head, len(supply) - 1)
    capacity2, cost2 = np.append(capacity, 3), np.append(cost, -400)
    start = np.append(first[0], 0)
    warm = flow.min_cost_flow(
        tail2, head2, capacity2, cost2, supply, flow=start, potential=first[1], max_phases=20
    )
    assert warm is not None
    check_optimal(tail2, head2, capacity2, cost2, supply, *warm)
    assert int((warm[0] * cost2).sum()) == ortools_cost(tail2, head2, capacity2, cost2, supply)


def test_a_phase_budget_too_small_gives_up_and_bad_input_is_refused() -> None:
    network = random_network(3)
    assert flow.min_cost_flow(*network, max_phases=0) is None
    tail, head, capacity, cost, supply = network
    with pytest.raises(ValueError, match="balance"):
        flow.min_cost_flow(tail, head, capacity, cost, supply + np.eye(len(supply))[0])
    with pytest.raises(ValueError, match="same length"):
        flow.min_cost_flow(tail[:-1], head, capacity, cost, supply)
    with pytest.raises(ValueError, match="does not exist"):
        flow.min_cost_flow(tail, head + len(supply), capacity, cost, supply)
    # node 1 must send 5 to node 0, but the only arc goes the other way
    with pytest.raises(ValueError, match="no flow"):
        flow.min_cost_flow(
            np.array([0]), np.array([1]), np.array([9]), np.array([1]), np.array([-5, 5])
        )
    empty = flow.min_cost_flow(
        np.zeros(0, dtype=np.int64),
        np.zeros(0, dtype=np.int64),
        np.zeros(0, dtype=np.int64),
        np.zeros(0, dtype=np.int64),
        np.zeros(3, dtype=np.int64),
    )
    assert empty is not None and len(empty[0]) == 0
